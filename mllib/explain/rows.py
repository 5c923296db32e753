"""The rows a model saw and the columns its estimator sees, shared by every explanation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from mllib.cleaning import date_columns
from mllib.errors import GlassboxError
from mllib.i18n import N_, Translator, msg
from mllib.pipeline import category_text
from mllib.training import TrainedModel, model_rows
from mllib.vocab import Task

INFREQUENT = "infrequent_sklearn"
#: What the categories scikit-learn groups as infrequent are called where they are shown.
RARE_CATEGORY = N_("a rare category")


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
            msg("The loaded data is not the data this model was trained on."),
            msg("Retrain the model on the Train page."),
        )
    y = data[config.target]
    if config.task == Task.CLASSIFICATION:
        y = y.map(category_text)
    train, test = model.train_index, model.test_index
    y_test = y.iloc[test]
    if not np.array_equal(np.asarray(y_test, dtype=object), np.asarray(model.y_test, dtype=object)):
        raise GlassboxError(
            msg("The loaded data has changed since this model was trained."),
            msg("Retrain the model on the Train page."),
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


def category_label(category: str, tr: Translator | None = None) -> str:
    """A one-hot column's category as shown: scikit-learn's infrequent group gets a name (in
    ``tr``'s language when given); a real category is data and stays as it is."""
    if category != INFREQUENT:
        return category
    return tr.text(RARE_CATEGORY) if tr is not None else RARE_CATEGORY


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
    if sparse.issparse(out):  # one-hot columns can make it sparse
        # scipy-stubs narrow issparse() to SparseABC, which declares no toarray()
        dense: np.ndarray = out.toarray()  # type: ignore[attr-defined]
        return dense
    return np.asarray(out, dtype=float)


def target_scale(model: TrainedModel) -> tuple[float, float]:
    """(mean, scale) that turn the estimator's output into target units (SVM regression)."""
    wrapper = model.pipeline.named_steps["model"]
    transformer = getattr(wrapper, "transformer_", None)
    if transformer is None:
        return 0.0, 1.0
    return float(transformer.mean_[0]), float(transformer.scale_[0])


def padded_range(values: np.ndarray, pad: float = 0.05) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo or max(abs(lo), 1.0)
    return lo - pad * span, hi + pad * span


def category_options(X_train: pd.DataFrame, name: str, limit: int = 50) -> list[str]:
    """The most frequent categories of one feature, as the pipeline sees them (text)."""
    return [str(v) for v in X_train[name].map(category_text).value_counts().index[:limit]]
