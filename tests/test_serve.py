"""The JSON prediction service: answers, a table of bad requests, fuzzing, and a real process."""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mllib import export, samples, serve, training
from mllib.errors import GlassboxError
from mllib.export import ModelBundle, bundle_from_model
from mllib.profile import Task, default_features, profile_table
from mllib.schema import DATETIME, NUMERIC, Feature
from mllib.training import TrainConfig
from tests.conftest import ROOT
from tests.service_process import free_port, wait_until_healthy

MAX_ROWS, MAX_BYTES = 5, 20_000


@lru_cache(maxsize=4)
def bundle(sample: str = "customers", algorithm: str = "tree") -> ModelBundle:
    dataset = samples.load_sample(sample)
    profile = profile_table(dataset.frame)
    target = samples.SAMPLES[sample].target
    features = default_features(profile, target).features
    config = TrainConfig.make(algorithm, Task.CLASSIFICATION, target, features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return bundle_from_model(model, dataset, profile)


@lru_cache(maxsize=4)
def client(sample: str = "customers", algorithm: str = "tree") -> Any:
    app = serve.create_app(bundle(sample, algorithm), max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    return app.test_client()


def row() -> dict[str, Any]:
    return bundle().schema.example_row()


def post(body: Any, content_type: str | None = "application/json", path: str = "/predict"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    headers = {"Content-Type": content_type} if content_type else {}
    return client().post(path, data=data, headers=headers)


# --- good requests ---------------------------------------------------------------------------


def test_predict_rows_and_single_object() -> None:
    many = post({"rows": [row(), {**row(), "plan": "Premium"}]})
    assert many.status_code == 200 and many.mimetype == "application/json"
    body = many.get_json()
    assert len(body["predictions"]) == 2 and set(body["predictions"]) <= {"no", "yes"}
    assert set(body["probabilities"][0]) == {"no", "yes"}
    assert sum(body["probabilities"][0].values()) == pytest.approx(1)
    single = post(row()).get_json()
    assert single["predictions"] == body["predictions"][:1]


def test_predictions_equal_the_pipeline() -> None:
    b = bundle()
    frame = samples.load_sample("customers").frame.head(5)
    rows = json.loads(frame[b.schema.names].to_json(orient="records"))
    for r in rows:
        r["has_partner"] = bool(r["has_partner"])
    answer = post({"rows": rows}).get_json()
    assert answer["predictions"] == list(b.pipeline.predict(b.clean(frame[b.schema.names])))


def test_out_of_range_values_come_back_as_warnings() -> None:
    answer = post({**row(), "age": 150}).get_json()
    assert "outside the training range" in answer["warnings"][0]


def test_svm_answers_scores() -> None:
    app = serve.create_app(bundle("customers", "svm"))
    answer = app.test_client().post("/predict", json=row()).get_json()
    assert "scores" in answer and "probabilities" not in answer


def test_health_schema_and_index() -> None:
    health = client().get("/health").get_json()
    assert health["status"] == "ok" and health["target"] == "churned"
    assert health["max_rows"] == MAX_ROWS
    schema = client().get("/schema").get_json()
    assert [f["name"] for f in schema["features"]] == bundle().schema.names
    assert "unseen_categories" in schema["policies"]
    assert "POST /predict" in client().get("/").get_json()["endpoints"]


# --- OpenAPI ---------------------------------------------------------------------------------


def as_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0 → JSON Schema: resolve $refs, turn ``nullable`` into a null type."""
    if isinstance(node, list):
        return [as_json_schema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return as_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    out = {k: as_json_schema(v, components) for k, v in node.items() if not k.startswith("x-")}
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    out.pop("example", None)
    return out


@lru_cache(maxsize=1)
def openapi_schemas() -> dict[str, Any]:
    doc = client().get("/openapi.json").get_json()
    components = doc["components"]["schemas"]
    request = doc["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    return {
        "doc": doc,
        "request": as_json_schema(request["schema"], components),
        "response": as_json_schema(components["PredictResponse"], components),
        "error": as_json_schema(components["Error"], components),
        "example": request["example"],
    }


def test_openapi_describes_every_feature() -> None:
    schemas = openapi_schemas()
    doc = schemas["doc"]
    assert doc["openapi"].startswith("3.")
    props = doc["components"]["schemas"]["Row"]["properties"]
    assert props["age"]["type"] == "number" and props["age"]["x-training-minimum"] == 18
    assert props["plan"]["enum"] == ["Basic", "Premium", "Standard", None]
    assert props["has_partner"]["type"] == "boolean"
    assert doc["components"]["schemas"]["Row"]["additionalProperties"] is False
    assert doc["components"]["schemas"]["PredictRequest"]["properties"]["rows"]["maxItems"] == 5
    jsonschema.validate(schemas["example"], schemas["request"])
    answer = post(schemas["example"])
    assert answer.status_code == 200
    jsonschema.validate(answer.get_json(), schemas["response"])


# --- bad requests: each with its status and message --------------------------------------


def _row(**changes: Any) -> dict[str, Any]:
    r = row()
    for key, value in changes.items():
        if value is ...:
            r.pop(key)
        else:
            r[key] = value
    return r


BAD_REQUESTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("malformed JSON", {"body": '{"rows": ['}, 400, "malformed JSON at line 1"),
    ("trailing garbage", {"body": '{"rows": []} x'}, 400, "malformed JSON"),
    ("empty body", {"body": ""}, 400, "body is empty"),
    ("not UTF-8", {"body": b'{"a": "\xff"}'}, 400, "not UTF-8"),
    ("NaN literal", {"body": '{"age": NaN}'}, 400, "NaN is not valid JSON"),
    ("Infinity literal", {"body": '{"age": Infinity}'}, 400, "Infinity is not valid JSON"),
    ("-Infinity literal", {"body": '{"age": -Infinity}'}, 400, "-Infinity is not valid JSON"),
    ("duplicate key", {"body": '{"age": 1, "age": 2}'}, 400, "appears twice"),
    ("nested too deep", {"body": "[" * 10_000 + "]" * 10_000}, 400, "nested too deeply"),
    ("text/plain", {"content_type": "text/plain"}, 415, "got text/plain"),
    ("form encoded", {"content_type": "application/x-www-form-urlencoded"}, 415, "JSON"),
    ("no content type", {"content_type": None}, 415, "got none"),
    ("body is a list", {"json": [{"age": 1}]}, 422, "must be a JSON object"),
    ("rows not a list", {"json": {"rows": {"age": 1}}}, 422, "must be a list"),
    ("rows empty", {"json": {"rows": []}}, 422, "“rows” is empty"),
    ("row not an object", {"json": {"rows": [1]}}, 422, "each row must be an object"),
    ("missing field", {"json": _row(age=...)}, 422, "missing field “age”"),
    ("extra field", {"json": _row(colour="red")}, 422, "unknown field “colour”"),
    ("renamed field", {"json": _row(age=..., Age=40)}, 422, "“Age” (did you mean “age”?)"),
    ("number as text", {"json": _row(age="40")}, 422, "“age”: expected a number, got the text"),
    ("boolean as number", {"json": _row(age=True)}, 422, "expected a number, got the boolean"),
    (
        "number too large",
        {"body": json.dumps(_row()).replace('"age": 42', '"age": 1e999')},
        422,
        "expected a finite number",
    ),
    ("unseen category", {"json": _row(plan="Gold")}, 422, "unseen category “Gold”; known"),
    ("category as number", {"json": _row(region=1)}, 422, "expected one of"),
    ("text for true/false", {"json": _row(has_partner="yes")}, 422, "expected true or false"),
    ("not a date", {"json": _row(signup_date="soon")}, 422, "“soon” is not a date"),
    ("too many rows", {"json": {"rows": [_row()] * 6}}, 413, "at most 5 per request"),
    (
        "body too large",
        {"body": json.dumps({"rows": [_row(plan="x" * 30_000)]})},
        413,
        "larger than the limit of 20,000 bytes",
    ),
    ("GET /predict", {"method": "GET"}, 405, "GET is not allowed on /predict"),
    ("PUT /predict", {"method": "PUT"}, 405, "PUT is not allowed"),
    ("unknown path", {"path": "/predictions"}, 404, "no such endpoint /predictions"),
    ("POST /health", {"path": "/health"}, 405, "POST is not allowed on /health"),
]


def ask(request_: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    """Send one of BAD_REQUESTS (method, path, JSON or raw body, content type) to the service."""
    method = request_.get("method", "POST")
    path = request_.get("path", "/predict")
    if "json" in request_:
        body: Any = json.dumps(request_["json"])
    else:
        body = request_.get("body", json.dumps({"rows": [row()]}))
    content_type = request_.get("content_type", "application/json")
    sent = {**(headers or {}), **({"Content-Type": content_type} if content_type else {})}
    return client().open(path, method=method, data=body, headers=sent)


@pytest.mark.parametrize(
    ("case", "request_", "status", "message"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_requests_get_their_status_and_a_json_message(
    case: str, request_: dict[str, Any], status: int, message: str
) -> None:
    response = ask(request_)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert message in error["message"], error["message"]
    jsonschema.validate(response.get_json(), openapi_schemas()["error"])
    if status == 405:
        assert "Allow" in response.headers


def test_table_has_at_least_fifteen_distinct_bad_requests() -> None:
    assert len({case for case, *_ in BAD_REQUESTS}) >= 15


def test_details_name_fields_and_rows() -> None:
    response = post({"rows": [row(), _row(age="x"), _row(age="y")]})
    details = response.get_json()["error"]["details"]
    assert details == [
        {
            "field": "age",
            "problem": "“age”: expected a number, got the text “x”",
            "rows": [1],
            "count": 1,
        },
        {
            "field": "age",
            "problem": "“age”: expected a number, got the text “y”",
            "rows": [2],
            "count": 1,
        },
    ]


def test_an_unexpected_failure_is_still_json(monkeypatch: pytest.MonkeyPatch) -> None:
    app = serve.create_app(bundle())

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(ModelBundle, "predict", boom)
    response = app.test_client().post("/predict", json=row())
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "internal_error"


# --- fuzzing -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def valid_value(feature: Feature) -> st.SearchStrategy[Any]:
    if feature.role == NUMERIC:
        return st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-1000, 1000)
    if feature.role == DATETIME:
        return st.dates().map(str)
    if feature.json_boolean:
        return st.booleans()
    return st.sampled_from(feature.categories)


@st.composite
def schema_shaped_rows(draw: st.DrawFn, features: tuple[Feature, ...]) -> dict[str, Any]:
    """Rows that follow the schema (about half of them), or have wrong types, nulls, dropped
    and extra fields mixed in. ``features`` are resolved before drawing: training the model
    inside a draw uses the random module, which Hypothesis rejects as a flaky strategy."""
    clean = draw(st.booleans())
    out: dict[str, Any] = {}
    for feature in features:
        choice = draw(st.integers(2 if clean else 0, 9))
        if choice == 0:
            continue  # missing field
        if choice == 1:
            out[feature.name] = draw(json_values)  # anything at all
        elif choice == 2:
            out[feature.name] = None
        else:
            out[feature.name] = draw(valid_value(feature))
    if not clean and draw(st.integers(0, 4)) == 0:
        out[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return out


def assert_json_answer(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = json.loads(response.get_data())
    if response.status_code >= 400:
        jsonschema.validate(body, openapi_schemas()["error"])


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(payload=json_values)
def test_fuzz_any_json_body_never_fails(payload: Any) -> None:
    assert_json_answer(post(json.dumps(payload)))


@FUZZ
@given(
    rows=st.lists(schema_shaped_rows(bundle().schema.features), min_size=1, max_size=6),
    wrap=st.booleans(),
)
def test_fuzz_schema_shaped_rows_follow_the_openapi_schema(
    rows: list[dict[str, Any]], wrap: bool
) -> None:
    payload: Any = {"rows": rows} if wrap or len(rows) > 1 else rows[0]
    response = post(json.dumps(payload))
    assert_json_answer(response)
    schemas = openapi_schemas()
    valid = jsonschema.Draft7Validator(schemas["request"]).is_valid(payload)
    if response.status_code == 200:
        assert valid, payload  # nothing outside the documented schema is accepted
        answer = response.get_json()
        jsonschema.validate(answer, schemas["response"])
        assert len(answer["predictions"]) == len(rows)


@FUZZ
@given(
    body=st.binary(max_size=300),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    content_type=st.sampled_from(["application/json", "text/plain", "", "application/json; x"]),
    path=st.sampled_from(["/predict", "/health", "/schema", "/openapi.json", "/x", "/predict/"]),
)
def test_fuzz_raw_requests_never_fail(
    body: bytes, method: str, content_type: str, path: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client().open(path, method=method, data=body, headers=headers)
    assert_json_answer(response)


# --- the CLI and a real process ----------------------------------------------------------


@pytest.fixture
def model_files(tmp_path: Path) -> dict[str, Path]:
    b = bundle()
    skops_path = tmp_path / "glassbox-model.skops"
    skops_path.write_bytes(export.to_skops(b))
    joblib_path = tmp_path / "glassbox-model.joblib"
    joblib_path.write_bytes(export.to_joblib(b))
    (tmp_path / export.METADATA_FILE).write_bytes(export.metadata_json(b.metadata))
    return {"skops": skops_path, "joblib": joblib_path}


def test_real_process_answers_the_pages_curl_example(model_files: dict[str, Path]) -> None:
    port = free_port()
    command = export.serve_command(str(model_files["skops"]), port)
    proc = subprocess.Popen(
        [sys.executable, *shlex.split(command)[1:]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_healthy(proc, f"http://127.0.0.1:{port}")
        curl = export.curl_example(bundle().schema, port)
        out = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        answer = json.loads(out.stdout)
        assert answer["predictions"][0] in bundle().schema.classes
        assert set(answer["probabilities"][0]) == set(bundle().schema.classes)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_cli_refuses_pickles_unless_trusted(
    model_files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert serve.main([str(model_files["joblib"])]) == 2
    assert "is a pickle" in capsys.readouterr().err
    with caplog.at_level(logging.WARNING, logger="glassbox.serve"):
        bundle_, _ = serve.load_model_file(model_files["joblib"], trust_pickle=True)
    assert bundle_.schema == bundle().schema
    assert "serving a pickle (--trust-pickle)" in caplog.text
    (model_files["joblib"].parent / export.METADATA_FILE).unlink()
    with pytest.raises(GlassboxError, match=r"put the export's model\.json next to it"):
        serve.load_model_file(model_files["joblib"], trust_pickle=True)
    assert serve.main([str(model_files["skops"].with_name("missing.skops"))]) == 2
    assert "No model file" in capsys.readouterr().err


def test_factory_reads_the_model_path_from_the_environment(
    model_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(serve.ENV_MODEL, str(model_files["skops"]))
    monkeypatch.setenv("GLASSBOX_MAX_ROWS", "2")
    app = serve.create_app_from_env()
    response = app.test_client().post("/predict", json={"rows": [row()] * 3})
    assert response.status_code == 413
    monkeypatch.delenv(serve.ENV_MODEL)
    with pytest.raises(GlassboxError, match="GLASSBOX_MODEL"):
        serve.create_app_from_env()


def test_create_app_accepts_a_path(model_files: dict[str, Path]) -> None:
    app = serve.create_app(model_files["skops"])
    assert app.test_client().post("/predict", json=row()).status_code == 200
    with pytest.raises(GlassboxError, match="is a pickle"):
        serve.create_app(model_files["joblib"])
