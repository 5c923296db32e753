"""The decision boundary: what the model predicts over a grid of two features, others held."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.feature_selection import f_classif, r_regression

from mllib import response
from mllib.errors import GlassboxError
from mllib.explain.contours import contour_segments
from mllib.explain.limits import BOUNDARY_POINTS, BOUNDARY_RESOLUTION, BOUNDARY_SUPPORT
from mllib.explain.linear import has_coefficients, linear_fit
from mllib.explain.rows import model_columns, padded_range, sample_rows
from mllib.i18n import msg
from mllib.pipeline import category_text
from mllib.profile import parse_dates
from mllib.training import TrainedModel
from mllib.vocab import Task


def boundary_axes(model: TrainedModel) -> list[str]:
    """Features that can be an axis of the boundary chart (numeric ones)."""
    return list(model.plan.numeric)


def suggest_axes(model: TrainedModel, X_train: pd.DataFrame, y_train: pd.Series) -> tuple[str, str]:
    """The two numeric features the model leans on most: tree gain or |weight per SD|; for
    models without either (kernel SVMs), the two most related to the target (ANOVA F for
    classes, |correlation| for numbers) in a sample of the training rows."""
    axes = boundary_axes(model)
    if len(axes) < 2:
        raise GlassboxError(msg("A boundary chart needs at least two numeric features."))
    weight = pd.Series(0.0, index=axes)
    if model.spec.gain_importance:
        columns = model_columns(model)
        for col, value in zip(columns, model.estimator.feature_importances_, strict=True):
            if col.source in weight.index:
                weight[col.source] += value
    elif has_coefficients(model):
        table = linear_fit(model, X_train).table
        by_feature = table.assign(size=table["standardised"].abs()).groupby("feature")["size"]
        for name, value in by_feature.max().items():
            if name in weight.index:
                weight[str(name)] = value
    else:
        keep = sample_rows(len(X_train), 5_000, model.config.seed)
        X = X_train.iloc[keep][axes].apply(pd.to_numeric, errors="coerce")
        X = X.fillna(X.median()).fillna(0.0)
        y = y_train.iloc[keep]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if model.task == Task.CLASSIFICATION:
                scores = f_classif(X, y.astype(str))[0]
            else:
                scores = np.abs(r_regression(X, y.astype(float)))
        weight[:] = np.nan_to_num(scores)
    top_two = sorted(axes, key=lambda name: -weight[name])[:2]  # stable: ties keep order
    first, second = sorted(top_two, key=axes.index)  # the table's own order reads naturally
    return first, second


def slice_defaults(model: TrainedModel, X_train: pd.DataFrame) -> dict[str, Any]:
    """Where the features off the chart are held: median (numbers, dates) or mode (categories)."""
    values: dict[str, Any] = {}
    for name in model.config.features:
        column = X_train[name]
        if name in model.plan.numeric:
            numbers = pd.to_numeric(column, errors="coerce")
            median = numbers.median()
            values[name] = float(f"{median:.6g}") if pd.notna(median) else 0.0
        elif name in model.plan.datetime:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dates = parse_dates(column).dropna()
            values[name] = (
                str(dates.sort_values().iloc[len(dates) // 2].date()) if len(dates) else ""
            )
        else:
            texts = column.map(category_text).dropna()
            values[name] = str(texts.mode().iloc[0]) if len(texts) else ""
    return values


@dataclass(frozen=True, kw_only=True)  # 14 fields: built by name, never by position
class Boundary:
    """What the trained model predicts over a grid of two features, others held fixed.

    ``grid``: x, x2, y, y2, label (class or predicted value), strength in [0, 1] (how sure).
    ``contours``: level, x, y, x2, y2 line segments of the decision function (0 = boundary,
    ±1 = SVM margins). ``points``: x, y, label of (sampled) training rows; ``support``: x, y,
    label of the support vectors drawn (all when ``n_support`` fits under the cap).
    """

    x: str
    y: str
    grid: pd.DataFrame
    contours: pd.DataFrame
    points: pd.DataFrame
    n_train: int
    fixed: dict[str, Any]
    exact: bool
    value_kind: Literal["class", "value"]
    levels: tuple[float, ...] = ()
    support: pd.DataFrame | None = None
    n_support: int | None = None
    support_per_class: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def marks(self) -> int:
        support = 0 if self.support is None else len(self.support)
        return len(self.grid) + len(self.contours) + len(self.points) + support


def decision_boundary(
    model: TrainedModel,
    X_train: pd.DataFrame,
    y_train: pd.Series,
    x: str,
    y: str,
    fixed: dict[str, Any] | None = None,
    resolution: int = BOUNDARY_RESOLUTION,
    max_points: int = BOUNDARY_POINTS,
    max_support: int = BOUNDARY_SUPPORT,
) -> Boundary:
    """Predict with the trained pipeline over a ``resolution``² grid of features ``x`` and ``y``.

    Exact when the model has only these two features; otherwise a slice through the feature
    space at ``fixed`` (defaults: :func:`slice_defaults`). Binary classifiers with a decision
    function also get contour segments: level 0 (the boundary) and, for SVMs, ±1 (margins).
    """
    if x == y:
        raise GlassboxError(msg("Pick two different features for the two axes."))
    axes = boundary_axes(model)
    for name in (x, y):
        if name not in axes:
            raise GlassboxError(msg("“{name}” is not a numeric feature of this model.", name=name))
    start = time.perf_counter()
    held = {**slice_defaults(model, X_train), **(fixed or {})}
    held = {k: v for k, v in held.items() if k not in (x, y)}
    xv = pd.to_numeric(X_train[x], errors="coerce").to_numpy(dtype=float)
    yv = pd.to_numeric(X_train[y], errors="coerce").to_numpy(dtype=float)
    xs = np.linspace(*padded_range(xv[np.isfinite(xv)]), resolution)
    ys = np.linspace(*padded_range(yv[np.isfinite(yv)]), resolution)
    gx, gy = np.meshgrid(xs, ys)  # row r = ys[r], column c = xs[c]
    grid_rows = pd.DataFrame({x: gx.ravel(), y: gy.ravel()})
    for name, value in held.items():
        grid_rows[name] = value
    grid_rows = grid_rows[list(model.config.features)]
    pipe = model.pipeline
    classification = model.task == Task.CLASSIFICATION
    contour_levels: tuple[float, ...] = ()
    contours = pd.DataFrame(columns=["level", "x", "y", "x2", "y2"])
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    if classification:
        classes = np.asarray([str(c) for c in model.classes or []], dtype=object)
        decision = pipe.decision_function(grid_rows) if hasattr(pipe, "decision_function") else None
        if decision is not None and np.ndim(decision) == 1:
            labels = classes[(np.asarray(decision) > 0).astype(int)]
            contour_levels = (-1.0, 0.0, 1.0) if model.spec.margins else (0.0,)
            contours = contour_segments(
                xs, ys, np.asarray(decision).reshape(gx.shape), contour_levels
            )
        else:
            labels = np.asarray(pipe.predict(grid_rows), dtype=object).astype(str)
        if response.score_kind(pipe) == response.PROBABILITY:
            proba = np.asarray(pipe.predict_proba(grid_rows))
            k = proba.shape[1]
            strength = (proba.max(axis=1) - 1 / k) / (1 - 1 / k)
        elif decision is not None:
            d = np.asarray(decision)
            margin = (
                np.abs(d) if d.ndim == 1 else np.sort(d, axis=1)[:, -1] - np.sort(d, axis=1)[:, -2]
            )
            strength = np.clip(margin, 0, 2) / 2
        else:
            strength = np.ones(len(labels))
        kind: Literal["class", "value"] = "class"
        grid = pd.DataFrame({"label": labels, "strength": np.round(strength, 3)})
    else:
        kind = "value"
        grid = pd.DataFrame({"label": np.asarray(pipe.predict(grid_rows), dtype=float)})
        grid["strength"] = 1.0
    grid.insert(0, "y2", (gy + dy).ravel())
    grid.insert(0, "y", (gy - dy).ravel())
    grid.insert(0, "x2", (gx + dx).ravel())
    grid.insert(0, "x", (gx - dx).ravel())
    shown = sample_rows(len(X_train), max_points, model.config.seed)
    points = pd.DataFrame({"x": xv[shown], "y": yv[shown], "label": y_train.iloc[shown].to_numpy()})
    support = n_support = None
    per_class: dict[str, int] = {}
    support_index = getattr(model.estimator, "support_", None)
    if support_index is not None:
        n_support = len(support_index)
        keep = support_index[sample_rows(n_support, max_support, 1)]
        support = pd.DataFrame(
            {"x": xv[keep], "y": yv[keep], "label": y_train.iloc[keep].to_numpy()}
        )
        if classification:
            counts = np.asarray(model.estimator.n_support_)
            per_class = {
                str(c): int(n) for c, n in zip(model.estimator.classes_, counts, strict=True)
            }
    exact = set(model.config.features) == {x, y}
    return Boundary(
        x=x,
        y=y,
        grid=grid,
        contours=contours,
        points=points.dropna(),
        n_train=len(X_train),
        fixed=held,
        exact=exact,
        value_kind=kind,
        levels=contour_levels,
        support=support,
        n_support=n_support,
        support_per_class=per_class,
        seconds=time.perf_counter() - start,
    )
