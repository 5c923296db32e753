"""A one-feature model drawn over its feature: the fitted line or curve with the rows around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from mllib import response
from mllib.errors import GlassboxError
from mllib.explain.limits import BOUNDARY_SUPPORT, CURVE_POINTS, SCATTER_POINTS
from mllib.explain.rows import ModelData, padded_range, sample_rows, target_scale
from mllib.i18n import msg
from mllib.training import TrainedModel
from mllib.vocab import Task


@dataclass(frozen=True)
class CurveView:
    """A one-feature model drawn over its feature.

    ``points``: x, actual, fitted, residual, split (sampled to ``SCATTER_POINTS``).
    ``curve``: x, output, value — the prediction (regression) or each class's probability /
    decision score (classification, ``value_kind`` says which).
    ``tube``: the SVR ε half-width in target units; ``support``: x, actual of support vectors.
    """

    feature: str
    target: str
    points: pd.DataFrame
    curve: pd.DataFrame
    value_kind: Literal["prediction", "probability", "decision score"]
    n_rows: int
    tube: float | None = None
    support: pd.DataFrame | None = None
    n_support: int | None = None
    line: tuple[float, float] | None = None  # (w, b) of y = w·x + b for a linear regression


def one_numeric_feature(model: TrainedModel) -> str | None:
    """The feature name when the model uses exactly one numeric feature, else None."""
    features = model.config.features
    if len(features) == 1 and features[0] in model.plan.numeric:
        return features[0]
    return None


def curve_view(model: TrainedModel, data: ModelData, max_points: int = SCATTER_POINTS) -> CurveView:
    """The fitted line/curve of a one-feature model, with the rows around it."""
    feature = one_numeric_feature(model)
    if feature is None:
        raise GlassboxError(msg("This view needs a model with exactly one numeric feature."))
    pipe = model.pipeline
    X = pd.concat([data.X_train, data.X_test], ignore_index=True)
    y = pd.concat([data.y_train, data.y_test], ignore_index=True)
    split = np.array(["train"] * len(data.X_train) + ["test"] * len(data.X_test))
    x_all = pd.to_numeric(X[feature], errors="coerce").to_numpy(dtype=float)
    finite = x_all[np.isfinite(x_all)]
    lo, hi = padded_range(finite)
    grid = pd.DataFrame({feature: np.linspace(lo, hi, CURVE_POINTS)})
    shown = sample_rows(len(X), max_points, model.config.seed)
    fitted = pipe.predict(X.iloc[shown])
    points = pd.DataFrame(
        {"x": x_all[shown], "actual": y.iloc[shown].to_numpy(), "split": split[shown]}
    )
    tube = support = n_support = None
    if model.task == Task.REGRESSION:
        points["fitted"] = np.asarray(fitted, dtype=float)
        points["residual"] = points["actual"].astype(float) - points["fitted"]
        curve = pd.DataFrame(
            {"x": grid[feature], "output": model.config.target, "value": pipe.predict(grid)}
        )
        kind: Literal["prediction", "probability", "decision score"] = "prediction"
        estimator = model.estimator
        if hasattr(estimator, "epsilon") and model.spec.margins:
            tube = float(estimator.epsilon) * target_scale(model)[1]
        support_index = getattr(estimator, "support_", None)
        if support_index is not None:
            n_support = len(support_index)
            keep = support_index[sample_rows(n_support, BOUNDARY_SUPPORT, 1)]
            support = pd.DataFrame(
                {
                    "x": pd.to_numeric(data.X_train[feature].iloc[keep], errors="coerce"),
                    "actual": data.y_train.iloc[keep].to_numpy(dtype=float),
                }
            )
    else:
        points["fitted"] = fitted
        classes = [str(c) for c in model.classes or []]
        scores, found = response.class_scores(pipe, grid)
        if scores is None or found is None:
            raise GlassboxError(
                msg("{algorithm} gives no class scores to draw.", algorithm=msg(model.spec.name))
            )
        kind = found
        values = np.asarray(scores, dtype=float)
        if values.ndim == 1:
            values, outputs = values[:, None], classes[1:]
        elif kind == "probability" and len(classes) == 2:
            values, outputs = values[:, 1:], classes[1:]
        else:
            outputs = classes
        curve = pd.concat(
            [
                pd.DataFrame({"x": grid[feature], "output": output, "value": values[:, k]})
                for k, output in enumerate(outputs)
            ],
            ignore_index=True,
        )
    line = None
    if model.task == Task.REGRESSION and model.spec.straight_line:
        # The prediction is linear in x: two points of the curve give w and b exactly.
        x0, x1 = float(curve["x"].iloc[0]), float(curve["x"].iloc[-1])
        v0, v1 = float(curve["value"].iloc[0]), float(curve["value"].iloc[-1])
        w = (v1 - v0) / (x1 - x0) if x1 != x0 else 0.0
        line = (w, v0 - w * x0)
    return CurveView(
        feature, model.config.target, points, curve, kind, len(X), tube, support, n_support, line
    )
