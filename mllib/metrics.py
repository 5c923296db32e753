"""Scores as small tables: computed here, drawn elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn import metrics as skm

from mllib.i18n import N_
from mllib.vocab import Task


@dataclass(frozen=True)
class Metric:
    """One score Glassbox shows: its label, scikit-learn's scorer name (for cross-validation
    and searches), how to compute it from labels, and which direction is better.

    The label is the English name and the key of every score table; it is marked with ``N_``
    where declared and translated where it is shown."""

    label: str
    scorer: str
    function: Callable[[Any, Any], float]
    higher_is_better: bool = True


def _r2(y_true: Any, y_pred: Any) -> float:
    return float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan")


def _macro(fn: Callable[..., Any]) -> Callable[[Any, Any], float]:
    def score(y_true: Any, y_pred: Any) -> float:
        return float(fn(y_true, y_pred, average="macro", zero_division=0))

    return score


#: Every metric per task, the primary one (the leaderboard's and the searches' default) first.
METRICS: dict[Task, tuple[Metric, ...]] = {
    Task.REGRESSION: (
        Metric(N_("R²"), "r2", _r2),
        Metric(
            N_("MAE"),
            "neg_mean_absolute_error",
            lambda t, p: float(skm.mean_absolute_error(t, p)),
            higher_is_better=False,
        ),
        Metric(
            N_("RMSE"),
            "neg_root_mean_squared_error",
            lambda t, p: float(skm.root_mean_squared_error(t, p)),
            higher_is_better=False,
        ),
    ),
    Task.CLASSIFICATION: (
        Metric(N_("accuracy"), "accuracy", lambda t, p: float(skm.accuracy_score(t, p))),
        Metric(
            N_("balanced accuracy"),
            "balanced_accuracy",
            lambda t, p: float(_quiet(skm.balanced_accuracy_score, t, p)),
        ),
        Metric(N_("precision (macro)"), "precision_macro", _macro(skm.precision_score)),
        Metric(N_("recall (macro)"), "recall_macro", _macro(skm.recall_score)),
        Metric(N_("F1 (macro)"), "f1_macro", _macro(skm.f1_score)),
    ),
}


def scorers(task: Task) -> dict[str, str]:
    """Metric label → scikit-learn scorer name, for one task."""
    return {m.label: m.scorer for m in METRICS[task]}


def higher_is_better(label: str) -> bool:
    """Whether a larger value of the metric called ``label`` is better (ROC AUC too)."""
    return all(m.higher_is_better for ms in METRICS.values() for m in ms if m.label == label)


#: The score of a classifier's ranking, added by :func:`score` when it is defined.
ROC_AUC = N_("ROC AUC")
#: The headers of :func:`comparison_table` and :func:`cv_summary` (translated where shown).
TABLE_HEADERS = (
    N_("metric"),
    N_("train"),
    N_("test"),
    N_("gap"),
    N_("mean"),
    N_("std"),
    N_("folds"),
)

#: Label → scorer name per task, as :func:`scorers` gives them.
REGRESSION_METRICS = scorers(Task.REGRESSION)
CLASSIFICATION_METRICS = scorers(Task.CLASSIFICATION)
#: The metrics where lower is better (every other one: higher).
HIGHER_IS_BETTER = {m.label: False for ms in METRICS.values() for m in ms if not m.higher_is_better}


def primary_metric(task: Task) -> str:
    return METRICS[task][0].label


def score(
    task: Task, y_true: Any, y_pred: Any, scores: np.ndarray | None = None, classes: Any = None
) -> dict[str, float]:
    """Every metric for one split. ``scores`` are probabilities or decision values (for AUC)."""
    out = {m.label: m.function(y_true, y_pred) for m in METRICS[task]}
    if task == Task.REGRESSION:
        return out
    auc = roc_auc(y_true, scores, classes)
    if auc is not None:
        out[ROC_AUC] = auc
    return out


def _quiet(fn: Any, *args: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def roc_auc(y_true: Any, scores: np.ndarray | None, classes: Any) -> float | None:
    """ROC AUC when it is defined: binary from one score column, multiclass one-vs-rest."""
    if scores is None or classes is None:
        return None
    present = np.unique(y_true)
    if len(present) < 2:
        return None
    try:
        if len(classes) == 2:
            col = scores if scores.ndim == 1 else scores[:, 1]
            return float(skm.roc_auc_score(np.asarray(y_true) == classes[1], col))
        if scores.ndim == 2 and len(present) == len(classes):
            probs = as_probabilities(scores)
            return float(skm.roc_auc_score(y_true, probs, multi_class="ovr", labels=classes))
    except ValueError:
        return None
    return None


def as_probabilities(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Rows that sum to one: probabilities pass through, decision values go through softmax."""
    if scores.min() >= 0 and np.allclose(scores.sum(axis=1), 1):
        return scores
    shifted: NDArray[np.float64] = np.exp(scores - scores.max(axis=1, keepdims=True))
    totals: NDArray[np.float64] = shifted.sum(axis=1, keepdims=True)
    return shifted / totals


def comparison_table(train: dict[str, float], test: dict[str, float]) -> pd.DataFrame:
    """Train and test side by side, with the gap that reveals over-fitting."""
    rows = []
    for name, test_value in test.items():
        train_value = train.get(name, float("nan"))
        rows.append(
            {
                "metric": name,
                "train": train_value,
                "test": test_value,
                "gap": train_value - test_value,
            }
        )
    return pd.DataFrame(rows)


def cv_summary(cv_result: dict[str, np.ndarray], task: Task) -> pd.DataFrame:
    """Mean ± std for each metric from ``cross_validate`` output (negated losses flipped)."""
    rows = []
    for label, scorer in scorers(task).items():
        key = f"test_{scorer}"
        if key not in cv_result:
            continue
        values = np.asarray(cv_result[key], dtype=float)
        if scorer.startswith("neg_"):
            values = -values
        rows.append(
            {
                "metric": label,
                "mean": float(np.nanmean(values)),
                "std": float(np.nanstd(values)),
                "folds": len(values),
            }
        )
    return pd.DataFrame(rows)
