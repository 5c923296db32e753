"""The cleaning and preprocessing of every model: raw rows (text in number columns, odd labels,
unseen categories, missing values, dates) become numbers the same way at fit and predict time,
and the exported part of the pipeline is plain scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from mllib.catalogue import get_spec
from mllib.cleaning import category_texts, category_values, clean_features, input_columns
from mllib.errors import DataError
from mllib.pipeline import (
    MAX_CATEGORIES,
    ColumnPlan,
    build_pipeline,
    build_preprocessor,
    category_text,
    plan_columns,
    portable,
    prepare_features,
)
from mllib.profile import Task, profile_table

C, R = Task.CLASSIFICATION, Task.REGRESSION


@pytest.fixture
def mixed() -> pd.DataFrame:
    """60 rows: a number, a 20-level category, a boolean and a date, each with a hole."""
    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "cat": [f"c{i % 20}" for i in range(n)],
            "flag": [i % 3 == 0 for i in range(n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="7D").astype(str),
        }
    )
    frame["y"] = 2 * frame["num"] + (frame["cat"] == "c1") + rng.normal(scale=0.1, size=n)
    frame["label"] = np.where(frame["y"] > 0, "up", "down")
    frame.loc[3, "num"] = np.nan
    frame.loc[4, "cat"] = None
    frame.loc[5, "when"] = None
    return frame


FEATURES = ["num", "cat", "flag", "when"]


# --- cleaning / category_text -----------------------------------------------------------------


def test_cleaning_numbers_turns_text_and_infinity_into_missing() -> None:
    raw = pd.DataFrame({"a": ["1.5", "x", np.inf, -np.inf, 2, None, " 3 "]}, dtype=object)
    out = clean_features(raw, numeric=["a"])["a"]
    assert out.dtype == float
    np.testing.assert_array_equal(out.to_numpy(), [1.5, np.nan, np.nan, np.nan, 2.0, np.nan, 3.0])


def test_cleaning_uses_float_columns_as_they_are_and_never_changes_the_table() -> None:
    """A million rows' numbers are not copied; infinities still become missing, in a copy."""
    raw = pd.DataFrame({"a": [1.5, 2.0, 3.0], "b": [1.0, np.inf, -np.inf], "c": [1, 2, 3]})
    before = raw.copy()
    out = clean_features(raw, numeric=["a", "b", "c"])
    assert np.shares_memory(out["a"].to_numpy(), raw["a"].to_numpy())
    np.testing.assert_array_equal(out["b"].to_numpy(), [1.0, np.nan, np.nan])
    assert out["c"].dtype == float
    out.loc[0, "a"] = 99.0  # pandas copies on write: the user's table keeps its values
    pd.testing.assert_frame_equal(raw, before)


def test_cleaning_categories_gives_one_label_per_category() -> None:
    raw = pd.DataFrame(
        {"a": [1, 1.0, "1", np.int64(1), np.float32(1.0), True, "x", 2.5]}, dtype=object
    )
    out = clean_features(raw, categorical=["a"])["a"].tolist()
    assert out == ["1", "1", "1", "1", "1", "True", "x", "2.5"]


@pytest.mark.parametrize(
    "missing", [None, np.nan, float("nan"), np.float32("nan"), pd.NA, pd.NaT], ids=repr
)
def test_category_text_keeps_every_kind_of_missing_missing(missing: object) -> None:
    assert category_text(missing) is np.nan


def test_cleaning_expands_dates_in_place_and_leaves_bad_ones_missing() -> None:
    raw = pd.DataFrame({"n": [1, 2, 3], "d": ["2024-03-15", "not a date", None], "c": list("abc")})
    out = clean_features(raw, numeric=["n"], categorical=["c"], dates=["d"])
    parts = ["d_year", "d_month", "d_day", "d_dayofweek"]
    assert out.columns.tolist() == ["n", *parts, "c"] == input_columns(["n", "d", "c"], ["d"])
    np.testing.assert_array_equal(out.loc[0, parts].to_numpy(), [2024, 3, 15, 4])  # a Friday
    assert out.loc[1:, parts].isna().all().all()


def test_cleaning_dates_raises_no_pandas_deprecation() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean_features(pd.DataFrame({"d": pd.date_range("2024-01-01", periods=3)}), dates=["d"])


def test_portable_pipeline_holds_only_scikit_learn_numpy_and_scipy(mixed: pd.DataFrame) -> None:
    pipe, _ = build_pipeline(get_spec("logistic"), C, {}, profile_table(mixed), FEATURES)
    pipe.fit(mixed[FEATURES], mixed["label"])
    plain = portable(pipe)
    assert [name for name, _ in plain.steps] == ["prep", "model"]
    modules = set()
    stack = [plain]
    while stack:
        obj = stack.pop()
        modules.add(type(obj).__module__.split(".")[0])
        if hasattr(obj, "get_params"):
            stack.extend(v for v in obj.get_params(deep=True).values() if hasattr(v, "fit"))
    assert modules <= {"sklearn"}, modules
    assert plain.feature_names_in_.tolist() == input_columns(FEATURES, ["when"])
    cleaned = pipe[:1].transform(mixed[FEATURES])
    np.testing.assert_array_equal(plain.predict(cleaned), pipe.predict(mixed[FEATURES]))


# --- ColumnPlan -------------------------------------------------------------------------------


def test_plan_sorts_features_by_role(mixed: pd.DataFrame) -> None:
    plan = plan_columns(profile_table(mixed), FEATURES, scale=True)
    weekly = ("when_year", "when_month", "when_day")  # every date is a Monday: no weekday
    assert plan == ColumnPlan(("num",), ("cat", "flag"), ("when",), True, weekly)


def test_plan_describe_says_what_happens_to_each_group(mixed: pd.DataFrame) -> None:
    table = plan_columns(profile_table(mixed), FEATURES, scale=True).describe()
    assert table.columns.tolist() == ["columns treated as", "columns", "what is done"]
    assert table["columns treated as"].tolist() == ["numeric", "categorical / boolean", "date"]
    assert table["columns"].tolist() == ["num", "cat, flag", "when"]
    assert table["what is done"][0] == "fill missing with median → standardise (mean 0, sd 1)"
    assert (
        "one-hot" in table["what is done"][1] and "unseen ones ignored" in table["what is done"][1]
    )
    # every date is a Monday: the weekday would be one value, so it is not a model input
    assert table["what is done"][2].startswith("expand into when_year, when_month, when_day →")


def test_plan_describe_without_scaling_or_groups() -> None:
    table = ColumnPlan(("a", "b"), (), (), scale=False).describe()
    assert table.to_dict("list") == {
        "columns treated as": ["numeric"],
        "columns": ["a, b"],
        "what is done": ["fill missing with median"],
    }


# --- whole pipelines --------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "dense"), [("tree", True), ("ridge", False), ("svm", False)])
def test_trees_get_dense_input_and_linear_models_may_get_sparse(
    mixed: pd.DataFrame, key: str, dense: bool
) -> None:
    pipe, _ = build_pipeline(get_spec(key), R, {}, profile_table(mixed), FEATURES)
    pipe.fit(mixed[FEATURES], mixed["y"])
    out = pipe[:-1].transform(mixed[FEATURES])
    # 1 number + 20 categories + 2 flags + 3 date parts (all Mondays): mostly zeros.
    assert out.shape == (60, 26)
    assert sp.issparse(out) is not dense


def test_feature_names_are_readable(mixed: pd.DataFrame) -> None:
    pipe, _ = build_pipeline(get_spec("ridge"), R, {}, profile_table(mixed), FEATURES)
    pipe.fit(mixed[FEATURES], mixed["y"])
    names = pipe.named_steps["prep"].get_feature_names_out().tolist()
    assert names[0] == "num"
    assert "cat_c7" in names and "flag_True" in names
    assert names[-3:] == ["when_year", "when_month", "when_day"]


@pytest.mark.parametrize(("key", "task"), [("ridge", R), ("tree", R), ("logistic", C), ("svm", C)])
def test_pipeline_predicts_from_raw_rows_with_holes_and_unseen_values(
    mixed: pd.DataFrame, key: str, task: Task
) -> None:
    target = "y" if task == R else "label"
    pipe, _ = build_pipeline(get_spec(key), task, {}, profile_table(mixed), FEATURES)
    pipe.fit(mixed[FEATURES], mixed[target])
    raw = pd.DataFrame(
        {
            "num": ["abc", np.inf, None, "0.5"],
            "cat": ["NEVER SEEN", None, 3, "c1"],
            "flag": [None, "True", True, 1],
            "when": ["bad", None, "2031-02-02", "2024-01-08"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # unseen categories are ignored without a warning
        predictions = pipe.predict(raw)
    assert len(predictions) == 4
    if task == R:
        assert np.isfinite(predictions.astype(float)).all()
    else:
        assert set(predictions) <= {"up", "down"}


def test_unseen_category_is_encoded_as_no_known_category(mixed: pd.DataFrame) -> None:
    prep = build_preprocessor(ColumnPlan((), ("cat",), (), scale=False), dense=True)
    prep.fit(clean_features(mixed[["cat"]], categorical=["cat"]))
    out = prep.transform(pd.DataFrame({"cat": ["NEVER SEEN", "c1"]}, dtype=object))
    assert out[0].sum() == 0
    assert out[1].sum() == 1


def test_many_categories_are_capped() -> None:
    frame = pd.DataFrame({"cat": [f"k{i}" for i in range(100)] * 3})
    prep = build_preprocessor(ColumnPlan((), ("cat",), (), scale=False), dense=True)
    assert prep.fit_transform(frame).shape == (300, MAX_CATEGORIES)


def test_numbers_stored_as_text_at_predict_give_the_same_prediction(mixed: pd.DataFrame) -> None:
    pipe, _ = build_pipeline(get_spec("ridge"), R, {}, profile_table(mixed), FEATURES)
    pipe.fit(mixed[FEATURES], mixed["y"])
    rows = mixed[FEATURES].head(5)
    as_text = rows.astype(str).replace({"nan": None, "None": None})
    np.testing.assert_allclose(pipe.predict(as_text), pipe.predict(rows))


def test_prepare_features_names_missing_columns(mixed: pd.DataFrame) -> None:
    assert prepare_features(mixed, ["cat", "num"]).columns.tolist() == ["cat", "num"]
    with pytest.raises(DataError, match=r"Missing feature column\(s\): ghost, spirit\."):
        prepare_features(mixed, ["num", "ghost", "spirit"])


@pytest.mark.parametrize("key", ["ridge", "tree"])
def test_a_column_with_no_values_at_fit_keeps_its_place(key: str) -> None:
    frame = pd.DataFrame(
        {"num": [np.nan] * 6, "cat": pd.Series([None] * 6, dtype=object), "x": range(6)}
    )
    prof = profile_table(frame.assign(num=range(6), cat=list("abcabc")))  # roles as if filled
    pipe, _ = build_pipeline(get_spec(key), R, {}, prof, ["num", "cat", "x"])
    pipe.fit(frame[["num", "cat", "x"]], np.arange(6.0))
    out = pipe[:-1].transform(frame[["num", "cat", "x"]])
    assert out.shape == (6, 3)
    assert len(pipe.predict(pd.DataFrame({"num": [1.0], "cat": ["new"], "x": [2]}))) == 1


def test_constant_date_parts_are_not_model_inputs() -> None:
    frame = pd.DataFrame(
        {
            "founded": [f"{year}-01-01" for year in range(1990, 2030)],
            "y": np.arange(40.0) % 7,
        }
    )
    profile = profile_table(frame)
    pipe, plan = build_pipeline(get_spec("ridge"), R, {}, profile, ["founded"])
    pipe.fit(frame[["founded"]], frame["y"])
    used = list(pipe.named_steps["prep"].get_feature_names_out())
    assert used == ["founded_year", "founded_dayofweek"]
    assert "founded_month" not in plan.describe().to_string()


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["b", None, "a", "b", "cc"], dtype="str"),
        pd.Series([1, 2.0, np.nan, 3, 1]),
        pd.Series([True, False, True, True, False]),
        pd.Series([1, "1", 1.0, "x", None], dtype=object),
        pd.Series([None, None, None], dtype=object),
    ],
    ids=["arrow text", "numbers", "booleans", "mixed", "all missing"],
)
def test_category_values_are_the_category_texts_stored_once(values: pd.Series) -> None:
    texts = category_texts(values)
    compact = category_values(values)
    assert isinstance(compact.dtype, pd.CategoricalDtype)
    assert compact.cat.categories.dtype == object  # plain Python strings for scikit-learn
    assert compact.isna().tolist() == texts.isna().tolist()
    assert compact.dropna().astype(object).tolist() == texts.dropna().tolist()


def test_the_clean_step_keeps_categories_compact_and_predicts_as_the_exported_model() -> None:
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "city": pd.Series(rng.choice(["north", "south", None], n), dtype="str"),
            "code": rng.choice([1, 2, 3], n),
        }
    )
    frame["y"] = frame["a"] + frame["city"].eq("north") + rng.normal(size=n)
    prof = profile_table(frame)
    features = ["a", "city", "code"]
    pipe, plan = build_pipeline(get_spec("ridge"), Task.REGRESSION, {}, prof, features)
    cleaned = pipe[0].fit(frame[features]).transform(frame[features])
    assert [c for c in cleaned if isinstance(cleaned[c].dtype, pd.CategoricalDtype)] == list(
        plan.categorical
    )
    pipe.fit(frame[features], frame["y"])
    as_text = clean_features(frame[features], plan.numeric, plan.categorical, plan.datetime)
    assert np.allclose(portable(pipe).predict(as_text), pipe.predict(frame[features]))


def test_linear_models_get_a_sparse_matrix_trees_a_dense_one() -> None:
    # one category column among numbers: over 30 % of the cells are non-zero, which made
    # scikit-learn's rule hand a dense matrix to linear models (a dense copy of 1M rows)
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=200) for i in range(4)})
    frame["kind"] = rng.choice(["p", "q", "r"], 200)
    prof = profile_table(frame)
    features = list(frame.columns)
    for algorithm, sparse in (("ridge", True), ("logistic", True), ("tree", False)):
        task = Task.CLASSIFICATION if algorithm == "logistic" else Task.REGRESSION
        pipe, _ = build_pipeline(get_spec(algorithm), task, {}, prof, features)
        matrix = pipe[:-1].fit_transform(frame[features])
        assert sp.issparse(matrix) == sparse, algorithm


@pytest.mark.parametrize("dtype", ["str", object])
def test_date_parts_of_a_long_column_are_those_of_each_row(dtype: object) -> None:
    """Each distinct text is split once and the rows take theirs: the same numbers as
    parsing and splitting every row."""
    from mllib.cleaning import date_part_columns
    from mllib.profile import DATE_PARTS, date_part, parse_dates

    texts = ["2024-01-05", "05/01/2024", "Jan 5 2024", "2023-12-31 23:59", "nope", "", None]
    values = pd.Series(texts * 300, dtype=dtype, index=range(7, 7 + 7 * 300))
    fast = date_part_columns("when", values)
    parsed = parse_dates(values)
    assert list(fast) == [f"when_{part}" for part in DATE_PARTS]
    for part in DATE_PARTS:
        slow = date_part(parsed, part).astype(float)
        column = fast[f"when_{part}"]
        assert column.dtype == float and list(column.index) == list(values.index)
        np.testing.assert_array_equal(column.to_numpy(), slow.to_numpy())
