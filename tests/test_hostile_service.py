"""Hostile requests against a real service process (waitress), table-driven.

Each case is a request an attacker or a broken client could send, with the status and words
the answer must have, under generous bounds: an answer within ``SECONDS`` and small, the
process's peak memory under ``PEAK_MB``, and afterwards ``/health`` answers and a good row is
predicted as before (nothing was lost). ``/health`` must also answer within a second while
the worst requests run.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import requests

from mllib import serve
from mllib.errors import GlassboxError
from mllib.profile import Task
from tests.service_process import Service, trained_bundle, write_model

SECONDS = 5.0
PEAK_MB = 500.0
MAX_REPLY = 64 * 1024
MODELS = {  # name → (sample, algorithm, task)
    "svm": ("iris", "linear_svm", Task.CLASSIFICATION),
    "linear": ("diabetes", "linear", Task.REGRESSION),
    "dates": ("customers", "tree", Task.CLASSIFICATION),
}


def example(model: str) -> dict[str, Any]:
    return trained_bundle(*MODELS[model]).schema.example_row()


def body(model: str, **changes: Any) -> bytes:
    return json.dumps({"rows": [{**example(model), **changes}]}).encode()


def with_text(model: str, field: str, raw_json_value: str) -> bytes:
    """A row whose ``field`` is the JSON text ``raw_json_value`` (e.g. an escaped surrogate)."""
    row = json.dumps({**example(model), field: "@@"}).replace('"@@"', raw_json_value)
    return ('{"rows": [' + row + "]}").encode()


def unknown_names(size: int) -> bytes:
    names = ",".join(f'"unknown_field_{i:07d}": 1' for i in range(size // 28))
    return ("{" + names + "}").encode()


@dataclass(frozen=True)
class Hostile:
    label: str
    model: str
    data: Callable[[], bytes | None]
    status: int
    says: str
    method: str = "POST"
    content_type: str | None = "application/json"


CASES = [
    Hostile(
        "lone surrogate in a key",
        "svm",
        lambda: b'{"rows": [{"\\ud800": 1}]}',
        422,
        "\\\\ud800",
    ),
    Hostile(
        "lone surrogate in a category",
        "dates",
        lambda: with_text("dates", "region", '"\\udfff"'),
        422,
        "unseen category",
    ),
    Hostile(
        "control characters are escaped",
        "dates",
        lambda: with_text("dates", "region", '"a\\u0000b\\u001b[31m"'),
        422,
        "a\\\\x00b\\\\x1b[31m",
    ),
    Hostile(
        "1e307 on a linear SVM",  # was a 500: infinite scores reached the JSON encoder
        "svm",
        lambda: body("svm", petal_length=1e307),
        422,
        "“petal_length”: 1e+307 is beyond ±1e+38",
    ),
    Hostile(
        "1e308 on a linear regression",  # was 200 {"predictions": [null]}
        "linear",
        lambda: json.dumps({"rows": [{k: 1e308 for k in example("linear")}]}).encode(),
        422,
        "beyond ±1e+38",
    ),
    Hostile(
        "a 10 MB date string",
        "dates",
        lambda: body("dates", signup_date="2024-01-01" + "1" * 10_000_000),
        422,
        "is not a date",
    ),
    Hostile(
        "four 600 KB date strings",
        "dates",
        lambda: json.dumps(
            {"rows": [{**example("dates"), "signup_date": "9" * 600_000}] * 4}
        ).encode(),
        422,
        "is not a date",
    ),
    Hostile(
        "an empty date",
        "dates",
        lambda: body("dates", signup_date=""),
        422,
        "is not a date",
    ),
    Hostile(
        "a date in an unknown format",
        "dates",
        lambda: body("dates", signup_date="next Tuesday at noon"),
        422,
        "ISO 8601",
    ),
    Hostile(
        "8 MB of unknown field names",
        "svm",
        lambda: unknown_names(8_000_000),
        422,
        "more problem",
    ),
    Hostile(
        "a 1 MB field name",
        "svm",
        lambda: json.dumps({"rows": [{**example("svm"), "x" * 1_000_000: 1}]}).encode(),
        422,
        "unknown field",
    ),
    Hostile(
        "a 1 MB category",
        "dates",
        lambda: body("dates", region="N" * 1_000_000),
        422,
        "longer than",
    ),
    Hostile(
        "10,000 bad rows",
        "svm",
        lambda: json.dumps({"rows": [{"petal_length": "x"}] * 10_000}).encode(),
        422,
        "and 9992 more",
    ),
    Hostile(
        "a body over the size limit",
        "svm",
        lambda: b'{"rows": [' + b" " * (17 * 2**20) + b"]}",
        413,
        "larger than the limit",
    ),
    Hostile("nested 100,000 deep", "svm", lambda: b"[" * 100_000, 400, "JSON"),
    Hostile("a 5,000-digit integer", "svm", lambda: b'{"a": ' + b"9" * 5000 + b"}", 400, "JSON"),
    Hostile("OPTIONS /predict", "svm", lambda: None, 200, "POST", method="OPTIONS"),
    Hostile("PUT /predict", "svm", lambda: b"{}", 405, "not allowed", method="PUT"),
]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Service]]:
    directory = tmp_path_factory.mktemp("models")
    started: dict[str, Service] = {}
    try:
        for name, spec in MODELS.items():
            started[name] = Service(write_model(directory, *spec))
        yield started
    finally:
        for service in started.values():
            service.stop()


def ask(service: Service, case: Hostile, payload: bytes | None) -> requests.Response:
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    return requests.request(
        case.method, f"{service.url}/predict", data=payload, headers=headers, timeout=60
    )


def good_answer(service: Service, model: str) -> Any:
    response = requests.post(
        f"{service.url}/predict",
        data=body(model),
        timeout=30,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_hostile_request(services: dict[str, Service], case: Hostile) -> None:
    service = services[case.model]
    before = good_answer(service, case.model)
    payload = case.data()
    start = time.perf_counter()
    response = ask(service, case, payload)
    seconds = time.perf_counter() - start
    assert response.status_code == case.status, response.text[:500]
    assert response.headers["Content-Type"] == "application/json"
    assert len(response.content) <= MAX_REPLY, len(response.content)
    text = response.content.decode("utf-8")  # always valid UTF-8
    assert case.says in text, text[:500]
    assert seconds <= SECONDS, f"{case.label}: {seconds:.1f} s"
    assert service.peak_mb() <= PEAK_MB, f"{case.label}: peak {service.peak_mb():.0f} MB"
    health = requests.get(f"{service.url}/health", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert good_answer(service, case.model) == before


def test_health_answers_while_the_worst_requests_run(
    services: dict[str, Service],
) -> None:
    service = services["dates"]
    worst = [
        body("dates", signup_date="2024-01-01" + "1" * 10_000_000),
        json.dumps({"rows": [{**example("dates"), "signup_date": "9" * 600_000}] * 4}).encode(),
        unknown_names(8_000_000),
        json.dumps({"rows": [example("dates")] * 10_000}).encode(),
    ]
    done: list[int] = []

    def send(payload: bytes) -> None:
        response = requests.post(
            f"{service.url}/predict",
            data=payload,
            headers={"Content-Type": "application/json"},
            timeout=120,
        )
        done.append(response.status_code)

    threads = [threading.Thread(target=send, args=(p,)) for p in worst]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    slowest = 0.0
    while any(t.is_alive() for t in threads):
        start = time.perf_counter()
        assert requests.get(f"{service.url}/health", timeout=5).status_code == 200
        slowest = max(slowest, time.perf_counter() - start)
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    batch = time.perf_counter() - began
    assert sorted(done) == [200, 422, 422, 422]
    # A request that held the server would keep /health waiting about as long as the whole
    # batch. The bound is relative to the batch, so it holds on a loaded CI machine too (a fixed
    # 1 s failed once at load 14 with 1.22 s), with a floor of a second.
    assert slowest <= max(1.0, 0.5 * batch), (
        f"/health took {slowest:.2f} s of a {batch:.1f} s batch"
    )


def test_every_answer_is_json_including_options_and_unknown_paths(
    services: dict[str, Service],
) -> None:
    service = services["svm"]
    for method, path in [
        ("OPTIONS", "/predict"),
        ("OPTIONS", "/health"),
        ("GET", "/nowhere"),
        ("DELETE", "/health"),
        ("HEAD", "/health"),
    ]:
        response = requests.request(method, f"{service.url}{path}", timeout=10)
        assert response.headers["Content-Type"] == "application/json", (method, path)
        if method != "HEAD":
            response.json()
    options = requests.options(f"{service.url}/predict", timeout=10)
    assert "POST" in options.headers["Allow"] and "POST" in options.json()["methods"]


def test_a_malformed_request_line_is_waitress_own_400(services: dict[str, Service]) -> None:
    """Documented exemption: the HTTP server answers protocol errors before the app runs."""
    with socket.create_connection(("127.0.0.1", services["svm"].port), timeout=10) as sock:
        sock.sendall(b"NOT A REQUEST LINE\r\n\r\n")
        reply = sock.recv(4096)
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/") and b" 400 " in status_line, reply[:200]


def test_peak_memory_is_measured_in_the_service_process(services: dict[str, Service]) -> None:
    """The memory bound reads the service's own VmHWM: it grows with a big request there."""
    service = services["linear"]
    before = service.peak_mb()
    assert before > 50  # a Python process with scikit-learn, not this test's empty child
    requests.post(
        f"{service.url}/predict",
        data=json.dumps({"rows": [example("linear")] * 10_000}).encode(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert service.peak_mb() >= before


# --- access control ------------------------------------------------------------------------

TOKEN = "s3cret-token-0123456789"


def test_a_token_guards_every_path_but_health() -> None:
    client = serve.create_app(trained_bundle(*MODELS["svm"]), token=TOKEN).test_client()
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/health").status_code == 200
    for headers in [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}]:
        for method, path in [("POST", "/predict"), ("GET", "/schema"), ("GET", "/openapi.json")]:
            response = client.open(path, method=method, json=example("svm"), headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.is_json and response.get_json()["error"]["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/predict", json=example("svm"), headers=good).status_code == 200
    lower = {"Authorization": f"bearer {TOKEN}"}
    assert client.get("/schema", headers=lower).status_code == 200
    document = client.get("/openapi.json", headers=good).get_json()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/health"]["get"]["security"] == []
    assert "401" in document["paths"]["/predict"]["post"]["responses"]


def test_without_a_token_nothing_asks_for_one() -> None:
    client = serve.create_app(trained_bundle(*MODELS["svm"])).test_client()
    assert client.post("/predict", json=example("svm")).status_code == 200
    document = client.get("/openapi.json").get_json()
    assert "security" not in document and "securitySchemes" not in document["components"]


def test_short_or_unreadable_tokens_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GlassboxError, match="shorter than 16"):
        serve.read_token("short")
    with pytest.raises(GlassboxError, match="could not be read"):
        serve.read_token(token_file=tmp_path / "missing.txt")
    (tmp_path / "token.txt").write_text(f"{TOKEN}\n")
    assert serve.read_token(token_file=tmp_path / "token.txt") == TOKEN
    assert serve.read_token(None) is None


def test_the_start_up_line_says_whether_a_token_is_required(tmp_path: Path) -> None:
    model = write_model(tmp_path, *MODELS["svm"])
    env = {**os.environ, "GLASSBOX_API_TOKEN": TOKEN}
    locked = Service(model, env=env)
    try:
        assert requests.get(f"{locked.url}/health", timeout=10).status_code == 200
        assert requests.get(f"{locked.url}/schema", timeout=10).status_code == 401
        ok = requests.get(
            f"{locked.url}/schema", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        assert ok.status_code == 200
    finally:
        said = locked.stop()
    assert "API token required" in said, said
    (tmp_path / "token.txt").write_text(TOKEN)
    env.pop("GLASSBOX_API_TOKEN")
    from_file = Service(model, "--token-file", str(tmp_path / "token.txt"), env=env)
    try:
        assert requests.get(f"{from_file.url}/schema", timeout=10).status_code == 401
    finally:
        said = from_file.stop()
    assert "API token required" in said, said
    open_service = Service(model, env=env)
    said = open_service.stop()
    assert "no API token" in said, said


# --- outputs that are not numbers -----------------------------------------------------------


def test_a_non_finite_output_is_a_422_naming_the_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a model still overflow, the answer names the inputs instead of a 500/null."""
    from mllib import predict

    bundle = trained_bundle(*MODELS["linear"])
    client = serve.create_app(bundle).test_client()
    row = {**example("linear"), "bmi": 1e30}
    monkeypatch.setattr(
        type(bundle), "predict", lambda self, frame: predict.Prediction(np.array([np.inf]))
    )
    response = client.post("/predict", json=row)
    assert response.status_code == 422 and response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "non_finite_output"
    assert "“bmi”" in error["message"] and error["details"][0]["field"] == "bmi"


def test_huge_finite_scores_are_not_rounded_into_infinity() -> None:
    from mllib import predict

    scores = pd.DataFrame({"a": [1e303, 0.1234567891], "b": [-1e303, 2.0]})
    answer = predict.Prediction(np.array(["a", "b"]), scores, "decision score").records()
    assert answer["scores"] == [{"a": 1e303, "b": -1e303}, {"a": 0.123457, "b": 2.0}]
    json.dumps(answer, allow_nan=False)
