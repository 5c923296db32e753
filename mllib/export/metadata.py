"""What travels beside a model, typed: :class:`ModelMetadata` and its parts.

On disk it is plain JSON (``model.json``, the ``glassbox-model.json`` entry of a ``.skops``, the
ONNX file's ``metadata_props``), in the layout of format version 2; :meth:`ModelMetadata.to_dict`
writes exactly that layout and :meth:`ModelMetadata.from_dict` reads every file written in it,
so saved projects and exported files keep loading. Keys this version does not know are kept in
``extra`` and written back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
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

import mllib
from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.threshold import METADATA_KEY as THRESHOLD_KEY

FORMAT = "glassbox-model"
FORMAT_VERSION = 2


@dataclass(frozen=True)
class AlgorithmInfo:
    """Which algorithm: the catalogue key, its name for people and the estimator class."""

    key: str = ""
    name: str = "model"
    estimator: str = ""
    target_scaled: bool = False  # a regression target standardised inside the model


@dataclass(frozen=True)
class SplitInfo:
    """How the rows were split, so ``train.py`` can make the same split."""

    train_rows: int = 0
    test_rows: int = 0
    test_size: float = 0.25
    seed: int = 0
    stratified: bool = False
    cv_folds: int = 0
    sample_rows: int | None = None


@dataclass(frozen=True)
class ModelScores:
    """Metric name → value on the training and the test rows (``None``: undefined), and the
    cross-validation rows (metric, mean, std, folds) when it ran."""

    train: dict[str, float | None] = field(default_factory=dict)
    test: dict[str, float | None] = field(default_factory=dict)
    cv: list[dict[str, Any]] | None = None

    @property
    def primary(self) -> tuple[str, float | None] | None:
        """The first test metric (R² or accuracy), or ``None`` without any."""
        return next(iter(self.test.items()), None)


@dataclass(frozen=True)
class DataInfo:
    """The table the model was trained on, and how it was read."""

    name: str = ""
    source: str = ""
    file: str = ""
    fingerprint: str = ""
    rows: int = 0
    columns: int = 0
    file_format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    sheet: str | None = None


_PARTS: dict[str, type] = {
    "algorithm": AlgorithmInfo,
    "split": SplitInfo,
    "metrics": ModelScores,
    "data": DataInfo,
}


@dataclass(frozen=True)
class ModelMetadata:
    """Everything needed to trust, explain, serve and rebuild a model, beside the pipeline.

    ``schema`` is :meth:`mllib.schema.FeatureSchema.to_dict` (``ModelBundle.schema`` is the
    parsed one); ``inputs`` names the features cleaned as ``numeric``, ``categorical`` and
    ``dates`` and the pipeline's input ``columns``.
    """

    schema: dict[str, Any]
    created: str = ""
    task: str = ""
    target: str = ""
    classes: list[str] | None = None
    class_counts: dict[str, int] | None = None
    algorithm: AlgorithmInfo = field(default_factory=AlgorithmInfo)
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    split: SplitInfo = field(default_factory=SplitInfo)
    training_rows: int = 0
    metrics: ModelScores = field(default_factory=ModelScores)
    data: DataInfo = field(default_factory=DataInfo)
    preprocessing: list[dict[str, Any]] = field(default_factory=list)  # English, for people
    # mllib.pipeline.ColumnPlan's fields: the card says the preprocessing in any language
    column_plan: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    decision_threshold: dict[str, Any] | None = None  # see mllib.threshold; absent: default
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know

    def to_dict(self) -> dict[str, Any]:
        """The JSON layout of format version 2 (key order as Glassbox always wrote it)."""
        out: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": self.created,
            "task": self.task,
            "target": self.target,
            "classes": self.classes,
            "class_counts": self.class_counts,
            "algorithm": dataclasses.asdict(self.algorithm),
            "hyperparameters": self.hyperparameters,
            "split": dataclasses.asdict(self.split),
            "training_rows": self.training_rows,
            "metrics": dataclasses.asdict(self.metrics),
            "data": dataclasses.asdict(self.data),
            "preprocessing": self.preprocessing,
            "schema": self.schema,
            "inputs": self.inputs,
            "warnings": self.warnings,
            "versions": self.versions,
        }
        if self.column_plan:
            out["column_plan"] = self.column_plan
        if self.decision_threshold is not None:
            out[THRESHOLD_KEY] = self.decision_threshold
        document: dict[str, Any] = jsonable({**out, **self.extra})
        return document

    @classmethod
    def from_dict(cls, values: Any) -> ModelMetadata:
        """Read metadata in the format-2 layout; :class:`GlassboxError` when it is not."""
        if not isinstance(values, dict) or values.get("format") != FORMAT:
            raise GlassboxError(msg("This is not a Glassbox model: its metadata is missing."))
        if not isinstance(values.get("schema"), dict):
            raise GlassboxError(msg("The model's metadata is damaged: it has no feature schema."))
        known = {f.name for f in dataclasses.fields(cls)} - {"extra", "decision_threshold"}
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            if name in _PARTS:
                kwargs[name] = _part(_PARTS[name], value, name)
            elif name in known:
                kwargs[name] = value
        extra = {
            k: v
            for k, v in values.items()
            if k not in known and k not in ("format", "format_version", THRESHOLD_KEY)
        }
        return cls(**kwargs, decision_threshold=values.get(THRESHOLD_KEY), extra=extra)

    def with_threshold(self, entry: dict[str, Any] | None) -> ModelMetadata:
        return dataclasses.replace(
            self, decision_threshold=None if entry is None else jsonable(entry)
        )


def _part(kind: type, value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        raise GlassboxError(
            msg("The model's metadata is damaged: “{name}” is not a record.", name=name)
        )
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in value.items() if k in names})


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


def utc_text(timestamp: float) -> str:
    """A Unix time as the ISO text ``created`` holds (seconds, UTC)."""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).isoformat(timespec="seconds")


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
