"""Scores as small tables: computed here, drawn elsewhere."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn import metrics as skm

from mllib.profile import Task

REGRESSION_METRICS = {
    "R²": "r2",
    "MAE": "neg_mean_absolute_error",
    "RMSE": "neg_root_mean_squared_error",
}
CLASSIFICATION_METRICS = {
    "accuracy": "accuracy",
    "balanced accuracy": "balanced_accuracy",
    "precision (macro)": "precision_macro",
    "recall (macro)": "recall_macro",
    "F1 (macro)": "f1_macro",
}
HIGHER_IS_BETTER = {"MAE": False, "RMSE": False}


def primary_metric(task: Task) -> str:
    return "R²" if task == Task.REGRESSION else "accuracy"


def score(
    task: Task, y_true: Any, y_pred: Any, scores: np.ndarray | None = None, classes: Any = None
) -> dict[str, float]:
    """Every metric for one split. ``scores`` are probabilities or decision values (for AUC)."""
    if task == Task.REGRESSION:
        return {
            "R²": float(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan"),
            "MAE": float(skm.mean_absolute_error(y_true, y_pred)),
            "RMSE": float(skm.root_mean_squared_error(y_true, y_pred)),
        }
    out = {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "balanced accuracy": float(_quiet(skm.balanced_accuracy_score, y_true, y_pred)),
        "precision (macro)": float(
            skm.precision_score(y_true, y_pred, average="macro", zero_division=0)
        ),
        "recall (macro)": float(skm.recall_score(y_true, y_pred, average="macro", zero_division=0)),
        "F1 (macro)": float(skm.f1_score(y_true, y_pred, average="macro", zero_division=0)),
    }
    auc = roc_auc(y_true, scores, classes)
    if auc is not None:
        out["ROC AUC"] = auc
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
    names = REGRESSION_METRICS if task == Task.REGRESSION else CLASSIFICATION_METRICS
    rows = []
    for label, scorer in names.items():
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
