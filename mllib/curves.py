"""Validation and learning curves: how the score moves with one hyperparameter, or with rows.

They run on the training part of the same split as searches (:class:`mllib.tuning.SplitData`)
with the same folds and scorers, through scikit-learn (``GridSearchCV`` via
:func:`mllib.tuning.evaluate`, ``learning_curve``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import learning_curve

from mllib import metrics, parallel
from mllib.catalogue import ModelSpec, Param
from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.pipeline import build_pipeline
from mllib.search_space import grid_values, tunable_params
from mllib.tuning import QUIET, SplitData, cv_splits, evaluate, metric_sign, scorer_name
from mllib.vocab import Task


def curve_params(spec: ModelSpec, task: Task, base: Mapping[str, Any]) -> list[Param]:
    """Parameters a validation curve can sweep under the current settings."""
    merged = {**spec.defaults(task), **base}
    return [p for p in tunable_params(spec, task) if p.applies(task, merged)]


def validation_curve_table(
    data: SplitData,
    base: Mapping[str, Any],
    name: str,
    *,
    values_per_param: int = 8,
    folds: int = 5,
    metric: str | None = None,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """Train and validation score against one parameter, the others held at ``base``.

    Each value gets a freshly built pipeline, so settings that change others (the logistic
    solver follows the penalty) stay valid. Columns: ``value`` (label), ``order``, ``split``,
    ``mean``, ``std``.
    """
    spec, task, seed = data.config.spec, data.task, data.config.seed
    metric = metric or metrics.primary_metric(task)
    param = next((p for p in spec.params_for(task) if p.name == name), None)
    if param is None:
        raise GlassboxError(
            msg("{algorithm} has no parameter {name!r}.", algorithm=msg(spec.name), name=name)
        )
    values = grid_values(param, values_per_param)
    settings = [spec.clean(task, {**base, name: v}) for v in values]
    splits = cv_splits(data.y_train, task, folds, seed)
    scoring, sign = scorer_name(task, metric), metric_sign(task, metric)
    results = evaluate(
        data, spec.key, settings, data.X_train, data.y_train, splits, scoring, n_jobs
    )
    rows = []
    for i, (value, scores) in enumerate(zip(values, results, strict=True)):
        for split, arr in (("train", scores.train), ("validation", scores.validation)):
            rows.append(
                {
                    "value": param.label_of(value),
                    "order": i,
                    "split": split,
                    "mean": float(np.mean(sign * arr)),
                    "std": float(np.std(sign * arr)),
                }
            )
    return pd.DataFrame(rows)


def learning_curve_table(
    data: SplitData,
    params: Mapping[str, Any],
    *,
    points: int = 6,
    folds: int = 5,
    metric: str | None = None,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """Train and validation score against the number of training rows (does more data help?).

    Columns: ``rows``, ``split``, ``mean``, ``std``. Sizes where a fit failed (too few rows for
    every class) are left out.
    """
    spec, task, seed = data.config.spec, data.task, data.config.seed
    metric = metric or metrics.primary_metric(task)
    pipe, _ = build_pipeline(spec, task, dict(params), data.profile, data.features, seed)
    splits = cv_splits(data.y_train, task, folds, seed)
    smallest_fold = min(len(tr) for tr, _ in splits)
    # Fewer rows than a few per feature (or per class) only shows a meaningless collapse.
    classes = int(data.y_train.nunique()) if task == Task.CLASSIFICATION else 1
    low = min(max(10, 3 * len(data.features), 4 * classes), smallest_fold)
    sizes = np.unique(np.linspace(low, smallest_fold, points).round().astype(int))
    with parallel.execution_backend(n_jobs), warnings.catch_warnings():
        for category in QUIET:
            warnings.simplefilter("ignore", category)
        rows_used, train_scores, val_scores = learning_curve(
            pipe,
            data.X_train,
            data.y_train,
            train_sizes=sizes,
            cv=splits,
            scoring=scorer_name(task, metric),
            shuffle=True,
            random_state=seed,
            error_score=np.nan,
        )
    sign = metric_sign(task, metric)
    rows = []
    for i, n in enumerate(rows_used):
        for split, scores in (("train", train_scores[i]), ("validation", val_scores[i])):
            arr = sign * np.asarray(scores, dtype=float)
            if np.isnan(arr).any():
                continue
            rows.append(
                {"rows": int(n), "split": split, "mean": float(arr.mean()), "std": float(arr.std())}
            )
    return pd.DataFrame(rows, columns=["rows", "split", "mean", "std"])
