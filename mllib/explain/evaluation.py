"""How a model does on the test rows: confusion, per-class report, ROC/PR curves, residuals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

from mllib.explain.limits import MAX_MARKS, ROC_POINTS, SCATTER_POINTS
from mllib.explain.rows import sample_rows
from mllib.i18n import N_

#: Column names of the per-class and area tables that are words (translated where shown).
WORDS = (N_("class"), N_("test rows"), N_("precision"), N_("recall"))
AREA_WORDS = (N_("average precision"), N_("base rate"))


def confusion_table(y_true: Any, y_pred: Any, classes: list[Any]) -> pd.DataFrame:
    """Every (actual, predicted) pair with its count and its share of the actual class."""
    labels = [str(c) for c in classes]
    frame = pd.DataFrame(
        {"actual": np.asarray(y_true).astype(str), "predicted": np.asarray(y_pred).astype(str)}
    )
    counts = pd.crosstab(frame["actual"], frame["predicted"]).reindex(
        index=labels, columns=labels, fill_value=0
    )
    table = counts.stack().reset_index()
    table.columns = ["actual", "predicted", "count"]
    totals = table.groupby("actual")["count"].transform("sum")
    table["share"] = np.where(totals > 0, table["count"] / totals.clip(lower=1), 0.0)
    table["count"] = table["count"].astype(int)
    return table


def class_report(confusion: pd.DataFrame) -> pd.DataFrame:
    """Per class, from a :func:`confusion_table`: test rows, precision and recall."""
    rows = []
    for label in dict.fromkeys(confusion["actual"]):
        hit = confusion[(confusion["actual"] == label) & (confusion["predicted"] == label)]
        correct = int(hit["count"].sum())
        actual = int(confusion.loc[confusion["actual"] == label, "count"].sum())
        predicted = int(confusion.loc[confusion["predicted"] == label, "count"].sum())
        rows.append(
            {
                "class": label,
                "test rows": actual,
                "precision": correct / predicted if predicted else float("nan"),
                "recall": correct / actual if actual else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _one_vs_rest(
    y_true: Any, scores: np.ndarray | None, classes: list[Any]
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class, is-that-class, score for that class) for each curve worth drawing."""
    if scores is None:
        return []
    y = np.asarray(y_true).astype(str)
    labels = [str(c) for c in classes]
    s = np.asarray(scores, dtype=float)
    if len(labels) == 2:
        column = s if s.ndim == 1 else s[:, 1]
        pairs = [(labels[1], y == labels[1], column)]
    else:
        pairs = [(label, y == label, s[:, k]) for k, label in enumerate(labels)]
    return [(label, truth, score) for label, truth, score in pairs if 0 < truth.sum() < len(truth)]


def _thin(*columns: np.ndarray, limit: int) -> list[np.ndarray]:
    """At most ``limit`` evenly spaced entries, always keeping the first and the last."""
    n = len(columns[0])
    if n <= limit:
        return list(columns)
    keep = np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return [c[keep] for c in columns]


def _curve_points(label: str, columns: dict[str, np.ndarray], limit: int) -> pd.DataFrame:
    """One curve's columns thinned to ``limit`` points, numbered in drawing ``order``."""
    thinned = _thin(*columns.values(), limit=limit)
    return pd.DataFrame(
        {
            "class": label,
            "order": np.arange(len(thinned[0])),
            **dict(zip(columns, thinned, strict=True)),
        }
    )


def _points_per_curve(max_points: int, n_curves: int) -> int:
    """Points per curve so that all curves together stay under :data:`MAX_MARKS`."""
    return max(2, min(max_points, MAX_MARKS // max(n_curves, 1)))


def roc_table(
    y_true: Any, scores: np.ndarray | None, classes: list[Any], max_points: int = ROC_POINTS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ROC curves (one-vs-rest per class; the positive class when there are two) and AUCs.

    Curve columns: class, order (the drawing order: points of equal false positive rate
    must not be re-sorted), fpr, tpr, threshold (score at or above which a row counts as
    the class; ``inf`` at the start). Straight lines between the points in ``order`` enclose
    exactly the AUC (the trapezoid rule); ``points`` in the areas table says how many points
    the full curve has, so a thinned one can say so.
    """
    curves, areas = [], []
    pairs = _one_vs_rest(y_true, scores, classes)
    limit = _points_per_curve(max_points, len(pairs))
    for label, truth, score in pairs:
        fpr, tpr, thresholds = roc_curve(truth, score)
        areas.append({"class": label, "AUC": float(auc(fpr, tpr)), "points": len(fpr)})
        curves.append(
            _curve_points(label, {"fpr": fpr, "tpr": tpr, "threshold": thresholds}, limit)
        )
    return (
        _concat(curves, ["class", "order", "fpr", "tpr", "threshold"]),
        pd.DataFrame(areas, columns=["class", "AUC", "points"]),
    )


def pr_table(
    y_true: Any, scores: np.ndarray | None, classes: list[Any], max_points: int = ROC_POINTS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision-recall curves (one-vs-rest) with average precision and the no-skill rate.

    Average precision is Σₙ (Rₙ − Rₙ₋₁) Pₙ: each step up in recall is paid at the precision
    of the threshold that first reached it. So the curve keeps, for each recall, only that
    point (the highest threshold reaching it; lower thresholds add false positives at the
    same recall and would draw a cliff at recall 1 that AP never counts), in rising recall
    from (0, 1). Drawn as a step that takes each point's precision over the recall gained
    since the previous point (Vega's ``step-before``), its area is the AP exactly.
    Columns: class, order, recall, precision, threshold (``nan`` for the (0, 1) start).
    """
    curves, areas = [], []
    pairs = _one_vs_rest(y_true, scores, classes)
    limit = _points_per_curve(max_points, len(pairs))
    for label, truth, score in pairs:
        precision, recall, thresholds = precision_recall_curve(truth, score)
        # sklearn lists points by rising threshold (falling recall) and ends with (P=1, R=0).
        thresholds = np.append(thresholds, np.nan)
        precision, recall, thresholds = precision[::-1], recall[::-1], thresholds[::-1]
        _, first = np.unique(recall, return_index=True)  # rising recall, highest threshold
        precision, recall, thresholds = precision[first], recall[first], thresholds[first]
        areas.append(
            {
                "class": label,
                "average precision": float(average_precision_score(truth, score)),
                "base rate": float(truth.mean()),
                "points": len(recall),
            }
        )
        columns = {"recall": recall, "precision": precision, "threshold": thresholds}
        curves.append(_curve_points(label, columns, limit))
    return (
        _concat(curves, ["class", "order", "recall", "precision", "threshold"]),
        pd.DataFrame(areas, columns=["class", "average precision", "base rate", "points"]),
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def regression_points(
    y_true: Any, y_pred: Any, max_points: int = SCATTER_POINTS, seed: int = 0
) -> pd.DataFrame:
    """Actual, predicted and residual for (at most ``max_points`` sampled) test rows."""
    actual = np.asarray(y_true, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    keep = sample_rows(len(actual), max_points, seed)
    return pd.DataFrame(
        {
            "actual": actual[keep],
            "predicted": predicted[keep],
            "residual": actual[keep] - predicted[keep],
        }
    )


def residual_bins(y_true: Any, y_pred: Any, bins: int = 30) -> pd.DataFrame:
    """A histogram of all residuals (actual − predicted) as bin edges and counts."""
    residual = np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)
    residual = residual[np.isfinite(residual)]
    counts, edges = np.histogram(residual, bins=bins if len(residual) else 1)
    return pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})
