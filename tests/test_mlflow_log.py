"""MLflow logging: a run in a local SQLite tracking store holds the parameters, metrics, card
and a sklearn-flavour model that predicts what Glassbox predicted; MLflow stays optional."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import mlflow  # requirements-dev.txt: MLflow is optional at run time only
import numpy as np
import pytest

from mllib import export, mlflow_log
from tests.conftest import ROOT
from tests.test_export import CLS, REG, trained


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # MLflow's default artifact folder lands in tmp_path
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv(mlflow_log.ENV_URI, uri)
    monkeypatch.setenv(mlflow_log.ENV_EXPERIMENT, "glassbox-tests")
    return uri


@pytest.mark.parametrize(("algorithm", "task"), [("tree", CLS), ("svm", REG)])
def test_a_logged_run_predicts_what_glassbox_predicted(
    tracking: str, algorithm: str, task: object
) -> None:
    _, model, bundle = trained(algorithm, task)
    run_id = mlflow_log.log_bundle(bundle, export.model_card(bundle))
    mlflow.set_tracking_uri(tracking)
    run = mlflow.get_run(run_id)
    assert run.data.params["algorithm"] == algorithm
    assert run.data.params["target"] == bundle.target
    for name, value in model.test_scores.items():
        assert run.data.metrics[f"test_{mlflow_log.metric_name(name)}"] == pytest.approx(value)
    for name, value in model.train_scores.items():
        assert run.data.metrics[f"train_{mlflow_log.metric_name(name)}"] == pytest.approx(value)
    loaded = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    rows = bundle.check_rows
    got = np.asarray(loaded.predict(bundle.clean(rows)))
    want = bundle.predict(rows).values
    if task == REG:
        np.testing.assert_allclose(got, want, rtol=1e-12)
    else:
        assert got.tolist() == want.tolist()
    assert loaded.metadata.signature is not None
    assert [c["name"] for c in loaded.metadata.signature.inputs.to_dict()] == bundle.inputs[
        "columns"
    ]
    files = {a.path for a in mlflow.MlflowClient().list_artifacts(run_id)}
    assert {"model-card.md", "model.json"} <= files
    card = mlflow.artifacts.load_text(f"runs:/{run_id}/model-card.md")
    assert card == export.model_card(bundle)


def test_cross_validation_scores_are_logged(tracking: str) -> None:
    _, _, bundle = trained("ridge", REG)
    meta = bundle.metadata.to_dict()
    meta["metrics"]["cv"] = [{"metric": "R²", "mean": 0.5, "std": 0.1, "folds": 5}]
    params, metrics = mlflow_log.run_values(export.ModelMetadata.from_dict(meta))
    assert metrics["cv_R2_mean"] == 0.5 and metrics["cv_R2_std"] == 0.1
    assert mlflow_log.metric_name("F1 (macro)") == "F1_macro"
    assert params["algorithm"] == "ridge"


def test_background_logging_runs_once_per_model(tracking: str) -> None:
    _, _, bundle = trained("lasso", REG)
    thread = mlflow_log.log_in_background(bundle, "card")
    assert thread is not None
    thread.join(timeout=300)
    assert mlflow_log.log_in_background(bundle, "card") is None  # already logged
    mlflow.set_tracking_uri(tracking)
    runs = mlflow.search_runs(experiment_names=["glassbox-tests"], output_format="list")
    assert [r.data.tags["glassbox.model_key"] for r in runs] == [bundle.key]


def test_without_the_variable_nothing_is_logged_and_mlflow_is_not_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(mlflow_log.ENV_URI, raising=False)
    _, _, bundle = trained("lasso", REG)
    assert mlflow_log.log_in_background(bundle, "card") is None
    code = (
        "import sys, mllib.export, mllib.mlflow_log, mllib.training, ui.cache\n"
        "assert 'mlflow' not in sys.modules, 'mlflow imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != mlflow_log.ENV_URI}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
