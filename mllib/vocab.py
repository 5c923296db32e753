"""The words every module shares: what a column is (:class:`Role`), what a model predicts
(:class:`Task`), which columns count as numbers (:func:`is_numeric`) and how a value of the
data is written for people (:func:`data_number`).

The enums are ``str``-valued, so a saved project, a lesson link or a model's metadata that holds
``"classification"`` or ``"numeric"`` compares equal to the member and keeps working.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd


class _Word(StrEnum):
    """A ``str``-valued enum that prints as its value: ``f"{Task.REGRESSION}"`` is
    ``regression``."""


class Role(_Word):
    """What a column is to a model (the profile decides; the feature schema records it)."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    ID_LIKE = "ID-like"
    CONSTANT = "constant"
    EMPTY = "empty"
    TEXT = "free text"


class Task(_Word):
    REGRESSION = "regression"
    CLASSIFICATION = "classification"


def is_numeric(values: pd.Series | Any) -> bool:
    """Numbers, not true/false: pandas counts a bool column (or dtype) as numeric, but its
    values are two categories and ``±inf`` checks make no sense on it."""
    return bool(pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))


def data_number(value: Any) -> str:
    """A value of the data as a reader checks it against the table: four significant digits,
    whole numbers from 10,000 on written out ("250000", not "2.5e+05"), no digit grouping
    (a year stays "1937", as in the file)."""
    if isinstance(value, float | np.floating) and math.isfinite(value):
        number = float(value)
        return f"{number:.0f}" if 1e4 <= abs(number) < 1e15 else f"{number:.4g}"
    return str(value)
