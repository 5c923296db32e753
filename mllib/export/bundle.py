"""A fitted pipeline and the metadata that travels beside it (:class:`ModelBundle`).

The model itself is a plain fitted scikit-learn ``Pipeline`` (:func:`mllib.pipeline.portable`:
scikit-learn, numpy and scipy objects only) that takes the cleaned feature columns
(:mod:`mllib.cleaning`) and predicts. Its metadata (feature schema, target, classes, task,
hyperparameters, metrics, data fingerprint, library versions, how to clean rows) is plain JSON,
written as ``model.json``, inside the ``.skops`` archive and into the model card.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import json
import math
import platform
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn
import skops
from sklearn.pipeline import Pipeline

import mllib
from mllib import pipeline as mlpipe
from mllib.cleaning import clean_features, input_columns
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.onnx_export import OnnxExport, export_onnx
from mllib.pipeline import portable
from mllib.predict import Prediction, predict
from mllib.profile import TableProfile
from mllib.schema import (
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    NUMERIC,
    FeatureSchema,
    build_schema,
    training_rows,
)
from mllib.threshold import METADATA_KEY as THRESHOLD_KEY
from mllib.threshold import apply as apply_threshold
from mllib.training import TrainedModel, model_rows

FORMAT = "glassbox-model"
FORMAT_VERSION = 2
MODEL_STEM = "glassbox-model"
#: The metadata entry Glassbox adds to a ``.skops`` archive, and the export zip's metadata file.
SKOPS_METADATA = "glassbox-model.json"
METADATA_FILE = "model.json"


@dataclass
class ModelBundle:
    """A fitted pipeline with its metadata: what the Predict page, files and service share.

    ``runner`` predicts instead of the pipeline when the model came from an ``.onnx`` file
    (then ``pipeline`` is ``None``); ``check_rows`` are raw test rows that exported copies
    (ONNX) are checked against.
    """

    pipeline: Pipeline | None
    metadata: dict[str, Any]
    source: str = "trained in this session"
    runner: Any = field(default=None, repr=False, compare=False)
    check_rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    schema: FeatureSchema = field(init=False)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if self.metadata.get("format") != FORMAT:
            raise GlassboxError("This is not a Glassbox model: its metadata is missing.")
        self.schema = FeatureSchema.from_dict(self.metadata["schema"])
        text = json.dumps(self.metadata, sort_keys=True, default=str)
        self.key = hashlib.sha256(text.encode()).hexdigest()[:16]  # a cheap cache key

    @property
    def task(self) -> str:
        return self.schema.task

    @property
    def target(self) -> str:
        return self.schema.target

    @property
    def algorithm(self) -> str:
        return str(self.metadata.get("algorithm", {}).get("name", "model"))

    @property
    def title(self) -> str:
        return f"{self.algorithm} predicting “{self.target}” ({self.task})"

    @property
    def inputs(self) -> dict[str, list[str]]:
        """Which features are cleaned how (:func:`mllib.cleaning.clean_features`), and the
        pipeline's input ``columns`` that gives."""
        kinds = feature_kinds(self.schema)
        return {**kinds, "columns": input_columns(self.schema.names, kinds["dates"])}

    def clean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Raw rows (feature columns) → the pipeline's input, as in training."""
        kinds = self.inputs
        return clean_features(frame, kinds["numeric"], kinds["categorical"], kinds["dates"])

    @property
    def threshold(self) -> dict[str, Any] | None:
        """The decision threshold chosen for a binary classifier (see :mod:`mllib.threshold`)."""
        return self.metadata.get(THRESHOLD_KEY)

    def with_threshold(self, entry: dict[str, Any] | None) -> ModelBundle:
        """The same model with ``entry`` as its decision threshold (``None``: the default)."""
        if entry == self.threshold:
            return self
        meta = {k: v for k, v in self.metadata.items() if k != THRESHOLD_KEY}
        if entry is not None:
            meta[THRESHOLD_KEY] = jsonable(entry)
        return ModelBundle(
            self.pipeline, meta, self.source, runner=self.runner, check_rows=self.check_rows
        )

    def predict(self, frame: pd.DataFrame) -> Prediction:
        """Predict raw rows already checked against the schema (and the chosen threshold)."""
        result = self.predict_raw(frame)
        if self.threshold:
            result.values = apply_threshold(result.values, result.scores, self.threshold)
        return result

    def predict_raw(self, frame: pd.DataFrame) -> Prediction:
        """What the model itself predicts, before any decision threshold."""
        cleaned = self.clean(frame[self.schema.names])
        if self.runner is not None:
            return self.runner.predict(cleaned)
        return predict(self.pipeline, cleaned)

    @functools.cached_property
    def onnx(self) -> OnnxExport:
        """The ``.onnx`` copy checked on :attr:`check_rows`, or why there is none (once)."""
        return export_onnx(self, self.check_rows)


def feature_kinds(schema: FeatureSchema) -> dict[str, list[str]]:
    """The cleaning each feature gets, from its role in the schema."""
    roles = {NUMERIC: "numeric", CATEGORICAL: "categorical", BOOLEAN: "categorical"}
    out: dict[str, list[str]] = {"numeric": [], "categorical": [], "dates": []}
    for feature in schema.features:
        out["dates" if feature.role == DATETIME else roles[feature.role]].append(feature.name)
    return out


def bundle_from_model(
    model: TrainedModel, dataset: Dataset, profile: TableProfile | None = None
) -> ModelBundle:
    """Wrap a freshly trained model with everything needed to trust and serve it later."""
    if model.data_fingerprint and model.data_fingerprint != dataset.fingerprint:
        raise GlassboxError(
            "The loaded data changed since this model was trained.",
            "Retrain it on the Train page before predicting or exporting.",
        )
    schema = build_schema(model, dataset.frame, profile)
    test_rows = model_rows(dataset.frame, model.config).iloc[model.test_index]
    return ModelBundle(
        portable(model.pipeline),
        build_metadata(model, dataset, schema),
        check_rows=test_rows[list(schema.names)].reset_index(drop=True),
    )


def build_metadata(model: TrainedModel, dataset: Dataset, schema: FeatureSchema) -> dict[str, Any]:
    config = model.config
    estimator = model.pipeline.named_steps["model"]
    inner = getattr(estimator, "regressor_", estimator)
    rows = training_rows(dataset.frame, model)
    class_counts = None
    if schema.is_classifier:
        labels = rows[config.target].map(mlpipe.category_text)
        class_counts = {str(k): int(v) for k, v in labels.value_counts().items()}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.fromtimestamp(model.created, dt.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "task": schema.task,
        "target": schema.target,
        "classes": list(schema.classes) if schema.classes is not None else None,
        "class_counts": class_counts,
        "algorithm": {
            "key": config.algorithm,
            "name": model.spec.name,
            "estimator": f"{public_module(type(inner))}.{type(inner).__name__}",
            "target_scaled": inner is not estimator,
        },
        "hyperparameters": config.param_dict,
        "split": {
            "train_rows": model.n_train,
            "test_rows": model.n_test,
            "test_size": config.test_size,
            "seed": config.seed,
            "stratified": schema.is_classifier,
            "cv_folds": config.cv_folds,
            "sample_rows": config.sample_rows,
        },
        "training_rows": model.n_train,
        "metrics": {
            "train": model.train_scores,
            "test": model.test_scores,
            "cv": model.cv.to_dict(orient="records") if model.cv is not None else None,
        },
        "data": {
            "name": dataset.name,
            "source": dataset.source,
            "file": data_filename(dataset),
            "fingerprint": dataset.fingerprint,
            "rows": dataset.n_rows,
            "columns": dataset.n_cols,
            "file_format": dataset.file_format,
            "encoding": dataset.encoding,
            "delimiter": dataset.delimiter,
            "decimal": dataset.decimal,
            "sheet": dataset.sheet,
        },
        "preprocessing": model.plan.describe().to_dict(orient="records"),
        "schema": schema.to_dict(),
        "inputs": {
            **feature_kinds(schema),
            "columns": input_columns(list(schema.names), list(model.plan.datetime)),
        },
        "warnings": list(model.warnings),
        "versions": library_versions(),
    }
    return jsonable(meta)


def data_filename(dataset: Dataset) -> str:
    """The file the data came from (a sample's file name, not its title)."""
    if dataset.source == "sample":
        from mllib.samples import SAMPLES

        for sample in SAMPLES.values():
            if sample.title == dataset.name:
                return sample.filename
    return dataset.name


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "skops": skops.__version__,
        "glassbox": mllib.__version__,
    }


def jsonable(value: Any) -> Any:
    """Plain JSON values only: numpy scalars unwrapped, NaN/inf become null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def public_module(cls: type) -> str:
    """``sklearn.tree`` for ``sklearn.tree._classes.DecisionTreeClassifier``."""
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        if any(p.startswith("_") for p in parts[:i]):
            break
        module = importlib.import_module(".".join(parts[:i]))
        if getattr(module, cls.__name__, None) is cls:
            return ".".join(parts[:i])
    return cls.__module__
