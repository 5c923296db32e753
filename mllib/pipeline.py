"""Build one scikit-learn Pipeline per model: Glassbox's cleaning step (:mod:`mllib.cleaning`),
then preprocessing chosen from the column roles, then the estimator from its spec.

In a session the whole pipeline predicts from raw rows. The exported model is
:func:`portable`: the same fitted steps without the cleaning step, so the file holds only
scikit-learn, numpy and scipy objects and loads in any Python that has scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mllib import summary_fit
from mllib.catalogue import ModelSpec
from mllib.cleaning import (
    category_text,
    category_texts,
    category_values,
    clean_features,
    date_columns,
    input_columns,
)
from mllib.i18n import DEFAULT, Translator, msg, translator
from mllib.matrix_fill import map_threads
from mllib.profile import DATE_PARTS, TableProfile
from mllib.summary_fit import CountedCategories, MedianNumbers, StackedColumns, plain
from mllib.vocab import Role, Task

__all__ = [
    "Clean",
    "ColumnPlan",
    "build_pipeline",
    "category_text",
    "category_texts",
    "check_columns",
    "portable",
    "prepare_features",
]

RARE_FRACTION = 0.01
MAX_CATEGORIES = 30
CLEAN_STEP = "clean"


class Clean(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # sklearn has no types
    """Glassbox's own first step: :func:`mllib.cleaning.clean_features` on raw rows.

    It lets the app predict from raw rows during a session (explanations, searches), and is
    never exported: :func:`portable` drops it, and the model files hold the plain
    scikit-learn rest, with the cleaning described in their metadata.
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = (),
        categorical: tuple[str, ...] = (),
        dates: tuple[str, ...] = (),
    ) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.dates = dates

    def fit(self, X: Any, y: Any = None) -> Clean:
        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        """:func:`clean_features`, with categorical columns as pandas categoricals (the same
        texts, stored once: see :func:`mllib.cleaning.category_values`)."""
        frame = pd.DataFrame(X)
        text = [name for name in frame.columns if name in self.categorical]
        if not text:
            return clean_features(frame, self.numeric, (), self.dates)
        rest = [name for name in frame.columns if name not in self.categorical]
        out = clean_features(frame[rest], self.numeric, (), self.dates)
        if len(frame) >= summary_fit.MIN_ROWS:  # pyarrow lets go of the GIL while it hashes
            found = map_threads(category_values, [frame[name] for name in text])
        else:
            found = [category_values(frame[name]) for name in text]
        for name, values in zip(text, found, strict=True):
            out[name] = values
        kept = [n for n in frame.columns if n in self.numeric or n in text or n in self.dates]
        return out[input_columns(kept, self.dates)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray(input_columns(list(names), self.dates), dtype=object)


def portable(pipe: Pipeline) -> Pipeline:
    """The fitted pipeline without Glassbox's cleaning step: scikit-learn, numpy and scipy
    objects only, taking :func:`mllib.cleaning.clean_features` output (shares the fitted
    steps, nothing is copied; the session's faster preprocessing classes become the plain
    scikit-learn classes they extend, see :mod:`mllib.summary_fit`)."""
    rest = pipe[1:] if pipe.steps and pipe.steps[0][0] == CLEAN_STEP else pipe
    return Pipeline(
        [(name, plain(step)) for name, step in rest.steps],
        memory=rest.memory,
        verbose=rest.verbose,
    )


@dataclass(frozen=True)
class ColumnPlan:
    """Which features get which treatment; shown to the user as a table."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    datetime: tuple[str, ...]
    scale: bool
    # the cleaned date-part columns the model uses: parts that never change are left out;
    # empty means every part of every date (mllib.cleaning.input_columns)
    date_inputs: tuple[str, ...] = ()
    # one-hot leaves out each category's first level (ModelSpec.reference_category)
    reference: bool = False

    @property
    def date_columns(self) -> list[str]:
        return list(self.date_inputs) or input_columns(list(self.datetime), self.datetime)

    def describe(self, tr: Translator | None = None) -> pd.DataFrame:
        """The treatment of each kind of column, as a table for people (in ``tr``'s
        language; English without one). Column names are data and stay as they are."""
        tr = tr or translator(DEFAULT)
        scaled = tr(" → standardise (mean 0, sd 1)") if self.scale else ""
        rows = []
        if self.numeric:
            rows.append(
                (
                    tr("numeric"),
                    ", ".join(self.numeric),
                    tr("fill missing with median{scaled}", scaled=scaled),
                )
            )
        if self.categorical:
            unseen = (
                tr(
                    "the first category of each is the reference (its effect is in the "
                    "intercept b); unseen ones count as the reference"
                )
                if self.reference
                else tr("unseen ones ignored")
            )
            rows.append(
                (
                    tr("categorical / boolean"),
                    ", ".join(self.categorical),
                    tr(
                        "fill missing with most frequent → one-hot; categories under "
                        "{share:.0%} of rows grouped as “infrequent”; {unseen}",
                        share=RARE_FRACTION,
                        unseen=unseen,
                    ),
                )
            )
        if self.datetime:
            rows.append(
                (
                    tr("date"),
                    ", ".join(self.datetime),
                    tr(
                        "expand into {parts} → fill missing with median{scaled}",
                        parts=", ".join(self.date_columns),
                        scaled=scaled,
                    ),
                )
            )
        columns = [tr("columns treated as"), tr("columns"), tr("what is done")]
        return pd.DataFrame(rows, columns=columns)


def plan_columns(
    profile: TableProfile, features: list[str], scale: bool, reference: bool = False
) -> ColumnPlan:
    numeric: list[str] = []
    categorical: list[str] = []
    dates: list[str] = []
    date_inputs: list[str] = []
    for name in features:
        column = profile[name]
        if column.role == Role.NUMERIC:
            numeric.append(name)
        elif column.role == Role.DATETIME:
            dates.append(name)
            parts = column.date_parts or DATE_PARTS
            named = zip(DATE_PARTS, date_columns(name), strict=True)
            date_inputs.extend(column for part, column in named if part in parts)
        else:
            categorical.append(name)
    return ColumnPlan(
        tuple(numeric), tuple(categorical), tuple(dates), scale, tuple(date_inputs), reference
    )


def build_preprocessor(plan: ColumnPlan, dense: bool, sparse: bool = False) -> ColumnTransformer:
    """Impute, encode and scale the cleaned columns, with scikit-learn's own transformers.

    ``dense``: always a dense matrix (trees: 12× faster than on sparse input). ``sparse``: a
    sparse matrix whenever a column is one-hot encoded (linear models: no dense copy of a
    million-row matrix, and their solvers are faster on it); otherwise scikit-learn's rule
    (sparse when under 30 % of the cells are non-zero)."""
    # keep_empty_features: a column with no value in the training rows becomes a column of
    # zeros instead of vanishing, which would leave the model with 0 features.
    numeric_steps: list[tuple[str, Any]] = [
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
    ]
    date_steps: list[tuple[str, Any]] = [
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
    ]
    if plan.scale:
        numeric_steps.append(("scale", StandardScaler()))
        date_steps.append(("scale", StandardScaler()))
    # scikit-learn's imputer and encoder; fitted from category codes in a session
    categorical = CountedCategories(
        [
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            (
                "onehot",
                OneHotEncoder(
                    drop="first" if plan.reference else None,
                    handle_unknown="infrequent_if_exist",
                    min_frequency=RARE_FRACTION,
                    max_categories=MAX_CATEGORIES,
                    sparse_output=not dense,
                ),
            ),
        ]
    )
    transformers: list[tuple[str, Any, list[str]]] = []
    if plan.numeric:
        transformers.append(("num", MedianNumbers(numeric_steps), list(plan.numeric)))
    if plan.categorical:
        transformers.append(("cat", categorical, list(plan.categorical)))
    if plan.datetime:
        transformers.append(("date", MedianNumbers(date_steps), plan.date_columns))
    return StackedColumns(
        transformers,
        remainder="drop",
        sparse_threshold=0.0 if dense else 1.0 if sparse else 0.3,
        verbose_feature_names_out=False,
    )


def build_pipeline(
    spec: ModelSpec,
    task: Task,
    params: dict[str, Any],
    profile: TableProfile,
    features: list[str],
    seed: int = 0,
) -> tuple[Pipeline, ColumnPlan]:
    """Glassbox's cleaning step, then the plain scikit-learn preprocessing and estimator."""
    plan = plan_columns(profile, features, spec.scale, spec.reference_category)
    pipe = Pipeline(
        [
            (CLEAN_STEP, Clean(plan.numeric, plan.categorical, plan.datetime)),
            ("prep", build_preprocessor(plan, spec.dense, spec.sparse)),
            ("model", spec.build(task, params, seed)),
        ]
    )
    return pipe, plan


def prepare_features(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The feature columns in order; the pipeline's first step cleans them."""
    check_columns(frame, features)
    return frame[features]


def check_columns(frame: pd.DataFrame, features: list[str] | tuple[str, ...]) -> None:
    """Raise :class:`mllib.errors.DataError` naming every feature missing from ``frame``."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        from mllib.errors import DataError

        raise DataError(msg("Missing feature column(s): {columns}.", columns=", ".join(missing)))


def reference_levels(pipe: Pipeline) -> dict[str, str]:
    """Each categorical feature's reference category: the one one-hot left out (if any)."""
    prep = pipe.named_steps["prep"]
    sources = next((cols for name, _, cols in prep.transformers_ if name == "cat"), None)
    if sources is None:
        return {}
    encoder = prep.named_transformers_["cat"].named_steps["onehot"]
    if encoder.drop_idx_ is None:
        return {}
    return {
        str(feature): str(levels[index])
        for feature, levels, index in zip(
            sources, encoder.categories_, encoder.drop_idx_, strict=True
        )
        if index is not None
    }
