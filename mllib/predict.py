"""Predict rows already checked against the schema, and say what the predictions mean.

The checks themselves (JSON rows for the service, tables for the Predict page, and their two
documented policies) are :mod:`mllib.row_checks`; the names callers use from there are
re-exported here, so ``predict.check_table`` reads as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from mllib import response
from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.pipeline import category_text
from mllib.row_checks import Checked as Checked
from mllib.row_checks import ValidationError as ValidationError
from mllib.row_checks import check_records as check_records
from mllib.row_checks import check_table as check_table
from mllib.row_checks import match_columns as match_columns
from mllib.row_checks import rows_from_payload as rows_from_payload
from mllib.schema import (
    NUMERIC,
    FeatureSchema,
)


@dataclass
class Prediction:
    """Predicted values, plus per-class probabilities (or decision scores) for classifiers."""

    values: np.ndarray
    scores: pd.DataFrame | None = None
    score_kind: str | None = None  # "probability" or "decision score"

    def records(self) -> dict[str, Any]:
        """The JSON answer: ``predictions`` and, for classifiers, ``probabilities``/``scores``."""
        out: dict[str, Any] = {"predictions": [_plain(v) for v in self.values]}
        if self.scores is not None:
            key = "probabilities" if self.score_kind == "probability" else "scores"
            labels = [str(c) for c in self.scores.columns]
            scores = self.scores.to_numpy(dtype=float)
            # Round to 6 decimals only where that means something: rounding multiplies by
            # 1e6, which turns a score of 1e303 into infinity.
            with np.errstate(over="ignore", invalid="ignore"):
                table = np.where(np.abs(scores) < 1e15, np.round(scores, 6), scores).tolist()
            out[key] = [dict(zip(labels, row, strict=True)) for row in table]
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def predict(pipeline: Pipeline, frame: pd.DataFrame) -> Prediction:
    """Predict rows already checked against the schema.

    The preprocessing runs once and feeds both the labels and the class scores (the same
    numbers ``pipeline.predict`` and ``pipeline.predict_proba`` give, at half the cost).
    """
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return _predict(pipeline, frame)
    except (ValueError, TypeError) as err:
        raise GlassboxError(msg("The model could not predict these rows: {err}", err=err)) from err


def _predict(pipeline: Pipeline, frame: pd.DataFrame) -> Prediction:
    model = pipeline.steps[-1][1]
    features = pipeline[:-1].transform(frame) if len(pipeline.steps) > 1 else frame
    values = model.predict(features)
    if not hasattr(model, "classes_"):
        return Prediction(np.asarray(values, dtype=float))
    labels = [str(c) for c in model.classes_]
    scores, kind = response.class_scores(model, features)
    if scores is None or kind is None:
        return Prediction(np.asarray(values))
    if kind == response.PROBABILITY:
        return Prediction(np.asarray(values), pd.DataFrame(scores, columns=labels), kind)
    raw = np.asarray(scores, dtype=float)
    table = pd.DataFrame(raw[:, None] if raw.ndim == 1 else raw)
    table.columns = [labels[1]] if raw.ndim == 1 else labels
    return Prediction(np.asarray(values), table, kind)


def non_finite_rows(prediction: Prediction) -> list[int]:
    """Rows whose predicted value or class scores are not finite numbers (inputs so large
    that the model's arithmetic overflowed: 1e307 on a linear SVM, 1e308 on a regression)."""
    bad = np.zeros(len(prediction.values), dtype=bool)
    if prediction.values.dtype.kind == "f":
        bad |= ~np.isfinite(prediction.values)
    if prediction.scores is not None:
        bad |= ~np.isfinite(prediction.scores.to_numpy(dtype=float)).all(axis=1)
    return [int(i) for i in np.flatnonzero(bad)]


def extreme_features(schema: FeatureSchema, frame: pd.DataFrame, rows: list[int]) -> list[str]:
    """The numeric features of ``rows`` outside their training range, largest overshoot first
    (every numeric feature when none is outside)."""
    overshoot: dict[str, float] = {}
    numeric = [f for f in schema.features if f.role == NUMERIC and f.name in frame.columns]
    for feature in numeric:
        values = pd.to_numeric(frame[feature.name].iloc[rows], errors="coerce").abs()
        lo, hi = feature.minimum, feature.maximum
        limit = max(abs(float(lo)), abs(float(hi))) if lo is not None and hi is not None else 0
        worst = float(values.max()) if values.notna().any() else 0.0
        if worst > limit:
            overshoot[feature.name] = worst / (limit or 1.0)
    if not overshoot:
        return [f.name for f in numeric]
    return sorted(overshoot, key=lambda name: -overshoot[name])


def append_predictions(table: pd.DataFrame, prediction: Prediction, target: str) -> pd.DataFrame:
    """The uploaded table with ``predicted_<target>`` and one column per class score added."""
    out = table.reset_index(drop=True).copy()
    taken = set(map(str, out.columns))

    def free(name: str) -> str:
        while name in taken:
            name += "_"
        taken.add(name)
        return name

    out[free(f"predicted_{target}")] = prediction.values
    if prediction.scores is not None:
        prefix = "P" if prediction.score_kind == "probability" else "score"
        for label in prediction.scores.columns:
            out[free(f"{prefix}({label})")] = prediction.scores[label].to_numpy()
    return out


def target_agreement(
    table: pd.DataFrame, prediction: Prediction, schema: FeatureSchema
) -> str | None:
    """When an uploaded table also holds the target, how well the predictions match it."""
    if schema.target not in table.columns:
        return None
    actual = table[schema.target].reset_index(drop=True)
    if schema.is_classifier:
        labels = actual.astype(object).map(category_text)
        known = labels.notna().to_numpy()
        if not known.any():
            return None
        hits = int((labels.to_numpy()[known] == prediction.values[known].astype(str)).sum())
        total = int(known.sum())
        return (
            f"The file has a “{schema.target}” column: the predictions match it in "
            f"{hits:,} of {total:,} rows ({hits / total:.1%})."
        )
    numbers = pd.to_numeric(actual, errors="coerce").to_numpy(dtype=float)
    known = np.isfinite(numbers)
    if not known.any():
        return None
    errors = prediction.values[known] - numbers[known]
    text = (
        f"The file has a “{schema.target}” column: mean absolute error "
        f"{np.abs(errors).mean():,.4g} over {int(known.sum()):,} rows"
    )
    spread = ((numbers[known] - numbers[known].mean()) ** 2).sum()
    if known.sum() > 1 and spread > 0:
        text += f", R² {1 - (errors**2).sum() / spread:.3f}"
    return text + "."


def class_score_table(prediction: Prediction, row: int = 0) -> pd.DataFrame:
    """One row's class scores as a tidy table, highest first (for the bar chart)."""
    if prediction.scores is None:
        return pd.DataFrame(columns=["class", "value"])
    series = prediction.scores.iloc[row]
    table = pd.DataFrame({"class": [str(c) for c in series.index], "value": series.to_numpy()})
    return table.sort_values("value", ascending=False, ignore_index=True)


def template_table(schema: FeatureSchema, rows: int = 3) -> pd.DataFrame:
    """A CSV template with the expected columns, filled with typical values."""
    example = schema.example_row()
    return pd.DataFrame([example] * rows, columns=schema.names)


def row_frame(values: Mapping[str, Any], schema: FeatureSchema) -> pd.DataFrame:
    """A one-row frame from form values, in schema order."""
    return pd.DataFrame([{name: values.get(name) for name in schema.names}], columns=schema.names)
