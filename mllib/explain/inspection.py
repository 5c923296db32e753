"""Model-agnostic inspection: permutation importance and partial dependence."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from mllib import response
from mllib.errors import GlassboxError
from mllib.explain.limits import DEPENDENCE_ROWS, KERNEL_PERMUTATION_ROWS, PERMUTATION_ROWS
from mllib.explain.rows import category_options, sample_rows
from mllib.i18n import msg
from mllib.training import TrainedModel
from mllib.vocab import Task


def _is_kernel_svm(model: TrainedModel) -> bool:
    return getattr(model.estimator, "support_", None) is not None


def permutation_table(
    model: TrainedModel,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    n_repeats: int = 5,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """How much the test score drops when one raw feature's values are shuffled.

    Returns (table [feature, importance, std], rows used). Kernel SVMs predict slowly, so
    they get fewer rows by default.
    """
    limit = max_rows or (KERNEL_PERMUTATION_ROWS if _is_kernel_svm(model) else PERMUTATION_ROWS)
    keep = sample_rows(len(X_test), limit, model.config.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        result = permutation_importance(
            model.pipeline,
            X_test.iloc[keep],
            y_test.iloc[keep],
            n_repeats=n_repeats,
            random_state=model.config.seed,
        )
    table = pd.DataFrame(
        {
            "feature": list(X_test.columns),
            "importance": result.importances_mean,
            "std": result.importances_std,
        }
    )
    return table.sort_values("importance", ascending=False, ignore_index=True), len(keep)


def dependence_features(model: TrainedModel) -> list[str]:
    """Features partial dependence can vary: numeric and categorical ones (not dates)."""
    return [f for f in model.config.features if f not in model.plan.datetime]


def partial_dependence_table(
    model: TrainedModel,
    X: pd.DataFrame,
    feature: str,
    grid_points: int = 25,
    max_rows: int = DEPENDENCE_ROWS,
) -> tuple[pd.DataFrame, int]:
    """The average prediction when every row's ``feature`` is set to each grid value.

    Regression: the mean prediction. Classification: each class's mean probability, or the
    share of rows predicted as it when the model has no probabilities. Returns
    (table [value, output, average], rows used); ``value`` is text for categories.
    """
    keep = sample_rows(len(X), max_rows, model.config.seed)
    rows = X.iloc[keep].reset_index(drop=True)
    if feature in model.plan.numeric:
        numbers = pd.to_numeric(X[feature], errors="coerce").dropna().to_numpy(dtype=float)
        if len(numbers) == 0:
            raise GlassboxError(msg("“{feature}” has no numeric values to vary.", feature=feature))
        points = np.quantile(numbers, np.linspace(0.02, 0.98, grid_points))
        if (numbers % 1 == 0).all():  # whole numbers (counts, years) are set to whole values
            points = np.round(points)
        grid: list[Any] = list(np.unique(points))
    else:
        grid = category_options(X, feature, limit=grid_points)
    big = pd.concat([rows] * len(grid), ignore_index=True)
    big[feature] = np.repeat(np.asarray(grid, dtype=object), len(rows))
    if feature in model.plan.numeric:
        big[feature] = big[feature].astype(float)
    pipe = model.pipeline
    value_col = np.repeat(np.arange(len(grid)), len(rows))
    if model.task == Task.REGRESSION:
        prediction = np.asarray(pipe.predict(big), dtype=float)
        means: np.ndarray = pd.Series(prediction).groupby(value_col).mean().to_numpy()
        table = pd.DataFrame({"value": grid, "output": model.config.target, "average": means})
    else:
        classes = [str(c) for c in model.classes or []]
        if response.score_kind(pipe) == response.PROBABILITY:
            matrix = np.asarray(pipe.predict_proba(big), dtype=float)
        else:
            predicted = np.asarray(pipe.predict(big)).astype(str)
            matrix = (predicted[:, None] == np.asarray(classes)[None, :]).astype(float)
        means = pd.DataFrame(matrix).groupby(value_col).mean().to_numpy()
        shown = range(1, 2) if len(classes) == 2 else range(len(classes))
        table = pd.concat(
            [
                pd.DataFrame({"value": grid, "output": classes[k], "average": means[:, k]})
                for k in shown
            ],
            ignore_index=True,
        )
    if feature not in model.plan.numeric:
        table["value"] = table["value"].astype(str)
    return table, len(rows)
