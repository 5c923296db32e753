"""The feature schema is built from the fitted encoder and the exact training rows."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from mllib import samples, training
from mllib.errors import GlassboxError
from mllib.profile import Task, default_features, profile_table
from mllib.schema import FeatureSchema, build_schema, training_rows
from mllib.training import TrainConfig


@lru_cache(maxsize=8)
def trained(sample: str, target: str, task: Task, algorithm: str = "tree"):
    dataset = samples.load_sample(sample)
    profile = profile_table(dataset.frame)
    features = default_features(profile, target).features
    config = TrainConfig.make(algorithm, task, target, features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return dataset, profile, model


def test_iris_numbers_carry_training_ranges() -> None:
    dataset, profile, model = trained("iris", "species", Task.CLASSIFICATION)
    schema = build_schema(model, dataset.frame, profile)
    assert schema.names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert schema.classes == ("setosa", "versicolor", "virginica")
    rows = training_rows(dataset.frame, model)
    assert len(rows) == model.n_train
    petal = schema["petal_length"]
    assert petal.role == "numeric"
    assert petal.minimum == rows["petal_length"].min()
    assert petal.maximum == rows["petal_length"].max()
    assert petal.median == rows["petal_length"].median()
    assert "median" in petal.range_text()


def test_mixed_types_get_roles_categories_and_examples() -> None:
    dataset, profile, model = trained("customers", "churned", Task.CLASSIFICATION)
    schema = build_schema(model, dataset.frame, profile)
    roles = {f.name: f.role for f in schema.features}
    assert roles["signup_date"] == "datetime"
    assert roles["region"] == "categorical"
    assert roles["has_partner"] == "boolean"
    assert roles["age"] == "numeric"
    assert schema["plan"].categories == ("Basic", "Premium", "Standard")
    assert schema["has_partner"].json_boolean
    assert schema["age"].missing > 0  # the sample has missing ages
    example = schema.example_row()
    assert isinstance(example["has_partner"], bool)
    assert example["plan"] in schema["plan"].categories
    assert example["signup_date"][:2] == "20"
    assert isinstance(example["support_calls"], int)  # whole numbers stay whole


def test_schema_round_trips_through_json() -> None:
    dataset, profile, model = trained("customers", "churned", Task.CLASSIFICATION)
    schema = build_schema(model, dataset.frame, profile)
    again = FeatureSchema.from_dict(json.loads(json.dumps(schema.to_dict(), allow_nan=False)))
    assert again == schema


def test_regression_schema_has_target_range_and_no_classes() -> None:
    dataset, profile, model = trained("diabetes", "disease_progression", Task.REGRESSION, "ridge")
    schema = build_schema(model, dataset.frame, profile)
    assert schema.classes is None
    low, high = schema.target_range
    assert low < high
    assert not schema.is_classifier


def test_the_example_row_is_predictable() -> None:
    dataset, profile, model = trained("customers", "churned", Task.CLASSIFICATION)
    schema = build_schema(model, dataset.frame, profile)
    row = pd.DataFrame([schema.example_row()])
    assert model.pipeline.predict(row)[0] in schema.classes


def test_rare_categories_are_listed_as_infrequent() -> None:
    rng = np.random.default_rng(0)
    colour = np.array(["red"] * 300 + ["blue"] * 297 + ["green"] * 3, dtype=object)
    rng.shuffle(colour)
    frame = pd.DataFrame({"colour": colour, "x": rng.normal(size=600)})
    frame["y"] = np.where(frame["x"] > 0, "a", "b")
    profile = profile_table(frame)
    config = TrainConfig.make("logistic", Task.CLASSIFICATION, "y", ["colour", "x"])
    model = training.train_model(frame, profile, config, "fp")
    schema = build_schema(model, frame, profile)
    assert set(schema["colour"].categories) == {"red", "blue", "green"}
    assert schema["colour"].infrequent == ("green",)


def test_damaged_schema_is_a_clear_error() -> None:
    with pytest.raises(GlassboxError, match="feature schema is damaged"):
        FeatureSchema.from_dict({"features": [{"name": "a", "role": "weird"}]})


def test_data_numbers_read_as_in_the_table() -> None:
    """Predictions and training ranges: no exponent for prices, no grouping for years."""
    from mllib.schema import data_number

    assert data_number(1937.0) == "1937"
    assert data_number(250_000.0) == "250000"
    assert data_number(123_456.7) == "123457"
    assert data_number(0.001234) == "0.001234"
    assert data_number(5.8) == "5.8" and data_number(2.0) == "2"
    assert data_number(1e20) == "1e+20" and data_number(float("nan")) == "nan"
    assert data_number(7) == "7"
    from mllib.explain import split_question

    question = split_question({"one_hot": False, "feature": "income", "threshold": 52_350.5})
    assert question == ("income", "≤ 52350?")  # the tree diagram and path: not 5.235e+04
