"""Row validation (strict JSON rows, forgiving tables) and prediction for page and service."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from mllib import samples, training
from mllib.charts import probability_chart
from mllib.export import ModelBundle, bundle_from_model
from mllib.predict import (
    ValidationError,
    append_predictions,
    check_records,
    check_table,
    class_score_table,
    match_columns,
    rows_from_payload,
    target_agreement,
    template_table,
)
from mllib.profile import Task, default_features, profile_table
from mllib.training import TrainConfig


@lru_cache(maxsize=8)
def bundle(sample: str = "customers", target: str = "churned", algorithm: str = "tree"):
    dataset = samples.load_sample(sample)
    profile = profile_table(dataset.frame)
    task = Task.REGRESSION if target == "monthly_spend" else Task.CLASSIFICATION
    features = [f for f in default_features(profile, target).features if f != "churned"]
    config = TrainConfig.make(algorithm, task, target, features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return bundle_from_model(model, dataset, profile)


def good_row(b: ModelBundle) -> dict:
    return b.schema.example_row()


def problems_of(err: pytest.ExceptionInfo[ValidationError]) -> str:
    return " | ".join(p.text() for p in err.value.problems)


# --- JSON rows ------------------------------------------------------------------------------


def test_payload_shapes() -> None:
    b = bundle()
    row = good_row(b)
    assert rows_from_payload({"rows": [row, row]}, b.schema) == [row, row]
    assert rows_from_payload(row, b.schema) == [row]
    for bad, words in [
        ([row], "must be a JSON object"),
        ({"rows": row}, "must be a list"),
        ({"rows": []}, "is empty"),
        ({"rows": [row], "extra": 1}, "unknown top-level field"),
        ("text", "must be a JSON object"),
    ]:
        with pytest.raises(ValidationError, match=words):
            rows_from_payload(bad, b.schema)


BAD_VALUES = [
    ("age", "42", "expected a number, got the text “42”"),
    ("age", True, "expected a number, got the boolean true"),
    ("age", [1], "expected a number, got a list"),
    ("age", float("nan"), "expected a finite number"),
    ("age", float("inf"), "expected a finite number"),
    ("age", 10**400, "too large"),
    ("plan", "Gold", "unseen category “Gold”; known: “Basic”, “Premium”, “Standard”"),
    ("plan", 3, "expected one of “Basic”, “Premium”, “Standard”, got the number 3"),
    ("has_partner", "True", "expected true or false, got the text “True”"),
    ("signup_date", "yesterday-ish", "is not a date"),
    ("signup_date", 20240101, "expected a date as text"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_bad_values_are_named(name: str, value: object, message: str) -> None:
    b = bundle()
    row = {**good_row(b), name: value}
    with pytest.raises(ValidationError) as err:
        check_records([row], b.schema)
    text = problems_of(err)
    assert f"“{name}”" in text and message in text
    assert err.value.problems[0].field == name


def test_missing_and_extra_fields_are_named_with_a_suggestion() -> None:
    b = bundle()
    row = good_row(b)
    row["agee"] = row.pop("age")
    with pytest.raises(ValidationError) as err:
        check_records([row], b.schema)
    text = problems_of(err)
    assert "missing field “age”" in text
    assert "unknown field “agee” (did you mean “age”?)" in text


def test_null_means_missing_and_is_filled_in() -> None:
    b = bundle()
    row = {name: None for name in b.schema.names}
    checked = check_records([row], b.schema)
    assert checked.frame.shape == (1, len(b.schema.names))
    assert b.predict(checked.frame).values[0] in b.schema.classes


def test_the_same_problem_in_many_rows_is_one_message() -> None:
    b = bundle()
    rows = [{k: v for k, v in good_row(b).items() if k != "plan"} for _ in range(50)]
    with pytest.raises(ValidationError) as err:
        check_records(rows, b.schema)
    assert len(err.value.problems) == 1
    problem = err.value.problems[0]
    assert problem.count == 50 and problem.rows[:3] == [0, 1, 2]
    assert "and 42 more" in problem.text()


def test_row_limit_is_a_413() -> None:
    b = bundle()
    with pytest.raises(ValidationError, match="at most 3") as err:
        check_records([good_row(b)] * 4, b.schema, max_rows=3)
    assert err.value.status == 413


def test_out_of_range_numbers_are_warned_not_refused() -> None:
    b = bundle()
    checked = check_records([{**good_row(b), "age": 150}], b.schema)
    assert any("“age”" in w and "outside the training range" in w for w in checked.warnings)


# --- tables -----------------------------------------------------------------------------------


def customers_table() -> pd.DataFrame:
    return samples.load_sample("customers").frame.head(40).copy()


def test_a_good_table_predicts_and_keeps_extra_columns() -> None:
    b = bundle()
    table = customers_table()
    checked = check_table(table, b.schema)
    assert checked.ignored == ["customer_id", "country", "churned"]
    gaps = table[b.schema.names].isna().sum()
    assert checked.notes == [
        "Missing values are filled in as in training (median, or most frequent category): "
        + ", ".join(f"{name} ({count})" for name, count in gaps[gaps > 0].items())
        + "."
    ]
    prediction = b.predict(checked.frame)
    out = append_predictions(table, prediction, "churned")
    assert list(out.columns[-3:]) == ["predicted_churned", "P(no)", "P(yes)"]
    assert np.allclose(out[["P(no)", "P(yes)"]].sum(axis=1), 1)
    assert len(out) == 40


def test_renamed_columns_are_matched_and_said() -> None:
    b = bundle()
    table = customers_table().rename(columns={"monthly_spend": "Monthly Spend"})
    assert match_columns(list(table.columns), b.schema)["Monthly Spend"] == "monthly_spend"
    checked = check_table(table, b.schema)
    assert any("“Monthly Spend” → “monthly_spend”" in w for w in checked.warnings)


def test_missing_columns_block_with_a_suggestion() -> None:
    b = bundle()
    table = customers_table().rename(columns={"tenure_months": "tenure"})
    with pytest.raises(ValidationError) as err:
        check_table(table, b.schema)
    assert "the column “tenure_months” is missing (did you mean “tenure”?)" in problems_of(err)


def test_wrong_types_block_and_name_the_values() -> None:
    b = bundle()
    table = customers_table()
    table["age"] = table["age"].astype(object)
    table.loc[3, "age"] = "forty"
    table["signup_date"] = table["signup_date"].astype(object)
    table.loc[5, "signup_date"] = "soon"
    with pytest.raises(ValidationError) as err:
        check_table(table, b.schema)
    text = problems_of(err)
    assert "“age” should hold numbers, but 1 value(s) are not: “forty”" in text
    assert "“signup_date” should hold dates, but 1 value(s) are not: “soon”" in text


def test_unseen_categories_are_predicted_with_a_warning() -> None:
    b = bundle()
    table = customers_table()
    table.loc[:4, "region"] = "Atlantis"
    checked = check_table(table, b.schema)
    warning = next(w for w in checked.warnings if w.startswith("“region”") and "never" in w)
    assert "5 row(s)" in warning and "“Atlantis”" in warning
    assert len(b.predict(checked.frame).values) == 40


def test_infinite_numbers_are_treated_as_missing_with_a_warning() -> None:
    b = bundle()
    table = customers_table()
    table.loc[0, "monthly_spend"] = math.inf
    checked = check_table(table, b.schema)
    assert any("infinite" in w and "monthly_spend" in w for w in checked.warnings)


# --- predictions and the chart ---------------------------------------------------------------


def test_regression_predicts_numbers_without_scores() -> None:
    b = bundle(target="monthly_spend", algorithm="ridge")
    checked = check_records([good_row(b)], b.schema)
    prediction = b.predict(checked.frame)
    assert prediction.scores is None
    answer = prediction.records()
    assert set(answer) == {"predictions"} and isinstance(answer["predictions"][0], float)


def test_svm_gives_decision_scores_not_probabilities() -> None:
    b = bundle(algorithm="svm")
    checked = check_records([good_row(b)], b.schema)
    prediction = b.predict(checked.frame)
    assert prediction.score_kind == "decision score"
    assert list(prediction.scores.columns) == ["yes"]  # binary: one score, for the 2nd class
    assert "scores" in prediction.records() and "probabilities" not in prediction.records()


def test_probability_chart_is_bars_sorted_with_a_fixed_scale() -> None:
    b = bundle("iris", "species")
    checked = check_records([good_row(b)], b.schema)
    table = class_score_table(b.predict(checked.frame))
    assert table["value"].is_monotonic_decreasing
    assert set(table["class"]) == set(b.schema.classes)
    spec = probability_chart(table).to_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 1]
    assert bars["encoding"]["y"]["sort"] is None  # keeps class_score_table's order, highest first
    assert spec["height"] == {"step": 28}  # a fixed height squashed the bands into one row
    assert "probabilities" in spec["title"]


def test_template_has_the_feature_columns() -> None:
    b = bundle()
    template = template_table(b.schema)
    assert list(template.columns) == b.schema.names
    check_table(template, b.schema)  # a template always validates


def test_bad_dates_are_reported_on_their_own_rows() -> None:
    b = bundle()
    rows = [good_row(b), {**good_row(b), "signup_date": None}, {**good_row(b), "signup_date": "x"}]
    del rows[1]["age"]
    with pytest.raises(ValidationError) as err:
        check_records(rows, b.schema)
    by_field = {p.field: p.rows for p in err.value.problems}
    assert by_field == {"age": [1], "signup_date": [2]}


def test_agreement_with_a_target_column_in_the_file() -> None:
    b = bundle()
    table = customers_table()
    prediction = b.predict(check_table(table, b.schema).frame)
    hits = int((table["churned"].to_numpy() == prediction.values).sum())
    text = target_agreement(table, prediction, b.schema)
    assert text == (
        f"The file has a “churned” column: the predictions match it in {hits} of 40 rows "
        f"({hits / 40:.1%})."
    )
    assert target_agreement(table.drop(columns="churned"), prediction, b.schema) is None
    r = bundle(target="monthly_spend", algorithm="ridge")
    table = customers_table()
    prediction = r.predict(check_table(table, r.schema).frame)
    text = target_agreement(table, prediction, r.schema)
    assert text.startswith("The file has a “monthly_spend” column: mean absolute error")
    assert "R²" in text
