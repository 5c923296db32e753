"""Linear models: their weights in the units of the raw features, and the Ridge/Lasso path."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from mllib.explain.limits import PATH_FEATURES, PATH_ROWS
from mllib.explain.rows import model_columns, sample_rows, target_scale, transform
from mllib.i18n import msg
from mllib.training import TrainedModel
from mllib.vocab import Task


@dataclass(frozen=True)
class LinearFit:
    """Coefficients of a linear model in raw units and per standard deviation of the feature.

    ``table`` columns: output, feature, label, raw, standardised. ``intercepts`` are in raw
    units per output. ``kind`` is what the equation computes: the prediction (``value``), the
    log-odds of a class (``log-odds``) or a linear SVM's score (``score``).
    """

    table: pd.DataFrame
    intercepts: dict[str, float]
    kind: Literal["value", "log-odds", "score"]
    target: str


def has_coefficients(model: TrainedModel) -> bool:
    try:
        return getattr(model.estimator, "coef_", None) is not None
    except AttributeError:  # SVC with a non-linear kernel raises on coef_
        return False


def linear_fit(model: TrainedModel, X_train: pd.DataFrame) -> LinearFit:
    """The fitted weights, converted back to the units of the raw features.

    Raw weight = model weight ÷ the scaler's SD (prediction change per unit of the feature);
    standardised weight = raw weight × the feature's SD in the training rows (change per SD),
    so the two views rank features differently when their units differ.
    """
    estimator = model.estimator
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype=float))
    intercept = np.atleast_1d(np.asarray(estimator.intercept_, dtype=float))
    if intercept.size == 1 and coef.shape[0] > 1:
        intercept = np.repeat(intercept, coef.shape[0])
    t_mean, t_scale = target_scale(model)
    coef, intercept = coef * t_scale, intercept * t_scale + t_mean
    columns = model_columns(model)
    sample = X_train.iloc[sample_rows(len(X_train), 20_000)]
    sd = transform(model, sample).std(axis=0)
    scale = np.array([c.scale for c in columns])
    mean = np.array([c.mean for c in columns])
    if model.task == Task.CLASSIFICATION:
        classes = [str(c) for c in model.classes or []]
        outputs = classes[1:] if coef.shape[0] == 1 else classes
        kind: Literal["value", "log-odds", "score"] = model.spec.output_kind
    else:
        outputs, kind = [model.config.target], "value"
    rows, intercepts = [], {}
    for k, output in enumerate(outputs):
        raw = coef[k] / scale
        intercepts[output] = float(intercept[k] - np.sum(raw * mean))
        for j, col in enumerate(columns):
            rows.append(
                {
                    "output": output,
                    "feature": col.name,
                    "label": col.label,
                    "raw": float(raw[j]),
                    "standardised": float(coef[k, j] * sd[j]),
                }
            )
    return LinearFit(pd.DataFrame(rows), intercepts, kind, model.config.target)


def coefficient_path(
    model: TrainedModel,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    n_alphas: int = 30,
    max_rows: int = PATH_ROWS,
    max_features: int = PATH_FEATURES,
) -> tuple[pd.DataFrame, str]:
    """Ridge/Lasso refitted over a log grid of α on the already-preprocessed training rows.

    Returns (table [alpha, feature, coefficient], note). Coefficients are per standard
    deviation of each (standardised) feature, so their sizes compare directly.
    """
    estimator = model.estimator
    current = float(estimator.alpha)
    alphas = np.unique(np.append(np.logspace(-4, 3, n_alphas), current))
    rows_used = sample_rows(len(X_train), max_rows, model.config.seed)
    Z = transform(model, X_train.iloc[rows_used])
    y = np.asarray(y_train.iloc[rows_used], dtype=float)
    names = [c.label for c in model_columns(model)]
    paths = np.empty((len(alphas), Z.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for i, alpha in enumerate(alphas):
            paths[i] = clone(estimator).set_params(alpha=float(alpha)).fit(Z, y).coef_
    notes = []
    if len(rows_used) < len(X_train):
        notes.append(
            msg(
                "refitted on a random {n} of {total} training rows",
                n=f"{len(rows_used):,}",
                total=f"{len(X_train):,}",
            )
        )
    keep = np.argsort(-np.abs(paths).max(axis=0))[:max_features]
    if len(keep) < Z.shape[1]:
        notes.append(msg("the {n} largest of {total} coefficients", n=len(keep), total=Z.shape[1]))
    table = pd.DataFrame(
        {
            "alpha": np.repeat(alphas, len(keep)),
            "feature": np.tile([names[j] for j in keep], len(alphas)),
            "coefficient": paths[:, keep].ravel(),
        }
    )
    if len(notes) == 2:
        return table, msg("{first}; {second}", first=notes[0], second=notes[1])
    return table, notes[0] if notes else ""
