"""Every error the prediction service can answer, asked with ``Accept-Language: zh-CN``: the
same status and code as in English, a Chinese message and Chinese details, the data (field
names, values) echoed as sent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mllib import serve
from tests.test_serve import BAD_REQUESTS, _row, ask, bundle, row

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
#: Code and data a Chinese message quotes as they are: JSON, HTTP, paths, formats, names.
QUOTED = re.compile(
    r"\{\"rows\": \[\.\.\.\]\}|Content-Type: application/json|Authorization: Bearer <token>|"
    r"GET /openapi\.json|ISO 8601|YYYY-MM-DD|/[a-z/._]+|“[^”]*”|\b(?:GET|PUT|POST|JSON|UTF-8|"
    r"true|false|null|NaN|-?Infinity|none|text/plain|application/[a-z-]+)\b"
)
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){1,}")


def english_left(text: str) -> list[str]:
    """Two or more English words in a row once quoted code and data are taken out."""
    return ENGLISH.findall(QUOTED.sub(" ", text))


MORE_BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("number beyond 1e38", {"json": _row(age=1e300)}, 422, "beyond"),
    ("date not text", {"json": _row(signup_date=20240131)}, 422, "date as text"),
    ("category list", {"json": _row(plan=["Basic"])}, 422, "expected one of"),
    ("category too long", {"json": _row(plan="x" * 1_001)}, 422, "longer than"),
    ("unknown top level", {"json": {"rows": [row()], "extra": 1}}, 422, "top-level"),
    ("body a number", {"json": 5}, 422, "must be a JSON object"),
    (
        "many unknown fields",
        {"json": {"rows": [{**row(), **{f"x{i}": 1 for i in range(30)}}]}},
        422,
        "more problem(s)",
    ),
    (
        "a problem in many rows",
        {"json": {"rows": [_row(age="x")] * 5}},
        422,
        "rows 0, 1, 2, 3, 4",
    ),
]
CASES = BAD_REQUESTS + MORE_BAD_REQUESTS


@pytest.mark.parametrize(
    ("case", "request_", "status", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_every_error_kind_answers_in_chinese(
    case: str, request_: dict[str, Any], status: int, message: str
) -> None:
    english = ask(request_, {})
    assert english.status_code == status and message in english.get_json()["error"]["message"]
    chinese = ask(request_, ZH)
    assert chinese.status_code == status and chinese.headers["Content-Language"] == "zh"
    said, was = chinese.get_json()["error"], english.get_json()["error"]
    assert said["code"] == was["code"] and said["status"] == status
    assert said["message"] != was["message"]
    assert not english_left(said["message"]), said["message"]
    for detail, english_detail in zip(said.get("details", []), was.get("details", []), strict=True):
        assert detail["field"] == english_detail["field"]
        assert detail.get("rows") == english_detail.get("rows")
        assert not english_left(detail["problem"]), detail["problem"]


def test_data_in_a_chinese_message_is_echoed_as_sent() -> None:
    answer = ask({"json": _row(plan="Gold")}, ZH).get_json()["error"]
    assert answer["message"] == (
        "“plan”：未见过的类别“Gold”；已知类别：“Basic”, “Premium”, “Standard”（第 0 行）。"
    )
    assert (
        answer["details"][0]["problem"]
        == "“plan”：未见过的类别“Gold”；已知类别：“Basic”, “Premium”, “Standard”"
    )


def test_the_token_and_an_unexpected_failure_answer_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked = serve.create_app(bundle(), token="a-long-enough-secret-token").test_client()
    refused = locked.post("/predict", json={"rows": [row()]}, headers=ZH)
    assert refused.status_code == 401 and refused.json["error"]["code"] == "unauthorized"
    assert not english_left(refused.json["error"]["message"]), refused.json["error"]["message"]
    broken = bundle()
    monkeypatch.setattr(type(broken), "predict", lambda self, frame: 1 / 0)
    failed = serve.create_app(broken).test_client().post("/predict", json=row(), headers=ZH)
    assert failed.status_code == 500
    assert failed.json["error"]["message"] == serve.translator("zh")(
        "the service failed; see its log"
    )


def test_out_of_range_warnings_answer_in_chinese() -> None:
    answer = ask({"json": _row(age=500)}, ZH).get_json()
    assert answer["warnings"] and "超出训练范围" in answer["warnings"][0]
    english = ask({"json": _row(age=500)}, {}).get_json()
    assert "outside the training range" in english["warnings"][0]


def test_outputs_the_model_cannot_give_answer_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """422 non_finite_output and cannot_predict: the message and details in Chinese."""
    import numpy as np

    from mllib import predict
    from mllib.errors import GlassboxError
    from mllib.i18n import msg

    model = bundle("customers", "linear_svm")
    app = serve.create_app(model).test_client()
    far = _row(age=1e30)
    infinite = predict.Prediction(np.array([np.inf]))
    monkeypatch.setattr(type(model), "predict", lambda self, frame: infinite)
    said = app.post("/predict", json=far, headers=ZH).get_json()["error"]
    assert said["code"] == "non_finite_output" and "“age”" in said["message"]
    assert said["details"][0] == {"field": "age", "problem": "取值远远超出训练范围"}
    assert not english_left(said["message"]), said["message"]

    def refuse(self: object, frame: object) -> None:
        raise GlassboxError(msg("The model could not predict these rows: {err}", err="x"))

    monkeypatch.setattr(type(model), "predict", refuse)
    said = app.post("/predict", json=far, headers=ZH).get_json()["error"]
    assert said["code"] == "cannot_predict"
    assert said["message"].startswith("模型无法预测这些行：x；请检查")
