"""A decision threshold for binary classifiers: where "positive" starts on the model's score.

A binary classifier scores each row (the probability of the positive class, or a decision value)
and predicts the positive class from some cut-off: 0.5 for probabilities, 0 for decision values.
Moving that cut-off trades precision for recall without refitting. Glassbox's rule, the one
``sklearn.metrics.roc_curve`` uses for its points: a row is positive when its score is **at
least** the threshold. The chosen threshold travels with the model: it is written into the
exported metadata (``decision_threshold``) and :func:`apply` relabels predictions with it on the
Predict page and in the service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mllib.errors import GlassboxError
from mllib.i18n import Message, msg

METADATA_KEY = "decision_threshold"


@dataclass(frozen=True)
class BinaryScores:
    """The test rows' scores for the positive class (``classes[1]``) and what they are."""

    truth: np.ndarray  # True where the row is the positive class
    score: np.ndarray
    positive: str
    negative: str
    kind: str  # "probability" or "decision score"

    @property
    def default(self) -> float:
        """The cut-off the model's own ``predict`` uses."""
        return 0.5 if self.kind == "probability" else 0.0

    def bounds(self) -> tuple[float, float]:
        """Slider range: [0, 1] for probabilities, the scores' range (with 0) otherwise."""
        if self.kind == "probability":
            return 0.0, 1.0
        finite = self.score[np.isfinite(self.score)]
        low = float(min(finite.min(), 0.0)) if len(finite) else -1.0
        high = float(max(finite.max(), 0.0)) if len(finite) else 1.0
        return math.floor(low * 100) / 100, math.ceil(high * 100) / 100


def binary_scores(
    y_true: Any, scores: np.ndarray | None, classes: list[Any], kind: str
) -> BinaryScores | None:
    """The positive-class scores of a two-class model's test rows (``None`` otherwise)."""
    labels = [str(c) for c in classes]
    if scores is None or len(labels) != 2:
        return None
    s = np.asarray(scores, dtype=float)
    column = s if s.ndim == 1 else s[:, -1]
    truth = np.asarray(y_true).astype(str) == labels[1]
    return BinaryScores(truth, column, labels[1], labels[0], kind)


@dataclass(frozen=True)
class OperatingPoint:
    """What one threshold does on the test rows."""

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else float("nan")

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / max(self.tp + self.fp + self.fn + self.tn, 1)

    def roc_point(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"fpr": [self.fpr], "tpr": [self.recall], "threshold": [self.threshold]}
        )

    def pr_point(self) -> pd.DataFrame:
        if math.isnan(self.precision):  # nothing predicted positive: precision undefined
            return pd.DataFrame(columns=["recall", "precision", "threshold"])
        return pd.DataFrame(
            {"recall": [self.recall], "precision": [self.precision], "threshold": [self.threshold]}
        )


def operating_point(scores: BinaryScores, threshold: float) -> OperatingPoint:
    """Confusion counts when rows scoring at least ``threshold`` are called positive."""
    called = scores.score >= threshold
    truth = scores.truth
    return OperatingPoint(
        float(threshold),
        int((called & truth).sum()),
        int((called & ~truth).sum()),
        int((~called & truth).sum()),
        int((~called & ~truth).sum()),
    )


def predictions(scores: BinaryScores, threshold: float) -> np.ndarray:
    """Class labels at ``threshold`` (positive when the score is at least it)."""
    return np.where(scores.score >= threshold, scores.positive, scores.negative).astype(object)


def metadata(scores: BinaryScores, threshold: float) -> dict[str, Any]:
    """The ``decision_threshold`` entry of an exported model's metadata."""
    return {
        "value": float(threshold),
        "positive_class": scores.positive,
        "negative_class": scores.negative,
        "score": scores.kind,
        "rule": f"predict {scores.positive} when its {scores.kind} is at least value",
    }


def describe(entry: dict[str, Any]) -> Message:
    """One line for people: "P(yes) ≥ 0.3 → yes, else no"."""
    positive, negative = entry["positive_class"], entry["negative_class"]
    value = f"{entry['value']:.4g}"
    if entry["score"] == "probability":
        return msg(
            "P({positive}) ≥ {value} → {positive}, else {negative}",
            positive=positive,
            value=value,
            negative=negative,
        )
    return msg(
        "decision score of {positive} ≥ {value} → {positive}, else {negative}",
        positive=positive,
        value=value,
        negative=negative,
    )


def apply(
    values: np.ndarray, scores: pd.DataFrame | None, entry: dict[str, Any] | None
) -> np.ndarray:
    """Relabel predicted ``values`` with a metadata ``entry`` (unchanged without one).

    ``scores`` are the prediction's class scores: probabilities per class, or the positive
    class's decision value (one column).
    """
    if not entry:
        return values
    if scores is None or str(entry["positive_class"]) not in map(str, scores.columns):
        raise GlassboxError(msg("This model's decision threshold does not match its class scores."))
    column = scores[next(c for c in scores.columns if str(c) == str(entry["positive_class"]))]
    score = column.to_numpy(dtype=float)
    labels: np.ndarray = np.where(
        score >= float(entry["value"]), entry["positive_class"], entry["negative_class"]
    )
    return labels.astype(object)
