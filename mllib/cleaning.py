"""Bring raw rows to the types a model was trained on, before its pipeline sees them.

The exported pipeline is plain scikit-learn (imputers, encoders, scalers, the estimator), so it
loads anywhere; what scikit-learn has no transformer for happens here, the same way for
training, the Predict page, the service and the generated ``train.py`` (which copies this code):

* numeric columns become floats: text that is not a number and ±inf become missing;
* categorical and boolean columns become text: ``1``, ``1.0``, ``"1"`` are all ``"1"``,
  ``True`` is ``"True"``, every kind of missing stays missing;
* each date column becomes four numeric columns ``<name>_year``, ``_month``, ``_day`` and
  ``_dayofweek`` (Monday = 0): a model cannot use a raw date, and casting it to nanoseconds
  gives meaningless weights; the parts keep seasonality and trend visible.

A table read with ``pandas.read_csv`` that has no date columns is usually already clean, so
``pipeline.predict(table)`` works on it directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mllib.profile import DATE_PARTS, date_part, parse_dates, parse_distinct_dates


def date_columns(name: str) -> list[str]:
    """The model input columns one date column becomes."""
    return [f"{name}_{part}" for part in DATE_PARTS]


def input_columns(features: list[str], dates: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The pipeline's input columns: the features in order, each date replaced by its parts."""
    out: list[str] = []
    for name in features:
        out.extend(date_columns(name) if name in dates else [name])
    return out


def clean_features(
    frame: pd.DataFrame,
    numeric: tuple[str, ...] | list[str] = (),
    categorical: tuple[str, ...] | list[str] = (),
    dates: tuple[str, ...] | list[str] = (),
) -> pd.DataFrame:
    """The pipeline's input for raw rows: every feature in one type, dates as their parts."""
    columns: dict[str, Any] = {}
    for name in frame.columns:
        values = frame[name]
        if name in numeric:
            numbers = (  # numpy floats are used as they are (to_numeric copies them)
                values
                if values.dtype == np.float64
                else pd.to_numeric(values, errors="coerce").astype(float)
            )
            if np.isinf(numbers.to_numpy()).any():  # else the column is used as it is
                numbers = numbers.replace([np.inf, -np.inf], np.nan)
            columns[name] = numbers
        elif name in dates:
            columns.update(date_part_columns(name, values))
        elif name in categorical:
            columns[name] = category_texts(values)
    # copy=False: each column stays its own array (pandas would copy them all into one block:
    # 0.3 s and a second copy of the numbers on a million rows)
    return pd.DataFrame(columns, index=frame.index, copy=False)


def date_part_columns(name: str, values: pd.Series) -> dict[str, pd.Series]:
    """A date column's parts as float columns (NaN where it is no date). A text column that
    repeats its dates has each distinct one split once; the rows take theirs by code."""
    found = parse_distinct_dates(values)
    if found is None:
        parsed = parse_dates(values)
        return {
            column: date_part(parsed, part).astype(float)
            for part, column in zip(DATE_PARTS, date_columns(name), strict=True)
        }
    codes, distinct = found  # code -1: missing, which takes the NaN at the end
    return {
        column: pd.Series(
            np.append(date_part(distinct, part).to_numpy(dtype=float, na_value=np.nan), np.nan)[
                codes
            ],
            index=values.index,
        )
        for part, column in zip(DATE_PARTS, date_columns(name), strict=True)
    }


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


def category_values(values: pd.Series) -> pd.Series:
    """:func:`category_texts` as a pandas categorical: the same texts, each stored once.

    Vectorised (the distinct values are found by ``pandas.factorize``, which reads Arrow
    strings directly, and only those few are turned into text), and no per-row text is made:
    on a million rows, object text columns cost about 60 MB each, their codes 1 MB. The
    categories are plain Python strings, so scikit-learn sees the same values as from
    :func:`category_texts` (:class:`mllib.pipeline.Clean` uses this inside a session)."""
    codes, uniques = pd.factorize(values)
    texts = category_texts(pd.Series(uniques)).to_numpy(dtype=object)
    labels, inverse = np.unique(texts, return_inverse=True)
    if len(labels):
        codes = np.where(codes >= 0, inverse[np.maximum(codes, 0)], -1)
    categories = pd.Index(labels, dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=values.index)


def category_text(value: Any) -> Any:
    """One label per category: ``1``, ``1.0``, ``"1"`` all become ``"1"``; every kind of
    missing (None, NaN of any float width, pd.NA, NaT) stays missing."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
