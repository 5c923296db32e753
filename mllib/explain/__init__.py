"""What a trained model learned, as tables: the views on the "See the model" page compute here.

Every function takes a :class:`~mllib.training.TrainedModel` (and the rows it was trained on)
and returns plain DataFrames or small dataclasses; :mod:`mllib.charts` draws them. Nothing here
refits the user's model: boundaries, curves and paths are computed with the fitted pipeline
itself. Tables meant for the browser are capped (sampled or binned) and say how many rows
they stand for, so a chart never ships more than about 5,000 marks.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import f_classif, r_regression
from sklearn.inspection import permutation_importance
from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve
from sklearn.tree import export_text

from mllib import splits
from mllib.cleaning import date_columns
from mllib.errors import GlassboxError
from mllib.pipeline import category_text
from mllib.profile import Task, parse_dates
from mllib.training import TrainedModel, model_rows

MAX_MARKS = 5_000
BOUNDARY_RESOLUTION = 60
BOUNDARY_POINTS = 600
BOUNDARY_SUPPORT = 400
CURVE_POINTS = 200
SCATTER_POINTS = 2_000
ROC_POINTS = 1_000
PERMUTATION_ROWS = 2_000
KERNEL_PERMUTATION_ROWS = 500
DEPENDENCE_ROWS = 1_000
PATH_ROWS = 5_000
PATH_FEATURES = 15
RULES_CHARS = 20_000
INFREQUENT = "infrequent_sklearn"


# --- the rows a model saw ---------------------------------------------------------------------


@dataclass(frozen=True)
class ModelData:
    """The raw feature rows and targets of both splits, in the order the model saw them."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


def model_data(model: TrainedModel, frame: pd.DataFrame) -> ModelData:
    """Rebuild the train and test rows of ``model`` from the dataset it was trained on.

    Raises :class:`GlassboxError` when ``frame`` no longer matches (the data was changed).
    """
    config = model.config
    data = model_rows(frame, config)
    features = list(config.features)
    missing = [c for c in [*features, config.target] if c not in data.columns]
    if missing or len(data) != model.n_train + model.n_test:
        raise GlassboxError(
            "The loaded data is not the data this model was trained on.",
            "Retrain the model on the Train page.",
        )
    y = data[config.target]
    if config.task == Task.CLASSIFICATION:
        y = y.map(category_text)
    train, test = model.train_index, model.test_index
    y_test = y.iloc[test]
    if not np.array_equal(np.asarray(y_test, dtype=object), np.asarray(model.y_test, dtype=object)):
        raise GlassboxError(
            "The loaded data has changed since this model was trained.",
            "Retrain the model on the Train page.",
        )
    return ModelData(
        data[features].iloc[train].reset_index(drop=True),
        y.iloc[train].reset_index(drop=True),
        data[features].iloc[test].reset_index(drop=True),
        y_test.reset_index(drop=True),
    )


def sample_rows(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Sorted positions of at most ``limit`` of ``n`` rows (all of them when they fit)."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))


# --- the columns the estimator sees -----------------------------------------------------------


@dataclass(frozen=True)
class ModelColumn:
    """One input column of the estimator and where it came from.

    ``category`` is set for one-hot columns (``region_North`` → source ``region``, category
    ``North``). ``mean``/``scale`` undo standardisation (0 and 1 when none was applied).
    """

    name: str
    source: str
    category: str | None = None
    mean: float = 0.0
    scale: float = 1.0

    @property
    def label(self) -> str:
        if self.category is None:
            return self.name
        return f"{self.source} = {category_label(self.category)}"


def category_label(category: str) -> str:
    return "a rare category" if category == INFREQUENT else category


def model_columns(model: TrainedModel) -> list[ModelColumn]:
    """The estimator's input columns, in order, with their source feature and scaling."""
    prep = model.pipeline.named_steps["prep"]
    names = [str(n) for n in prep.get_feature_names_out()]
    columns: list[ModelColumn | None] = [None] * len(names)
    for part, piece, sources in prep.transformers_:
        if part == "remainder" or piece == "drop":
            continue
        block = prep.output_indices_[part]
        scaler = getattr(piece, "named_steps", {}).get("scale")
        for offset, position in enumerate(range(block.start, block.stop)):
            name = names[position]
            if part == "cat":
                source = _one_hot_source(name, list(sources))
                category = name[len(source) + 1 :]
                columns[position] = ModelColumn(name, source, category)
            else:
                source = name
                if part == "date":
                    dates = model.plan.datetime
                    source = next((d for d in dates if name in date_columns(d)), name)
                mean, scale = 0.0, 1.0
                if scaler is not None:
                    mean, scale = float(scaler.mean_[offset]), float(scaler.scale_[offset])
                columns[position] = ModelColumn(name, source, None, mean, scale)
    return [c if c is not None else ModelColumn(n, n) for c, n in zip(columns, names, strict=True)]


def _one_hot_source(name: str, sources: list[str]) -> str:
    matches = [s for s in sources if name.startswith(f"{s}_")]
    return max(matches, key=len) if matches else name


def transform(model: TrainedModel, X: pd.DataFrame) -> np.ndarray:
    """The estimator's input for raw rows ``X``, always dense."""
    out = model.pipeline[:-1].transform(X)  # clean, then prep
    return out.toarray() if sparse.issparse(out) else np.asarray(out, dtype=float)


def _target_scale(model: TrainedModel) -> tuple[float, float]:
    """(mean, scale) that turn the estimator's output into target units (SVM regression)."""
    wrapper = model.pipeline.named_steps["model"]
    transformer = getattr(wrapper, "transformer_", None)
    if transformer is None:
        return 0.0, 1.0
    return float(transformer.mean_[0]), float(transformer.scale_[0])


# --- linear models ----------------------------------------------------------------------------


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
    t_mean, t_scale = _target_scale(model)
    coef, intercept = coef * t_scale, intercept * t_scale + t_mean
    columns = model_columns(model)
    sample = X_train.iloc[sample_rows(len(X_train), 20_000)]
    sd = transform(model, sample).std(axis=0)
    scale = np.array([c.scale for c in columns])
    mean = np.array([c.mean for c in columns])
    if model.task == Task.CLASSIFICATION:
        classes = [str(c) for c in model.classes or []]
        outputs = classes[1:] if coef.shape[0] == 1 else classes
        kind: Literal["value", "log-odds", "score"] = (
            "log-odds" if model.spec.key == "logistic" else "score"
        )
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
        notes.append(f"refitted on a random {len(rows_used):,} of {len(X_train):,} training rows")
    keep = np.argsort(-np.abs(paths).max(axis=0))[:max_features]
    if len(keep) < Z.shape[1]:
        notes.append(f"the {len(keep)} largest of {Z.shape[1]} coefficients")
    table = pd.DataFrame(
        {
            "alpha": np.repeat(alphas, len(keep)),
            "feature": np.tile([names[j] for j in keep], len(alphas)),
            "coefficient": paths[:, keep].ravel(),
        }
    )
    return table, "; ".join(notes)


# --- one feature: the fitted curve ------------------------------------------------------------


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
        raise GlassboxError("This view needs a model with exactly one numeric feature.")
    pipe = model.pipeline
    X = pd.concat([data.X_train, data.X_test], ignore_index=True)
    y = pd.concat([data.y_train, data.y_test], ignore_index=True)
    split = np.array(["train"] * len(data.X_train) + ["test"] * len(data.X_test))
    x_all = pd.to_numeric(X[feature], errors="coerce").to_numpy(dtype=float)
    finite = x_all[np.isfinite(x_all)]
    lo, hi = _padded_range(finite)
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
        if hasattr(estimator, "epsilon") and model.spec.family == "svm":
            tube = float(estimator.epsilon) * _target_scale(model)[1]
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
        if hasattr(pipe, "predict_proba"):
            values, kind = pipe.predict_proba(grid), "probability"
        else:
            values, kind = pipe.decision_function(grid), "decision score"
        values = np.asarray(values, dtype=float)
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
    if model.task == Task.REGRESSION and model.spec.family == "linear":
        # The prediction is linear in x: two points of the curve give w and b exactly.
        x0, x1 = float(curve["x"].iloc[0]), float(curve["x"].iloc[-1])
        v0, v1 = float(curve["value"].iloc[0]), float(curve["value"].iloc[-1])
        w = (v1 - v0) / (x1 - x0) if x1 != x0 else 0.0
        line = (w, v0 - w * x0)
    return CurveView(
        feature, model.config.target, points, curve, kind, len(X), tube, support, n_support, line
    )


def _padded_range(values: np.ndarray, pad: float = 0.05) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo or max(abs(lo), 1.0)
    return lo - pad * span, hi + pad * span


# --- decision trees ---------------------------------------------------------------------------


def tree_table(model: TrainedModel) -> pd.DataFrame:
    """One row per node of the fitted tree, with the gain of each split.

    ``gain`` is the textbook decrease I(t) − N_L/N_t · I(L) − N_R/N_t · I(R) (information gain
    in bits for entropy, Gini decrease, variance reduction); ``share`` is N_t/N · gain
    normalised over the tree: what ``feature_importances_`` adds up per feature (see
    :mod:`mllib.splits`). Sample counts are weighted, as scikit-learn computes them.
    """
    estimator = model.estimator
    tree = estimator.tree_
    columns = model_columns(model)
    n = tree.node_count
    left, right = tree.children_left, tree.children_right
    weights = tree.weighted_n_node_samples
    leaf = left == -1
    inner = np.flatnonzero(~leaf)
    l_idx, r_idx = left[inner], right[inner]
    parent = np.full(n, -1)
    parent[l_idx], parent[r_idx] = inner, inner
    side = np.full(n, None, dtype=object)
    side[l_idx], side[r_idx] = "left", "right"
    depth = np.zeros(n, dtype=int)
    frontier, level = np.array([0]), 0
    while frontier.size:  # level by level: vectorised even for millions of nodes
        depth[frontier] = level
        children = np.concatenate([left[frontier], right[frontier]])
        frontier, level = children[children != -1], level + 1
    gain = splits.impurity_decrease(tree.impurity, weights, left, right)
    descendants = np.zeros(n, dtype=int)
    for level in range(int(depth.max()), -1, -1):  # bottom-up, one level at a time
        nodes = inner[depth[inner] == level]
        descendants[nodes] = 2 + descendants[left[nodes]] + descendants[right[nodes]]
    used = np.where(leaf, 0, tree.feature)

    def per_split(values: list[Any], empty: Any) -> np.ndarray:
        return np.where(leaf, empty, np.asarray(values, dtype=object)[used])

    table = pd.DataFrame(
        {
            "node": np.arange(n),
            "parent": parent,
            "side": side,
            "depth": depth,
            "leaf": leaf,
            "left": left,
            "right": right,
            "feature": per_split([c.name for c in columns], None),
            "source": per_split([c.source for c in columns], None),
            "category": per_split([c.category or "" for c in columns], ""),
            "one_hot": per_split([c.category is not None for c in columns], False).astype(bool),
            "threshold": np.where(leaf, np.nan, tree.threshold),
            "impurity": tree.impurity,
            "samples": tree.n_node_samples,
            "weighted_samples": weights,
            "gain": gain,
            "share": splits.share_of_importance(gain, weights),
            "descendants": descendants,
        }
    )
    values = tree.value[:, 0, :]
    if model.task == Task.CLASSIFICATION:
        classes = np.asarray([str(c) for c in estimator.classes_], dtype=object)
        shares = values / np.maximum(values.sum(axis=1, keepdims=True), 1e-300)
        table["counts"] = list(np.round(shares * weights[:, None], 1))
        table["prediction"] = classes[shares.argmax(axis=1)]
        table["purity"] = shares.max(axis=1)
    else:
        table["prediction"] = values[:, 0]
    return table


def tree_criterion(model: TrainedModel) -> splits.Criterion:
    """How the tree's split criterion reads: impurity and gain names, unit, formula."""
    return splits.criterion(str(model.estimator.criterion))


def shown_depth(table: pd.DataFrame, wanted: int, max_nodes: int = 127) -> int:
    """The deepest level ≤ ``wanted`` whose diagram stays under ``max_nodes`` drawn nodes."""
    counts = table.groupby("depth").size().cumsum()
    depth = min(wanted, int(table["depth"].max()))
    while depth > 0 and int(counts.get(depth, counts.iloc[-1])) > max_nodes:
        depth -= 1
    return max(depth, 0)


def decision_path(model: TrainedModel, row: pd.DataFrame) -> list[int]:
    """The node ids one row passes through, root first."""
    Z = transform(model, row.iloc[:1])
    return [int(i) for i in model.estimator.decision_path(Z).indices]


def longest_path_row(model: TrainedModel, X: pd.DataFrame) -> int:
    """The first row whose path is deepest: the most telling one to follow by default."""
    if len(X) == 0:
        return 0
    depth = np.asarray(model.estimator.decision_path(transform(model, X)).sum(axis=1)).ravel()
    return int(np.argmax(depth))


def path_steps(table: pd.DataFrame, path: list[int], row: pd.DataFrame) -> pd.DataFrame:
    """The path in words: each question, this row's value, and the answer."""
    values = row.iloc[0]
    steps = []
    for node, child in itertools.pairwise(path):
        info = table.iloc[node]
        went_left = int(info["left"]) == child
        if info["one_hot"]:
            question = f"{info['source']} = {category_label(info['category'])}?"
            answer = "no" if went_left else "yes"
        else:
            question = f"{info['feature']} ≤ {info['threshold']:.4g}?"
            answer = "yes" if went_left else "no"
        steps.append(
            {
                "node": node,
                "question": question,
                "this row": display_value(values.get(info["source"])),
                "answer": answer,
            }
        )
    leaf = table.iloc[path[-1]]
    steps.append(
        {
            "node": path[-1],
            "question": "leaf: predict",
            "this row": "",
            "answer": display_value(leaf["prediction"]),
        }
    )
    return pd.DataFrame(steps)


def display_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing"
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)


def tree_rules(model: TrainedModel, max_depth: int, max_chars: int = RULES_CHARS) -> str:
    """The tree as indented if/else text (``export_text``), cut to ``max_chars``."""
    names = [c.name for c in model_columns(model)]
    text = export_text(model.estimator, feature_names=names, max_depth=max_depth, decimals=3)
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit("\n", 1)[0]
        return cut + f"\n… cut at {max_chars:,} characters; lower the depth to see all of it."
    return text


def tree_importances(model: TrainedModel) -> pd.DataFrame:
    """Impurity-based importances (the share of all gain each column earned), largest first."""
    columns = model_columns(model)
    table = pd.DataFrame(
        {
            "feature": [c.label for c in columns],
            "importance": model.estimator.feature_importances_,
        }
    )
    return table.sort_values("importance", ascending=False, ignore_index=True)


# --- decision boundary ------------------------------------------------------------------------


def boundary_axes(model: TrainedModel) -> list[str]:
    """Features that can be an axis of the boundary chart (numeric ones)."""
    return list(model.plan.numeric)


def suggest_axes(model: TrainedModel, X_train: pd.DataFrame, y_train: pd.Series) -> tuple[str, str]:
    """The two numeric features the model leans on most: tree gain or |weight per SD|; for
    models without either (kernel SVMs), the two most related to the target (ANOVA F for
    classes, |correlation| for numbers) in a sample of the training rows."""
    axes = boundary_axes(model)
    if len(axes) < 2:
        raise GlassboxError("A boundary chart needs at least two numeric features.")
    weight = pd.Series(0.0, index=axes)
    if model.spec.family == "tree":
        columns = model_columns(model)
        for col, value in zip(columns, model.estimator.feature_importances_, strict=True):
            if col.source in weight.index:
                weight[col.source] += value
    elif has_coefficients(model):
        table = linear_fit(model, X_train).table
        by_feature = table.assign(size=table["standardised"].abs()).groupby("feature")["size"]
        for name, value in by_feature.max().items():
            if name in weight.index:
                weight[name] = value
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


def category_options(X_train: pd.DataFrame, name: str, limit: int = 50) -> list[str]:
    """The most frequent categories of one feature, as the pipeline sees them (text)."""
    return [str(v) for v in X_train[name].map(category_text).value_counts().index[:limit]]


@dataclass(frozen=True)
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
        raise GlassboxError("Pick two different features for the two axes.")
    axes = boundary_axes(model)
    for name in (x, y):
        if name not in axes:
            raise GlassboxError(f"“{name}” is not a numeric feature of this model.")
    start = time.perf_counter()
    held = {**slice_defaults(model, X_train), **(fixed or {})}
    held = {k: v for k, v in held.items() if k not in (x, y)}
    xv = pd.to_numeric(X_train[x], errors="coerce").to_numpy(dtype=float)
    yv = pd.to_numeric(X_train[y], errors="coerce").to_numpy(dtype=float)
    xs = np.linspace(*_padded_range(xv[np.isfinite(xv)]), resolution)
    ys = np.linspace(*_padded_range(yv[np.isfinite(yv)]), resolution)
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
            contour_levels = (-1.0, 0.0, 1.0) if model.spec.family == "svm" else (0.0,)
            contours = contour_segments(
                xs, ys, np.asarray(decision).reshape(gx.shape), contour_levels
            )
        else:
            labels = np.asarray(pipe.predict(grid_rows), dtype=object).astype(str)
        if hasattr(pipe, "predict_proba"):
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
        x,
        y,
        grid,
        contours,
        points.dropna(),
        len(X_train),
        held,
        exact,
        kind,
        contour_levels,
        support,
        n_support,
        per_class,
        time.perf_counter() - start,
    )


def contour_segments(
    xs: np.ndarray, ys: np.ndarray, values: np.ndarray, levels: tuple[float, ...]
) -> pd.DataFrame:
    """Marching squares: line segments where ``values`` (rows along ``ys``) cross each level.

    Each cell whose corners straddle the level gets one segment between its two crossed
    edges (two for a saddle, split by the cell centre). Returns columns level, x, y, x2, y2.
    """
    frames = []
    for level in levels:
        v = values - level
        a, b = v[:-1, :-1], v[:-1, 1:]  # bottom-left, bottom-right
        d, c = v[1:, :-1], v[1:, 1:]  # top-left, top-right
        x0, x1 = xs[:-1][None, :], xs[1:][None, :]
        y0, y1 = ys[:-1][:, None], ys[1:][:, None]
        shape = a.shape

        def cross(p: np.ndarray, q: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                t = p / (p - q)
            return np.clip(np.nan_to_num(t, nan=0.5), 0, 1)

        # Crossing points on the four edges: bottom (a-b), right (b-c), top (d-c), left (a-d).
        edges = [
            (
                (a > 0) != (b > 0),
                np.broadcast_to(x0 + cross(a, b) * (x1 - x0), shape),
                np.broadcast_to(y0, shape),
            ),
            (
                (b > 0) != (c > 0),
                np.broadcast_to(x1, shape),
                np.broadcast_to(y0 + cross(b, c) * (y1 - y0), shape),
            ),
            (
                (d > 0) != (c > 0),
                np.broadcast_to(x0 + cross(d, c) * (x1 - x0), shape),
                np.broadcast_to(y1, shape),
            ),
            (
                (a > 0) != (d > 0),
                np.broadcast_to(x0, shape),
                np.broadcast_to(y0 + cross(a, d) * (y1 - y0), shape),
            ),
        ]
        crossed = np.stack([e[0] for e in edges])
        count = crossed.sum(axis=0)
        segments = []
        two = count == 2
        if two.any():
            idx = np.argwhere(two)
            first = np.argmax(crossed[:, two], axis=0)
            last = 3 - np.argmax(crossed[::-1, two], axis=0)
            segments.append(_pick(edges, idx, first, last))
        saddle = count == 4
        if saddle.any():
            idx = np.argwhere(saddle)
            centre = (a + b + c + d)[saddle] > 0
            same_as_a = centre == (a[saddle] > 0)
            # Corners unlike the centre are cut off: b and d → (0,1),(2,3); a and c → (0,3),(1,2).
            e1 = np.where(same_as_a, 0, 0), np.where(same_as_a, 1, 3)
            e2 = np.where(same_as_a, 2, 1), np.where(same_as_a, 3, 2)
            segments.append(_pick(edges, idx, *e1))
            segments.append(_pick(edges, idx, *e2))
        if segments:
            table = pd.DataFrame(np.vstack(segments), columns=["x", "y", "x2", "y2"])
            table.insert(0, "level", float(level))
            frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["level", "x", "y", "x2", "y2"])
    return pd.concat(frames, ignore_index=True)


def _pick(edges: list[Any], idx: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    rows, cols = idx[:, 0], idx[:, 1]
    ex = np.stack([e[1][rows, cols] for e in edges])
    ey = np.stack([e[2][rows, cols] for e in edges])
    k = np.arange(len(rows))
    return np.column_stack([ex[first, k], ey[first, k], ex[last, k], ey[last, k]])


# --- evaluation -------------------------------------------------------------------------------


def confusion_table(y_true: Any, y_pred: Any, classes: list[Any]) -> pd.DataFrame:
    """Every (actual, predicted) pair with its count and its share of the actual class."""
    labels = [str(c) for c in classes]
    frame = pd.DataFrame(
        {"actual": np.asarray(y_true).astype(str), "predicted": np.asarray(y_pred).astype(str)}
    )
    counts = pd.crosstab(frame["actual"], frame["predicted"]).reindex(
        index=labels, columns=labels, fill_value=0
    )
    table = counts.stack().rename("count").reset_index()
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
        fpr, tpr, thresholds = _thin(fpr, tpr, thresholds, limit=limit)
        curves.append(
            pd.DataFrame(
                {
                    "class": label,
                    "order": np.arange(len(fpr)),
                    "fpr": fpr,
                    "tpr": tpr,
                    "threshold": thresholds,
                }
            )
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
        precision, recall, thresholds = _thin(precision, recall, thresholds, limit=limit)
        curves.append(
            pd.DataFrame(
                {
                    "class": label,
                    "order": np.arange(len(recall)),
                    "recall": recall,
                    "precision": precision,
                    "threshold": thresholds,
                }
            )
        )
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
            raise GlassboxError(f"“{feature}” has no numeric values to vary.")
        grid: list[Any] = list(
            np.unique(np.quantile(numbers, np.linspace(0.02, 0.98, grid_points)))
        )
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
        means = pd.Series(prediction).groupby(value_col).mean().to_numpy()
        table = pd.DataFrame({"value": grid, "output": model.config.target, "average": means})
    else:
        classes = [str(c) for c in model.classes or []]
        if hasattr(pipe, "predict_proba"):
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
