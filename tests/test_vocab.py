"""The shared words: str-valued enums that print and compare as their values (saved projects,
URLs and model files hold the plain text), and the one numeric-not-bool test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mllib import profile, schema
from mllib.errors import GlassboxError
from mllib.vocab import Role, Task, is_numeric


def test_tasks_and_roles_read_and_print_as_their_saved_text() -> None:
    assert Task("classification") is Task.CLASSIFICATION and Task.REGRESSION == "regression"
    assert f"{Task.CLASSIFICATION} ({Role.ID_LIKE})" == "classification (ID-like)"
    assert str(Role.NUMERIC) == "numeric" and f"{Task.REGRESSION:>12}" == "  regression"
    assert json.dumps({"task": Task.REGRESSION, "role": Role.DATETIME}) == (
        '{"task": "regression", "role": "datetime"}'
    )
    assert profile.Task is Task and profile.Role is Role  # the names callers already import


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([1, 2, 3]), True),
        (pd.Series([1.5, np.nan, np.inf]), True),
        (pd.Series([True, False]), False),
        (pd.Series([True, None], dtype="boolean"), False),
        (pd.Series(["1", "2"]), False),
        (np.dtype("float32"), True),
        (np.dtype(bool), False),
    ],
)
def test_is_numeric_means_numbers_not_true_false(values: object, expected: bool) -> None:
    assert is_numeric(values) is expected


def test_the_feature_schema_uses_the_enums_and_writes_plain_text() -> None:
    feature = schema.Feature(name="age", role=Role.NUMERIC, dtype="int64", median=40)
    saved = schema.FeatureSchema((feature,), "y", Task.REGRESSION).to_dict()
    assert saved["task"] == "regression" and type(saved["task"]) is str
    assert saved["features"][0]["role"] == "numeric" and type(saved["features"][0]["role"]) is str
    loaded = schema.FeatureSchema.from_dict(json.loads(json.dumps(saved)))
    assert loaded.task is Task.REGRESSION and loaded.features[0].role is Role.NUMERIC
    assert not loaded.is_classifier and loaded.features[0].is_number
    with pytest.raises(GlassboxError):
        schema.FeatureSchema.from_dict({**saved, "task": "clustering"})
