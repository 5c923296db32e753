"""Model files: identical predictions after a round trip, a train.py that reproduces the scores,
and an import that refuses pickles and unknown types without running anything."""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import pickle
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from mllib import export, samples, training
from mllib.data import read_table
from mllib.errors import GlassboxError
from mllib.export import ModelBundle, ModelMetadata, bundle_from_model, import_model
from mllib.profile import Task, default_features, profile_table
from mllib.training import TrainConfig
from tests.conftest import SAMPLES

CLS, REG = Task.CLASSIFICATION, Task.REGRESSION
# Every algorithm for every task it does, on the mixed-type sample (dates, booleans, categories,
# missing values), plus settings that change which objects end up inside the file.
CASES = [
    ("logistic", CLS, {}),
    ("logistic", CLS, {"l1_ratio": 1.0, "C": 0.5}),
    ("tree", CLS, {}),
    ("tree", CLS, {"criterion": "entropy", "max_depth": None}),
    ("svm", CLS, {}),
    ("linear_svm", CLS, {}),
    ("linear", REG, {}),
    ("ridge", REG, {}),
    ("lasso", REG, {}),
    ("tree", REG, {"criterion": "absolute_error"}),
    ("svm", REG, {"kernel": "poly"}),
    ("linear_svm", REG, {}),
]


@lru_cache(maxsize=32)
def trained(algorithm: str, task: Task, params: tuple = (), sample: str = "customers"):
    dataset = samples.load_sample(sample)
    profile = profile_table(dataset.frame)
    target = {"customers": "churned" if task == CLS else "monthly_spend"}.get(
        sample, samples.SAMPLES[sample].target
    )
    features = default_features(profile, target).features
    config = TrainConfig.make(algorithm, task, target, features, dict(params))
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return dataset, model, bundle_from_model(model, dataset, profile)


def case_id(case: tuple) -> str:
    algorithm, task, params = case
    return "-".join([algorithm, task.value[:3], *(f"{k}={v}" for k, v in params.items())])


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_round_trip_gives_identical_predictions(case: tuple) -> None:
    algorithm, task, params = case
    dataset, model, bundle = trained(algorithm, task, tuple(params.items()))
    X = dataset.frame[list(model.config.features)]
    expected = bundle.predict(X)
    from_skops, notes = import_model(export.to_skops(bundle), "glassbox-model.skops")
    from_joblib = export.load_trusted_joblib(
        export.to_joblib(bundle), export.metadata_json(bundle.metadata)
    )
    assert notes == []
    for loaded in (from_skops, from_joblib):
        assert loaded.metadata == bundle.metadata
        assert loaded.schema == bundle.schema
        got = loaded.predict(X)
        np.testing.assert_array_equal(got.values, expected.values)
        if expected.scores is not None:
            np.testing.assert_array_equal(got.scores.to_numpy(), expected.scores.to_numpy())


def test_metadata_is_complete_and_plain_json() -> None:
    dataset, model, bundle = trained("tree", CLS)
    meta = bundle.metadata.to_dict()  # as written into model.json and the .skops
    json.dumps(meta, allow_nan=False)
    assert meta["task"] == "classification" and meta["target"] == "churned"
    assert meta["classes"] == ["no", "yes"]
    assert meta["hyperparameters"]["max_depth"] == 5
    assert meta["metrics"]["test"] == pytest.approx(model.test_scores)
    assert meta["training_rows"] == model.n_train
    assert meta["data"]["fingerprint"] == dataset.fingerprint
    assert meta["data"]["file"] == "customers.csv"
    assert set(meta["versions"]) >= {"scikit-learn", "numpy", "pandas", "skops", "python"}
    assert re.match(r"\d{4}-\d\d-\d\dT", meta["created"])
    assert {f["name"] for f in meta["schema"]["features"]} == set(model.config.features)
    assert meta["algorithm"]["estimator"] == "sklearn.tree.DecisionTreeClassifier"


def test_skops_metadata_is_readable_without_loading_objects() -> None:
    _, _, bundle = trained("tree", CLS)
    assert export.peek_metadata(export.to_skops(bundle)) == bundle.metadata


# --- metadata saved by earlier versions ---------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"
#: model.json and the .skops of a logistic regression on iris, written by Glassbox before the
#: metadata was typed (format version 2): files like these sit in saved projects and downloads.
SAVED_METADATA = FIXTURES / "model-metadata-v2.json"
SAVED_SKOPS = FIXTURES / "iris-logistic-v2.skops"


def saved_metadata() -> dict:
    return json.loads(SAVED_METADATA.read_text(encoding="utf-8"))


def test_saved_metadata_reads_typed_and_writes_back_byte_for_byte() -> None:
    raw = saved_metadata()
    meta = ModelMetadata.from_dict(raw)
    assert meta.algorithm.key == "logistic" and meta.algorithm.name == "Logistic regression"
    assert meta.split.test_rows == 38 and meta.split.stratified and meta.split.seed == 0
    assert meta.metrics.test["accuracy"] == raw["metrics"]["test"]["accuracy"]
    assert meta.metrics.primary == ("accuracy", raw["metrics"]["test"]["accuracy"])
    assert meta.data.file == "iris.csv" and meta.data.decimal == "."
    assert meta.classes == ["setosa", "versicolor", "virginica"]
    assert meta.decision_threshold is None and meta.extra == {}
    assert export.metadata_json(meta) == export.metadata_json(raw)  # same keys, order, values


def test_new_models_write_the_saved_layout() -> None:
    """Every key and nested record key of today's files, in the same order (free-form maps
    such as metrics and hyperparameters aside)."""

    def layout(values: dict) -> list:
        records = ("algorithm", "split", "metrics", "data")
        return [(k, list(values[k]) if k in records else None) for k in values]

    new = trained("logistic", CLS, (), "iris")[2].metadata.to_dict()
    # one key was added since the saved file: the column plan, written last (a reader that
    # does not know it keeps it as an extra key)
    plan = new.pop("column_plan")
    assert list(new).index("schema") == list(new).index("preprocessing") + 1
    assert plan == {
        "numeric": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
        "categorical": [],
        "datetime": [],
        "scale": True,
        "date_inputs": [],
        "reference": False,
    }
    assert layout(new) == layout(saved_metadata())
    assert {k: v for k, v in new.items() if k not in ("created", "versions")} == {
        k: v for k, v in saved_metadata().items() if k not in ("created", "versions")
    }


def test_a_threshold_and_keys_from_elsewhere_survive_a_round_trip() -> None:
    raw = saved_metadata()
    raw["decision_threshold"] = {"positive": "virginica", "threshold": 0.3}
    raw["note"] = {"added by": "someone else"}
    meta = ModelMetadata.from_dict(raw)
    assert meta.decision_threshold == raw["decision_threshold"]
    assert meta.to_dict() == raw


@pytest.mark.parametrize(
    "damage",
    [None, [], {"format": "other"}, {"format": "glassbox-model"}, {"split": "x"}],
    ids=["none", "list", "other-format", "no-schema", "split-not-a-record"],
)
def test_damaged_metadata_is_refused_with_a_message(damage: object) -> None:
    values = damage
    if damage == {"split": "x"}:
        values = {**saved_metadata(), "split": "x"}
    with pytest.raises(GlassboxError):
        ModelMetadata.from_dict(values)


def test_a_skops_file_saved_before_the_typed_metadata_still_loads_and_predicts() -> None:
    bundle, _ = import_model(SAVED_SKOPS.read_bytes(), SAVED_SKOPS.name)
    assert bundle.metadata == ModelMetadata.from_dict(saved_metadata())
    rows = samples.load_sample("iris").frame[list(bundle.schema.names)]
    fresh = trained("logistic", CLS, (), "iris")[2]
    np.testing.assert_array_equal(bundle.predict(rows).values, fresh.predict(rows).values)
    assert "Logistic regression" in export.model_card(bundle)
    assert "LogisticRegression(" in export.train_script(bundle)


# --- train.py ---------------------------------------------------------------------------------

SCRIPT_CASES = [
    ("tree", CLS, ()),
    ("logistic", CLS, ()),
    ("svm", CLS, ()),
    ("svm", REG, ()),
    ("lasso", REG, ()),
]


@pytest.mark.parametrize("case", SCRIPT_CASES, ids=lambda c: f"{c[0]}-{c[1].value[:3]}")
def test_generated_train_py_reproduces_the_test_metrics(case: tuple, tmp_path: Path) -> None:
    algorithm, task, params = case
    _, model, bundle = trained(algorithm, task, params)
    script = tmp_path / "train.py"
    script.write_text(export.train_script(bundle))
    (tmp_path / "customers.csv").write_bytes((SAMPLES / "customers.csv").read_bytes())
    output = run_script(script, tmp_path, "refit.joblib")
    printed = dict(re.findall(r"^test (.+?): (-?[\d.]+)", output, re.M))
    assert set(printed) == set(model.test_scores)
    for name, value in model.test_scores.items():
        assert float(printed[name]) == pytest.approx(value, abs=1e-6), name
    assert f"{model.n_train} training rows, {model.n_test} test rows" in output
    assert (tmp_path / "refit.joblib").exists()


def test_train_py_is_valid_python_that_names_its_inputs() -> None:
    _, model, bundle = trained("tree", CLS)
    text = export.train_script(bundle)
    compile(text, "train.py", "exec")
    assert not re.search(r"^(import|from) mllib", text, re.M)
    assert "DecisionTreeClassifier(max_depth=5, random_state=0)" in text
    assert f"TEST_ROWS = {model.n_test}" in text


def test_train_py_is_the_template_module_filled_in() -> None:
    """``train_template.py`` is checked Python; the download keeps its functions, copies the
    cleaning helpers in place of its mllib import and fills in every setting."""
    _, model, bundle = trained("svm", REG)
    text = export.train_script(bundle)
    tree = ast.parse(text)
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert {"build_pipeline", "read_data", "drop_bad_target_rows", "score", "main"} <= functions
    assert {"clean_features", "category_text", "parse_dates"} <= functions
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            modules.add(str(node.module).split(".")[0])
        elif isinstance(node, ast.Import):
            modules.update(a.name.split(".")[0] for a in node.names)
    standalone = {"__future__", "argparse", "sys", "warnings", "typing", "joblib"}
    assert modules <= standalone | {"numpy", "pandas", "sklearn"}
    assert "DummyClassifier" not in text and "pd.read_csv(path)" not in text
    assert "SVR(" in text and "TASK = 'regression'" in text
    assert f"TEST_ROWS = {model.n_test}" in text
    lint = subprocess.run(  # pyflakes' checks: no undefined or unused name in the download
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert lint.returncode == 0, lint.stdout


# --- safe import ------------------------------------------------------------------------------


class MarkerPayload:
    """Unpickling this creates the marker file: proof that code from the file ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def pickled(marker: Path) -> dict[str, bytes]:
    buffer = io.BytesIO()
    joblib.dump(MarkerPayload(marker), buffer, compress=3)
    return {"pickle": pickle.dumps(MarkerPayload(marker)), "joblib": buffer.getvalue()}


def test_the_marker_payload_really_runs_when_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "control"
    pickle.loads(pickled(marker)["pickle"])
    assert marker.exists()  # so its absence below means the payload never ran


@pytest.mark.parametrize("kind", ["pickle", "joblib"])
@pytest.mark.parametrize("name", ["model.joblib", "model.pkl", "model.skops", "model.bin"])
def test_malicious_pickles_are_refused_and_never_run(kind: str, name: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = pickled(marker)[kind]
    with pytest.raises(GlassboxError, match="never opens uploaded pickle"):
        import_model(data, name)
    assert not marker.exists()


class Sneaky:
    """A type no allow-list names."""


def with_pipeline(bundle: ModelBundle, pipeline: object) -> bytes:
    """A .skops of ``pipeline`` with ``bundle``'s metadata, as someone else could make one."""
    archive = io.BytesIO(sio.dumps(pipeline))
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr(export.SKOPS_METADATA, json.dumps({"metadata": bundle.metadata.to_dict()}))
    return archive.getvalue()


def test_skops_with_untrusted_types_is_refused_naming_them() -> None:
    _, _, bundle = trained("tree", CLS)
    evil = Pipeline([("run", FunctionTransformer(os.system)), ("model", bundle.pipeline)])
    with pytest.raises(GlassboxError, match=r"posix\.system|nt\.system"):
        import_model(with_pipeline(bundle, evil), "evil.skops")
    with pytest.raises(GlassboxError, match=r"tests\.test_export\.Sneaky"):
        import_model(with_pipeline(bundle, Sneaky()), "sneaky.skops")


def test_other_files_are_refused_with_reasons() -> None:
    _, _, bundle = trained("tree", CLS)
    with pytest.raises(GlassboxError, match="not a zip archive"):
        import_model(b"hello, I am a CSV\n1,2\n", "model.skops")
    with pytest.raises(GlassboxError, match=r"not a \.skops file"):
        import_model(export.to_skops(bundle), "model.zip")
    with pytest.raises(GlassboxError, match="not a Glassbox model"):
        import_model(sio.dumps(bundle.pipeline), "plain.skops")
    with pytest.raises(GlassboxError, match="does not hold a fitted scikit-learn pipeline"):
        import_model(with_pipeline(bundle, [1, 2]), "list.skops")


def with_sklearn_version(bundle: ModelBundle, version: str) -> bytes:
    meta = bundle.metadata.to_dict()
    meta["versions"]["scikit-learn"] = version
    return export.to_skops(replace(bundle, metadata=ModelMetadata.from_dict(meta)))


def test_version_check_names_both_versions() -> None:
    _, _, bundle = trained("tree", CLS)

    def saved_with(version: str | None = None) -> ModelMetadata:
        return ModelMetadata(schema={}, versions={"scikit-learn": version} if version else {})

    assert export.check_versions(saved_with("1.9.0"), running="1.9.1") == []
    minor = export.check_versions(saved_with("1.8.2"), running="1.9.1")
    assert "1.8.2" in minor[0] and "1.9.1" in minor[0]
    with pytest.raises(GlassboxError, match=r"scikit-learn 0\.24\.2.*scikit-learn 1\.9\.1"):
        export.check_versions(saved_with("0.24.2"), running="1.9.1")
    with pytest.raises(GlassboxError, match="does not say which scikit-learn"):
        export.check_versions(saved_with())
    import sklearn

    major, minor_part = (int(p) for p in sklearn.__version__.split(".")[:2])
    loaded, notes = import_model(
        with_sklearn_version(bundle, f"{major}.{minor_part + 1}.0"), "m.skops"
    )
    assert loaded.schema == bundle.schema
    assert sklearn.__version__ in notes[0] and f"{major}.{minor_part + 1}.0" in notes[0]
    with pytest.raises(GlassboxError, match=f"scikit-learn {major + 1}.0.0"):
        import_model(with_sklearn_version(bundle, f"{major + 1}.0.0"), "m.skops")


# --- card, zip, hashes, snippets ----------------------------------------------------------


def test_model_card_has_every_section() -> None:
    _, model, bundle = trained("tree", CLS)
    card = export.model_card(bundle)
    for heading in ("## Model details", "## Data", "## Metrics", "## Intended use"):
        assert heading in card
    assert "## Limitations" in card and "## Versions" in card
    assert bundle.metadata.data.fingerprint in card
    assert f"| accuracy | {model.train_scores['accuracy']:.4f} |" in card
    assert "age 18 – 81" in card  # the training range appears as a limitation


def test_model_card_guards_data_cells_but_not_negative_ranges() -> None:
    """la-riots.csv: the card's feature table read "'-118.5 – -117.7" (the formula guard's
    apostrophe) for a longitude; a category that looks like a formula keeps its guard."""
    rows = [
        f"{-118.5 + i / 100:.2f},{'=HYPERLINK(1)' if i % 2 else 'Male'},{i % 3}" for i in range(60)
    ]
    dataset = read_table(("longitude,who,y\n" + "\n".join(rows)).encode(), "riots.csv")
    profile = profile_table(dataset.frame)
    config = TrainConfig.make("tree", CLS, "y", ["longitude", "who"], {})
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    card = export.model_card(bundle_from_model(model, dataset, profile))
    longitude = next(line for line in card.splitlines() if line.startswith("| longitude |"))
    assert "| -118.5 – " in longitude and "'" not in longitude
    assert "'=HYPERLINK(1)" in next(
        line for line in card.splitlines() if line.startswith("| who |")
    )


def test_limitations_catch_imbalance_small_data_and_overfitting() -> None:
    _, _, bundle = trained("tree", CLS, (("max_depth", None),), "iris")
    meta = bundle.metadata.to_dict()
    meta["class_counts"] = {"a": 100, "b": 10}
    meta["metrics"]["train"]["accuracy"] = 1.0
    meta["metrics"]["test"]["accuracy"] = 0.7
    text = " ".join(export.limitations(ModelMetadata.from_dict(meta), bundle.schema))
    assert "imbalanced" in text and "over-fits" in text and "training rows" in text


def test_zip_holds_every_file_with_matching_sums() -> None:
    _, _, bundle = trained("tree", CLS)
    artifacts = export.export_artifacts(bundle)
    names = [a.filename for a in artifacts]
    assert names == [
        "glassbox-model.skops",
        "glassbox-model.joblib",
        "glassbox-model.onnx",
        "model.json",
        "model-card.md",
        "train.py",
        "glassbox-model.zip",
    ]
    archive = zipfile.ZipFile(io.BytesIO(artifacts[-1].data))
    sums = dict(
        reversed(line.split("  ")) for line in archive.read("SHA256SUMS").decode().splitlines()
    )
    for artifact in artifacts[:-1]:
        content = archive.read(artifact.filename)
        assert content == artifact.data
        assert hashlib.sha256(content).hexdigest() == sums[artifact.filename] == artifact.sha256
    table = export.hash_table(artifacts)
    assert list(table["SHA-256"]) == [a.sha256 for a in artifacts]


def test_large_files_are_not_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, bundle = trained("tree", CLS)
    monkeypatch.setattr(export.downloads, "MAX_DOWNLOAD_BYTES", 1000)
    artifacts = export.export_artifacts(bundle)
    assert not next(a for a in artifacts if a.filename.endswith(".skops")).downloadable


def test_joblib_is_compressed() -> None:
    _, _, bundle = trained("tree", CLS, (("max_depth", None),))
    raw = io.BytesIO()
    joblib.dump({"pipeline": bundle.pipeline}, raw)
    assert len(export.to_joblib(bundle)) < len(raw.getvalue()) / 2


def test_curl_example_quotes_the_body_for_the_shell() -> None:
    _, _, bundle = trained("tree", CLS)
    text = export.curl_example(bundle.schema, port=8123)
    assert "http://127.0.0.1:8123/predict" in text
    body = re.search(r"-d '(.*)'$", text, re.S).group(1)
    assert json.loads(body) == {"rows": [bundle.schema.example_row()]}
    assert export.serve_command() == "python -m mllib.serve glassbox-model.skops --port 8000"


def run_script(script: Path, folder: Path, model: str) -> str:
    """Run a generated train.py on customers.csv in ``folder`` without mllib; its output."""
    out = subprocess.run(
        [sys.executable, str(script), "customers.csv", "--save", model],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},  # standalone: no access to mllib
    )
    assert out.returncode == 0, out.stderr
    return out.stdout
