"""Build one self-contained scikit-learn Pipeline: preprocessing chosen from the column roles,
then the estimator from its spec. The exported file therefore predicts from raw rows.
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

from mllib.catalogue import ModelSpec
from mllib.profile import Role, TableProfile, Task, parse_dates

RARE_FRACTION = 0.01
MAX_CATEGORIES = 30
DATE_PARTS = ("year", "month", "day", "dayofweek")
# The pandas accessor behind each part's name (``dt.dayofweek`` is deprecated in pandas 3).
_DATE_ATTRIBUTES = {"dayofweek": "day_of_week"}


class DateParts(TransformerMixin, BaseEstimator):
    """Expand date-like columns into year, month, day and weekday numbers.

    A model cannot use a raw date, and silently casting it to nanoseconds gives meaningless
    weights; the parts keep seasonality and trend visible.
    """

    def fit(self, X: Any, y: Any = None) -> DateParts:
        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        frame = pd.DataFrame(X)
        out = []
        for col in frame.columns:
            dates = parse_dates(frame[col])
            for part in DATE_PARTS:
                values = getattr(dates.dt, _DATE_ATTRIBUTES.get(part, part))
                out.append(values.astype(float).to_numpy())
        return np.column_stack(out) if out else np.empty((len(frame), 0))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = self.feature_names_in_ if input_features is None else input_features
        return np.asarray([f"{c}_{p}" for c in names for p in DATE_PARTS], dtype=object)


class Coerce(TransformerMixin, BaseEstimator):
    """Bring raw column values to one type inside the pipeline, so the saved model predicts
    from raw rows exactly as in training: ``"number"`` (text and ±inf become missing) or
    ``"text"`` (``1``, ``"1"`` and ``True`` become category strings; missing stays missing).
    """

    def __init__(self, kind: str = "number") -> None:
        self.kind = kind

    def fit(self, X: Any, y: Any = None) -> Coerce:
        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def transform(self, X: Any) -> pd.DataFrame:
        frame = pd.DataFrame(X).copy()
        for col in frame.columns:
            values = frame[col]
            if self.kind == "number":
                numbers = pd.to_numeric(values, errors="coerce").astype(float)
                frame[col] = numbers.replace([np.inf, -np.inf], np.nan)
            else:
                frame[col] = category_texts(values)
        return frame

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(
            self.feature_names_in_ if input_features is None else input_features, dtype=object
        )


def category_texts(values: pd.Series) -> pd.Series:
    """:func:`category_text` for a whole column, vectorised for the common column types
    (on 100k rows the per-value path cost more than fitting a ridge model)."""
    out = values.astype(object)
    missing = values.isna().to_numpy()
    if pd.api.types.is_bool_dtype(values):
        return out.map({True: "True", False: "False"}).where(~missing, np.nan)
    if pd.api.types.is_numeric_dtype(values):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers % 1 == 0)
        text = values.astype(str).to_numpy(dtype=object)
        text[whole] = numbers[whole].astype(np.int64).astype(str)
        text[missing] = np.nan
        return pd.Series(text, index=values.index, dtype=object)
    if pd.api.types.infer_dtype(out, skipna=True) == "string":
        return out.where(~missing, np.nan)
    return out.map(category_text)


def category_text(value: Any) -> Any:
    """One label per category: ``1``, ``1.0``, ``"1"`` all become ``"1"``; every kind of
    missing (None, NaN of any float width, pd.NA, NaT) stays missing."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class ColumnPlan:
    """Which features get which treatment; shown to the user as a table."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    datetime: tuple[str, ...]
    scale: bool

    def describe(self) -> pd.DataFrame:
        scaled = " → standardise (mean 0, sd 1)" if self.scale else ""
        rows = []
        if self.numeric:
            rows.append(("numeric", ", ".join(self.numeric), f"fill missing with median{scaled}"))
        if self.categorical:
            rows.append(
                (
                    "categorical / boolean",
                    ", ".join(self.categorical),
                    f"fill missing with most frequent → one-hot; categories under "
                    f"{RARE_FRACTION:.0%} of rows grouped as “infrequent”; unseen ones ignored",
                )
            )
        if self.datetime:
            rows.append(
                (
                    "date",
                    ", ".join(self.datetime),
                    "expand into year, month, day, weekday → fill missing with median" + scaled,
                )
            )
        return pd.DataFrame(rows, columns=["columns treated as", "columns", "what is done"])


def plan_columns(profile: TableProfile, features: list[str], scale: bool) -> ColumnPlan:
    numeric, categorical, dates = [], [], []
    for name in features:
        role = profile[name].role
        if role == Role.NUMERIC:
            numeric.append(name)
        elif role == Role.DATETIME:
            dates.append(name)
        else:
            categorical.append(name)
    return ColumnPlan(tuple(numeric), tuple(categorical), tuple(dates), scale)


def build_preprocessor(plan: ColumnPlan, dense: bool) -> ColumnTransformer:
    numeric_steps: list[tuple[str, Any]] = [
        ("coerce", Coerce("number")),
        # keep_empty_features: a column with no value in the training rows becomes a column
        # of zeros instead of vanishing, which would leave the model with 0 features.
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
    ]
    date_steps: list[tuple[str, Any]] = [
        ("parts", DateParts()),
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
    ]
    if plan.scale:
        numeric_steps.append(("scale", StandardScaler()))
        date_steps.append(("scale", StandardScaler()))
    categorical = Pipeline(
        [
            ("coerce", Coerce("text")),
            ("impute", SimpleImputer(strategy="most_frequent", keep_empty_features=True)),
            (
                "onehot",
                OneHotEncoder(
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
        transformers.append(("num", Pipeline(numeric_steps), list(plan.numeric)))
    if plan.categorical:
        transformers.append(("cat", categorical, list(plan.categorical)))
    if plan.datetime:
        transformers.append(("date", Pipeline(date_steps), list(plan.datetime)))
    return ColumnTransformer(
        transformers,
        remainder="drop",
        sparse_threshold=0.0 if dense else 0.3,
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
    plan = plan_columns(profile, features, spec.scale)
    pipe = Pipeline(
        [
            ("prep", build_preprocessor(plan, spec.dense)),
            ("model", spec.build(task, params, seed)),
        ]
    )
    return pipe, plan


def prepare_features(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The feature columns in order; type coercion happens inside the pipeline itself."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        from mllib.errors import DataError

        raise DataError(f"Missing feature column(s): {', '.join(missing)}.")
    return frame[features]
