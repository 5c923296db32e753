"""Exported models load and predict in a bare Python: ``python -I`` from a temporary folder, with
scikit-learn, pandas and skops installed but no Glassbox code importable, for every algorithm
in the catalogue, on data with text categories, booleans, missing values and dates."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mllib import export
from mllib.catalogue import CATALOGUE
from mllib.profile import Task
from tests.conftest import SAMPLES
from tests.test_export import trained

EVERY_ALGORITHM = [
    (key, task) for key, spec in CATALOGUE.items() for task in sorted(spec.tasks, key=str)
]

# Runs each model's usage code (the model card's snippet) and saves what it predicted.
DRIVER = """
import json, sys
try:
    import mllib
except ModuleNotFoundError:
    pass
else:
    sys.exit("mllib is importable: this is not a bare Python")
out = {}
for name, code in json.load(open("cases.json")).items():
    scope = {}
    exec(code, scope)
    if "session" in scope:  # ONNX Runtime
        answer = {"predictions": scope["labels"].ravel().tolist(), "type": "onnx"}
        if scope["scores"]:
            answer["probabilities"] = scope["scores"][0].tolist()
        out[name] = answer
        continue
    pipe, table = scope["pipe"], scope["table"]
    X = table[list(pipe.feature_names_in_)]
    answer = {"predictions": pipe.predict(X).tolist(), "type": type(pipe).__module__}
    if hasattr(pipe, "predict_proba"):
        answer["probabilities"] = pipe.predict_proba(X).tolist()
    out[name] = answer
assert not [m for m in sys.modules if m.split(".")[0] == "mllib"]
json.dump(out, open("answers.json", "w"))
"""


def run_bare(folder: Path, cases: dict[str, str]) -> dict[str, dict]:
    (folder / "cases.json").write_text(json.dumps(cases))
    (folder / "driver.py").write_text(DRIVER)
    out = subprocess.run(
        [sys.executable, "-I", "driver.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads((folder / "answers.json").read_text())


def test_every_algorithm_loads_and_predicts_in_a_bare_python(tmp_path: Path) -> None:
    rows = pd.read_csv(SAMPLES / "customers.csv")
    assert rows.isna().any().any() and rows["region"].dtype != float  # holes, text categories
    (tmp_path / "new-rows.csv").write_bytes((SAMPLES / "customers.csv").read_bytes())
    cases, expected = {}, {}
    for key, task in EVERY_ALGORITHM:
        _, _, bundle = trained(key, task)
        assert bundle.inputs["dates"] == ["signup_date"]
        stem = f"{key}-{task.value}"
        (tmp_path / f"{stem}.joblib").write_bytes(export.to_joblib(bundle))
        (tmp_path / f"{stem}.skops").write_bytes(export.to_skops(bundle))
        loaders = ["joblib", "skops"]
        if bundle.onnx.ok:
            (tmp_path / f"{stem}.onnx").write_bytes(bundle.onnx.data)
            loaders.append("onnx")
        for loader in loaders:
            cases[f"{stem}.{loader}"] = export.usage_code(bundle, loader, f"{stem}.{loader}")
        expected[stem] = bundle.predict(rows[bundle.schema.names])
    answers = run_bare(tmp_path, cases)
    assert sum(name.endswith(".onnx") for name in answers) >= len(EVERY_ALGORITHM) - 1
    for name, answer in answers.items():
        want = expected[name.rsplit(".", 1)[0]]
        if name.endswith(".onnx"):
            assert_onnx_agrees(answer, want)
            continue
        assert answer["type"] == "sklearn.pipeline"
        if want.values.dtype.kind == "f":
            np.testing.assert_allclose(answer["predictions"], want.values, rtol=1e-12)
        else:
            assert answer["predictions"] == want.values.tolist(), name
        if want.score_kind == "probability":
            np.testing.assert_allclose(answer["probabilities"], want.scores.to_numpy(), atol=1e-12)
    assert len(answers) == len(cases)


def assert_onnx_agrees(answer: dict, want: object) -> None:
    """ONNX Runtime computes in float32: the tolerances the Export page checks."""
    if want.values.dtype.kind == "f":
        np.testing.assert_allclose(answer["predictions"], want.values, rtol=1e-5)
    else:
        assert answer["predictions"] == [str(v) for v in want.values]
    if want.score_kind == "probability":
        np.testing.assert_allclose(answer["probabilities"], want.scores.to_numpy(), atol=1e-4)


def test_a_table_without_dates_predicts_straight_from_read_csv(tmp_path: Path) -> None:
    _, _, bundle = trained("logistic", Task.CLASSIFICATION, (), "iris")
    (tmp_path / "iris.joblib").write_bytes(export.to_joblib(bundle))
    (tmp_path / "new-rows.csv").write_bytes((SAMPLES / "iris.csv").read_bytes())
    code = (
        "import joblib, pandas as pd\n"
        "pipe = joblib.load('iris.joblib')\n"
        "table = pd.read_csv('new-rows.csv')\n"
    )
    answer = run_bare(tmp_path, {"iris": code})["iris"]
    rows = pd.read_csv(SAMPLES / "iris.csv")
    assert answer["predictions"] == bundle.predict(rows[bundle.schema.names]).values.tolist()


def test_the_exported_files_name_no_glassbox_type() -> None:
    _, _, bundle = trained("tree", Task.CLASSIFICATION)
    skops_file = zipfile.ZipFile(io.BytesIO(export.to_skops(bundle)))
    schema = skops_file.read("schema.json").decode()
    assert "mllib" not in schema
    modules = set(_modules(json.loads(schema)))
    assert {m.split(".")[0] for m in modules} <= {"sklearn", "numpy", "builtins", "scipy"}


def _modules(node: object) -> list[str]:
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__module__" in item:
                out.append(str(item["__module__"]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


@pytest.mark.parametrize(
    ("algorithm", "task"), [("tree", Task.CLASSIFICATION), ("svm", Task.REGRESSION)]
)
def test_the_model_train_py_saves_loads_in_a_bare_python(
    algorithm: str, task: Task, tmp_path: Path
) -> None:
    _, _, bundle = trained(algorithm, task)
    (tmp_path / "train.py").write_text(export.train_script(bundle))
    (tmp_path / "customers.csv").write_bytes((SAMPLES / "customers.csv").read_bytes())
    fit = subprocess.run(
        [sys.executable, "-I", "train.py", "customers.csv", "--save", "refit.joblib"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fit.returncode == 0, fit.stderr[-3000:]
    code = export.usage_code(bundle, "joblib", "refit.joblib", "customers.csv")
    answer = run_bare(tmp_path, {"refit": code})["refit"]
    rows = pd.read_csv(SAMPLES / "customers.csv")
    want = bundle.predict(rows[bundle.schema.names]).values
    if task == Task.REGRESSION:
        np.testing.assert_allclose(answer["predictions"], want, rtol=1e-9)
    else:
        assert answer["predictions"] == want.tolist()
