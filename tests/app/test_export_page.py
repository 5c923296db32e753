"""Export & serve page: verifiable downloads, the serve snippets, and an import that never
unpickles anything."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import skops.io as sio

from mllib import export
from tests.app.helpers import assert_healthy, texts

PAGE = "pages/export.py"
FILES = [
    "glassbox-model.skops",
    "glassbox-model.joblib",
    "glassbox-model.onnx",
    "model.json",
    "model-card.md",
    "train.py",
    "glassbox-model.zip",
]


@pytest.fixture
def downloads(download_bytes: Any) -> Any:
    """``downloads(at) -> {filename: bytes}`` for every download button on the page."""

    def read(at: Any) -> dict[str, bytes]:
        return {
            button.proto.id.rsplit("download_", 1)[-1]: download_bytes(button)
            for button in at.get("download_button")
        }

    return read


def trained(app: Any, algorithm: str = "tree") -> Any:
    at = app("pages/train.py")
    at.selectbox(key="algorithm").select(algorithm).run()
    at.switch_page(PAGE).run()
    assert_healthy(at)
    return at


def workspace(at: Any) -> Any:
    return at.session_state["glassbox_workspace"]


def import_file(at: Any, name: str, raw: bytes) -> Any:
    at.file_uploader(key="import_model").set_value((name, raw, "application/octet-stream")).run()
    assert_healthy(at)
    return at


def test_without_a_model_only_the_importer_is_shown(app: Any) -> None:
    at = app(PAGE)
    ws = workspace(at)
    ws.model, ws.features = None, []  # nothing trained, nothing trainable
    at.run()
    assert_healthy(at)
    assert "Train a model first" in texts(at, "info")[0]
    assert not at.get("download_button")
    assert at.file_uploader(key="import_model") is not None


def test_opened_first_the_page_exports_a_quick_model(app: Any) -> None:
    at = app(PAGE)
    assert_healthy(at)
    assert any("No model was trained yet" in c for c in texts(at, "caption"))
    assert len(at.get("download_button")) == len(FILES)


def test_every_file_downloads_and_its_hash_is_shown(app: Any, downloads: Any) -> None:
    at = trained(app)
    files = downloads(at)
    assert sorted(files) == sorted(FILES)
    table = at.dataframe[0].value
    shown = dict(zip(table["file"], table["SHA-256"], strict=True))
    for name, content in files.items():
        assert shown[name] == hashlib.sha256(content).hexdigest(), name
    archive = zipfile.ZipFile(io.BytesIO(files["glassbox-model.zip"]))
    assert sorted(archive.namelist()) == sorted([*FILES[:-1], "SHA256SUMS"])
    assert archive.read("train.py") == files["train.py"]
    bundle, notes = export.import_model(files["glassbox-model.skops"], "glassbox-model.skops")
    assert notes == [] and bundle.metadata.algorithm.key == "tree"
    assert "# Model card: Decision tree" in files["model-card.md"].decode()


def test_serve_command_and_curl_example_are_shown(app: Any) -> None:
    at = trained(app)
    preview, *code = [c.value for c in at.code]
    assert preview.startswith("#!/usr/bin/env python3")  # train.py, shown beside the card
    assert code[0] == "python -m mllib.serve glassbox-model.skops --port 8000"
    curl = code[1]
    assert curl.startswith("curl -s -X POST http://127.0.0.1:8000/predict")
    body = json.loads(re.search(r"-d '(.*)'$", curl, re.S).group(1))
    assert set(body["rows"][0]) == set(workspace(at).model.config.features)
    answer = json.loads(code[2])
    assert answer["predictions"][0] in ("setosa", "versicolor", "virginica")
    assert "create_app_from_env" in code[3]


class MarkerPayload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("name", ["model.joblib", "model.pkl", "disguised.skops"])
def test_a_malicious_pickle_is_refused_and_never_runs(app: Any, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    at = app(PAGE)
    import_file(at, name, pickle.dumps(MarkerPayload(marker)))
    errors = texts(at, "error")
    assert errors and f"**{name}** was refused" in errors[0]
    assert "never opens uploaded pickle files" in errors[0]
    assert not marker.exists()
    assert workspace(at).imported is None


def test_a_skops_file_with_unknown_types_is_refused(app: Any) -> None:
    at = trained(app)
    bundle = export.bundle_from_model(
        workspace(at).model, workspace(at).dataset, workspace(at).profile
    )
    archive = io.BytesIO(sio.dumps(print))
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr(export.SKOPS_METADATA, json.dumps({"metadata": bundle.metadata.to_dict()}))
    import_file(at, "odd.skops", archive.getvalue())
    assert "builtins.print" in " ".join(texts(at, "error"))
    assert workspace(at).imported is None


def test_a_good_skops_file_is_imported_and_can_be_forgotten(app: Any, downloads: Any) -> None:
    at = trained(app)
    skops_file = downloads(at)["glassbox-model.skops"]
    import_file(at, "glassbox-model.skops", skops_file)
    assert any("Imported **glassbox-model.skops**" in s for s in texts(at, "success"))
    assert workspace(at).imported.title.startswith("Decision tree predicting “species”")
    at.button(key="import_forget").click().run()
    assert_healthy(at)
    assert workspace(at).imported is None


def test_a_file_from_another_scikit_learn_is_warned_or_refused(app: Any) -> None:
    import sklearn

    at = trained(app)
    bundle = export.bundle_from_model(
        workspace(at).model, workspace(at).dataset, workspace(at).profile
    )
    major, minor = (int(p) for p in sklearn.__version__.split(".")[:2])
    meta = bundle.metadata.to_dict()
    meta["versions"]["scikit-learn"] = f"{major}.{minor + 1}.0"
    newer = export.to_skops(
        export.ModelBundle(bundle.pipeline, export.ModelMetadata.from_dict(meta))
    )
    import_file(at, "newer.skops", newer)
    warning = " ".join(texts(at, "warning"))
    assert f"{major}.{minor + 1}.0" in warning and sklearn.__version__ in warning
    assert workspace(at).imported is not None
    meta["versions"]["scikit-learn"] = f"{major + 1}.0.0"
    other = export.to_skops(
        export.ModelBundle(bundle.pipeline, export.ModelMetadata.from_dict(meta))
    )
    import_file(at, "future.skops", other)
    error = " ".join(texts(at, "error"))
    assert f"scikit-learn {major + 1}.0.0" in error and sklearn.__version__ in error


def test_a_model_whose_data_changed_is_not_exported(app: Any) -> None:
    at = trained(app)
    ws = workspace(at)
    ws.dataset = ws.dataset.derive(ws.dataset.frame.head(100), "head", "kept 100 rows")
    at.run()
    assert_healthy(at)
    assert any("data changed" in w for w in texts(at, "warning"))
    assert not at.get("download_button")
    assert at.file_uploader(key="import_model") is not None  # importing still works


def test_own_code_shows_joblib_skops_and_onnx(app: Any) -> None:
    at = trained(app)
    code = " ".join(c.value for c in at.code)
    assert "joblib.load('glassbox-model.joblib')" in code
    assert "skops.io.load('glassbox-model.skops', trusted=" in code
    assert "onnxruntime.InferenceSession('glassbox-model.onnx')" in code
    assert not texts(at, "info")


def test_a_model_whose_onnx_copy_disagrees_gets_no_onnx_file_and_the_reason(
    app: Any, downloads: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mllib import onnx_export

    monkeypatch.setattr(onnx_export, "PROBABILITY_ATOL", 0.0)  # float32 never matches exactly
    at = trained(app, "logistic")
    info = " ".join(texts(at, "info"))
    assert "No `glassbox-model.onnx`" in info
    assert "class probabilities differ from scikit-learn's by up to" in info
    assert "glassbox-model.onnx" not in downloads(at)
    assert "onnxruntime" not in " ".join(c.value for c in at.code)
