"""The README's "Use the model in your own code" blocks run as printed, in a bare Python
(``python -I`` from a temporary folder holding only the exported files), on data with dates,
booleans, text categories and missing values, and predict what Glassbox predicts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mllib import export, mlflow_log
from tests.conftest import ROOT, SAMPLES
from tests.test_export import CLS, trained

SECTION = "## Use the model in your own code"


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_section_shows_every_way_to_load_the_model() -> None:
    blocks = readme_blocks()
    assert len(blocks) == 5
    helper, *uses = blocks
    assert "def glassbox_rows" in helper
    for needle, block in zip(
        ["joblib.load", "skops.io.load", "onnxruntime.InferenceSession", "mlflow.pyfunc"],
        uses,
        strict=True,
    ):
        assert needle in block
    skops_block = uses[1]
    assert str(list(export.ALLOWED_TYPES)).replace("'", '"') in skops_block


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, object]:
    """The export of a tree on the customers sample, new rows, and an MLflow store."""
    _, _, bundle = trained("tree", CLS)
    by_name = {a.filename: a.data for a in export.export_artifacts(bundle)}
    for name in ("glassbox-model.joblib", "glassbox-model.skops", "glassbox-model.onnx"):
        (tmp_path / name).write_bytes(by_name[name])
    (tmp_path / "model.json").write_bytes(by_name["model.json"])
    (tmp_path / "new-rows.csv").write_bytes((SAMPLES / "customers.csv").read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(mlflow_log.ENV_URI, "sqlite:///mlflow.db")
    monkeypatch.setenv(mlflow_log.ENV_EXPERIMENT, "glassbox")
    mlflow_log.log_bundle(bundle, export.model_card(bundle))
    return tmp_path, bundle


def test_every_block_runs_in_a_bare_python_and_predicts_like_glassbox(folder: tuple) -> None:
    path, bundle = folder
    helper, *uses = readme_blocks()
    rows = pd.read_csv(SAMPLES / "customers.csv")
    want = [str(v) for v in bundle.predict(rows[bundle.schema.names]).values]
    capture = (
        "\nimport json as _json\n"
        "_got = labels.ravel() if 'labels' in dir() else "
        "(pipe if 'pipe' in dir() else model).predict("
        "glassbox_rows(pd.read_csv('new-rows.csv')))\n"
        "_json.dump([str(v) for v in _got], open('answer.json', 'w'))\n"
    )
    for i, block in enumerate(uses):
        script = path / f"block{i}.py"
        script.write_text(helper + "\n" + block + capture, encoding="utf-8")
        out = subprocess.run(
            [sys.executable, "-I", script.name],
            cwd=path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, f"block {i}:\n{block}\n{out.stderr[-3000:]}"
        assert out.stdout.strip(), block  # each block prints its predictions
        got = json.loads((path / "answer.json").read_text())
        assert got == want, f"block {i} predicts differently"
    assert np.unique(want).size == 2
