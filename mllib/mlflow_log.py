"""Log every trained run to MLflow when ``GLASSBOX_MLFLOW_TRACKING_URI`` is set.

Optional at run time: ``mlflow`` is imported only when the variable is set (e.g.
``sqlite:///mlflow.db`` or ``http://mlflow-server:5000``). Each run gets the hyperparameters
and split settings as parameters, train / test / cross-validation scores as metrics, the plain
scikit-learn pipeline in MLflow's sklearn flavour with its signature and an input example
(rows as :func:`mllib.cleaning.clean_features` gives them), ``model.json`` and the model card as
artifacts. ``GLASSBOX_MLFLOW_EXPERIMENT`` names the experiment (default ``glassbox``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mllib.export.metadata import ModelMetadata

log = logging.getLogger("glassbox.mlflow")

ENV_URI = "GLASSBOX_MLFLOW_TRACKING_URI"
ENV_EXPERIMENT = "GLASSBOX_MLFLOW_EXPERIMENT"
DEFAULT_EXPERIMENT = "glassbox"
EXAMPLE_ROWS = 5
_logged: set[str] = set()
_lock = threading.Lock()


def tracking_uri() -> str | None:
    return os.environ.get(ENV_URI) or None


def metric_name(name: str) -> str:
    """MLflow allows letters, digits, ``_ - . /`` and spaces: ``R²`` → ``R2``,
    ``F1 (macro)`` → ``F1_macro``."""
    text = name.replace("²", "2").replace("±", "pm")
    text = re.sub(r"[^0-9A-Za-z_\-./ ]+", "_", text).strip("_ ")
    return re.sub(r"[_ ]+", "_", text)


def run_values(metadata: ModelMetadata) -> tuple[dict[str, Any], dict[str, float]]:
    """(parameters, metrics) of a model from its metadata."""
    params: dict[str, Any] = {
        "algorithm": metadata.algorithm.key,
        "estimator": metadata.algorithm.estimator,
        "task": metadata.task,
        "target": metadata.target,
        "features": ",".join(f["name"] for f in metadata.schema.get("features", [])),
        "data_fingerprint": metadata.data.fingerprint,
        **{f"split_{k}": v for k, v in dataclasses.asdict(metadata.split).items()},
        **{f"param_{k}": v for k, v in metadata.hyperparameters.items()},
    }
    if metadata.decision_threshold:
        params["decision_threshold"] = json.dumps(metadata.decision_threshold)
    metrics: dict[str, float] = {}
    scores = metadata.metrics
    for part, values in (("train", scores.train), ("test", scores.test)):
        for name, value in values.items():
            if value is not None:
                metrics[f"{part}_{metric_name(name)}"] = float(value)
    for row in scores.cv or []:
        base = f"cv_{metric_name(str(row.get('metric')))}"
        for stat in ("mean", "std"):
            if row.get(stat) is not None:
                metrics[f"{base}_{stat}"] = float(row[stat])
    return {k: ("" if v is None else str(v)[:500]) for k, v in params.items()}, metrics


def log_bundle(bundle: Any, card: str, uri: str | None = None) -> str:
    """Log one trained model (a :class:`mllib.export.ModelBundle`) as an MLflow run, its first
    test rows as the input example. Returns the run id."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from mllib.export import ALLOWED_TYPES

    client_uri = uri or tracking_uri()
    if not client_uri:
        raise ValueError(f"set {ENV_URI} to log runs to MLflow")
    mlflow.set_tracking_uri(client_uri)
    experiment = os.environ.get(ENV_EXPERIMENT) or DEFAULT_EXPERIMENT
    found = mlflow.get_experiment_by_name(experiment)
    experiment_id = (
        found.experiment_id if found is not None else mlflow.create_experiment(experiment)
    )
    meta = bundle.metadata
    params, metrics = run_values(meta)
    rows = bundle.check_rows[bundle.schema.names].head(EXAMPLE_ROWS)
    example = bundle.clean(rows).reset_index(drop=True)
    signature = infer_signature(example, bundle.pipeline.predict(example))
    name = f"{meta.algorithm.name} → {meta.target}"
    with mlflow.start_run(experiment_id=experiment_id, run_name=name) as run:
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
        mlflow.set_tags({"glassbox.model_key": bundle.key, "glassbox.task": meta.task})
        mlflow.sklearn.log_model(
            bundle.pipeline,
            name="model",
            signature=signature,
            input_example=example,
            # MLflow saves the sklearn flavour with skops: the types Glassbox's pipelines use
            skops_trusted_types=list(ALLOWED_TYPES),
        )
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "model-card.md").write_text(card, encoding="utf-8")
            (Path(folder) / "model.json").write_text(
                json.dumps(meta.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            mlflow.log_artifacts(folder)
        run_id: str = run.info.run_id
        return run_id


def log_in_background(bundle: Any, card: str) -> threading.Thread | None:
    """Log ``bundle`` once per model key on a daemon thread when MLflow tracking is on; a
    failure is logged, never raised into the page."""
    if not tracking_uri():
        return None
    with _lock:
        if bundle.key in _logged:
            return None
        _logged.add(bundle.key)

    def work() -> None:
        try:
            run_id = log_bundle(bundle, card)
            log.info("logged %s to MLflow run %s", bundle.title, run_id)
        except Exception:  # the dashboard keeps working when the tracking server does not
            log.exception("logging %s to MLflow failed", bundle.title)
            with _lock:
                _logged.discard(bundle.key)

    thread = threading.Thread(target=work, name="glassbox-mlflow", daemon=True)
    thread.start()
    return thread
