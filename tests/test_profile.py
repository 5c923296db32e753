"""Column roles, the task a target implies, default choices and target checks."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mllib import profile
from mllib.errors import DataError
from mllib.profile import (
    Role,
    Task,
    check_target,
    default_features,
    default_target,
    detect_task,
    distributions,
    drop_bad_target_rows,
    drop_rare_classes,
    profile_column,
    profile_table,
)

C, R = Task.CLASSIFICATION, Task.REGRESSION
N = 40


@pytest.fixture
def table() -> pd.DataFrame:
    """One column per role, 40 rows."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "row_id": np.arange(100, 100 + N),
            "height": rng.normal(170, 10, N).round(1),
            "colour": rng.choice(["red", "green", "blue"], N),
            "member": rng.choice([True, False], N),
            "answer": rng.choice(["yes", "no"], N),
            "joined": pd.date_range("2024-01-01", periods=N, freq="D").astype(str),
            "stamp": pd.date_range("2024-01-01", periods=N, freq="h"),
            "country": "UK",
            "level": 7,
            "nothing": np.nan,
            "uid": [f"U{i:05d}" for i in range(N)],
            "comment": [f"this was a fine visit number {i}" for i in range(N)],
            "score": rng.normal(size=N),
        }
    )


EXPECTED_ROLES = {
    "row_id": (Role.ID_LIKE, "a unique number per row, like a row ID"),
    "height": (Role.NUMERIC, ""),
    "colour": (Role.CATEGORICAL, ""),
    "member": (Role.BOOLEAN, ""),
    "answer": (Role.BOOLEAN, ""),
    # N days / hours from 1 January 2024: the year (and, hourly, the month) never changes
    "joined": (
        Role.DATETIME,
        "dates; expanded into month, day and weekday (year: the same in every row)",
    ),
    "stamp": (
        Role.DATETIME,
        "dates; expanded into day and weekday (year and month: the same in every row)",
    ),
    "country": (Role.CONSTANT, "every value is 'UK'"),
    "level": (Role.CONSTANT, "every value is 7"),
    "nothing": (Role.EMPTY, "every value is missing"),
    "uid": (Role.ID_LIKE, "40 different values in 40 rows, like an ID"),
    "comment": (Role.TEXT, "free text (almost every value is different)"),
    "score": (Role.NUMERIC, ""),
}


def test_every_role_with_its_reason(table: pd.DataFrame) -> None:
    prof = profile_table(table)
    assert prof.names == list(table.columns)
    found = {c.name: (c.role, c.reason) for c in prof.columns}
    assert found == EXPECTED_ROLES


def test_column_statistics(table: pd.DataFrame) -> None:
    prof = profile_table(table)
    row_id = prof["row_id"]
    assert (row_id.minimum, row_id.maximum, row_id.mean) == (100.0, 139.0, 119.5)
    assert row_id.distinct == N and row_id.missing == 0.0
    joined = prof["joined"]
    assert (joined.minimum, joined.maximum) == ("2024-01-01", "2024-02-09")
    assert prof["nothing"].missing == 1.0
    assert prof["colour"].minimum is None
    assert [c.usable for c in prof.columns] == [
        False, True, True, True, True, True, True, False, False, False, False, False, True
    ]  # fmt: skip
    with pytest.raises(KeyError):
        prof["ghost"]


def test_infinity_counts_as_missing() -> None:
    col = profile_column(pd.Series([1.0, np.inf, -np.inf, np.nan, 2.0], name="x"))
    assert col.missing == pytest.approx(3 / 5)
    assert col.distinct == 2
    assert (col.minimum, col.maximum) == (1.0, 2.0)


def test_times_of_day_are_categories_not_dates() -> None:
    times = pd.Series(["09:30", "12:45", "17:00"] * 10, name="slot")
    assert profile_column(times).role == Role.CATEGORICAL
    stamps = pd.Series(["2024-03-01 09:30", "2024-03-02 12:45"] * 10, name="at")
    assert profile_column(stamps).role == Role.DATETIME


def test_small_unique_integers_are_not_ids() -> None:
    assert profile_column(pd.Series(range(10), name="id")).role == Role.NUMERIC
    unnamed = pd.Series(np.random.default_rng(1).permutation(1000)[:50] * 3, name="amount")
    assert profile_column(unnamed).role == Role.NUMERIC  # unique but neither named nor 1,2,3…


def test_a_small_table_s_unique_names_are_ids() -> None:
    """cpunish.csv: 17 states in 17 rows were a feature, one weight per row (test R² -3.6)."""
    states = ["Texas", "Virginia", "Missouri", "Arkansas", "Alabama", "Arizona", "Illinois"]
    col = profile_column(pd.Series(states * 2 + ["Ohio", "Utah", "Iowa"], name="STATE"))
    assert col.role == Role.CATEGORICAL  # repeated values are categories
    col = profile_column(pd.Series([*states, "Ohio", "Utah", "Iowa"], name="STATE"))
    assert (col.role, col.reason) == (Role.ID_LIKE, "10 different values in 10 rows, like an ID")
    frame = pd.DataFrame({"STATE": [*states, "Ohio", "Utah", "Iowa"], "y": range(10)})
    assert default_features(profile_table(frame), "y").features == []


def test_many_categories_are_too_many_to_encode() -> None:
    values = [f"k{i % 1500}" for i in range(6000)]
    col = profile_column(pd.Series(values, name="kind"))
    assert (col.role, col.reason) == (Role.ID_LIKE, "1500 categories: too many to one-hot encode")


def test_profile_table_view_for_the_page(table: pd.DataFrame) -> None:
    view = profile_table(table).to_frame()
    assert view.columns.tolist() == [
        "column", "type", "role", "missing %", "distinct", "min", "max", "mean", "note"
    ]  # fmt: skip
    first = view.iloc[0].to_dict()
    assert first["role"] == "ID-like"
    assert (first["min"], first["max"], first["mean"]) == ("100", "139", "119.5")
    assert view.set_index("column").loc["nothing", "missing %"] == 100.0
    assert view.set_index("column").loc["colour", "min"] == ""


def test_large_tables_are_profiled_on_a_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile, "PROFILE_SAMPLE", 100)
    frame = pd.DataFrame({"x": [f"k{i % 7}" for i in range(250)], "y": np.arange(250) * 0.5})
    prof = profile_table(frame)
    assert prof.sampled_rows == 100
    assert prof.n_rows == 250  # the table's size, not the sample's
    assert [len(h) for h in distributions(frame, prof)] == [7, 12]
    assert profile_table(frame.head(100)).sampled_rows is None


def test_distributions_give_small_histograms(table: pd.DataFrame) -> None:
    prof = profile_table(table)
    hist = dict(zip(prof.names, distributions(table, prof, bins=5), strict=True))
    assert len(hist["height"]) == 5 and sum(hist["height"]) == N
    assert sum(hist["colour"]) == N and len(hist["colour"]) == 3
    assert hist["uid"] == [] and hist["nothing"] == []


# --- task detection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "task", "reason"),
    [
        (["cat", "dog", "cat", "bird"], C, "the target holds 3 text labels"),
        ([True, False, True], C, "the target is true/false"),
        ([0, 1, 2, 1, 0, 2], C, "the target has only 3 distinct whole numbers"),
        ([1.0, 2.0, 1.0, 2.0, np.nan, np.inf], C, "the target has only 2 distinct whole numbers"),
        ([3, 1, 4, 5, 9, 2], R, "the target is numeric with 6 distinct values"),  # no repeats
        ([0.5, 1.25, 2.0], R, "the target is numeric with 3 distinct values"),
        (list(range(100)), R, "the target is numeric with 100 distinct values"),
    ],
)
def test_detect_task_says_why(values: list, task: Task, reason: str) -> None:
    guess = detect_task(pd.Series(values))
    assert (guess.task, guess.reason) == (task, reason)


def test_many_rows_allow_up_to_twenty_integer_classes() -> None:
    many = pd.Series(np.arange(2000) % 20)
    assert detect_task(many).task == C
    assert detect_task(pd.Series(np.arange(2000) % 21)).task == R
    assert detect_task(pd.Series(np.arange(100) % 12)).task == R  # few rows: at most 10


# --- defaults ---------------------------------------------------------------------------------


def test_default_target_prefers_a_target_like_name(table: pd.DataFrame) -> None:
    assert default_target(profile_table(table)) == "score"  # last usable column
    named = table.assign(label=np.where(table["height"] > 170, "tall", "short"))
    named = named[["label", *table.columns]]
    assert default_target(profile_table(named)) == "label"


def test_default_target_skips_unusable_last_columns(table: pd.DataFrame) -> None:
    frame = table[["height", "colour", "uid", "nothing"]]
    assert default_target(profile_table(frame)) == "colour"


def test_default_features_exclude_ids_and_constants_with_a_reason(table: pd.DataFrame) -> None:
    choice = default_features(profile_table(table), "score")
    assert choice.features == ["height", "colour", "member", "answer", "joined", "stamp"]
    assert choice.excluded == {
        "row_id": "ID-like: a unique number per row, like a row ID",
        "country": "constant: every value is 'UK'",
        "level": "constant: every value is 7",
        "nothing": "empty: every value is missing",
        "uid": "ID-like: 40 different values in 40 rows, like an ID",
        "comment": "free text: free text (almost every value is different)",
    }


# --- target checks ----------------------------------------------------------------------------


def test_check_target_counts_missing_and_infinite_values() -> None:
    frame = pd.DataFrame({"y": [1.5, np.nan, np.inf, -np.inf, 2.5, np.nan, 3.5]})
    check = check_target(frame, "y", R)
    assert (check.missing, check.infinite, check.bad_rows) == (2, 2, 4)
    assert check.errors == ()
    assert check.warnings == (
        "The target “y” has 2 missing and 2 infinite value(s); those rows cannot be used for "
        "training.",
    )
    cleaned = drop_bad_target_rows(frame.assign(x=range(7)), "y")
    assert cleaned["y"].tolist() == [1.5, 2.5, 3.5]
    assert cleaned["x"].tolist() == [0, 4, 6]
    assert cleaned.index.tolist() == [0, 1, 2]


def test_drop_bad_target_rows_keeps_text_and_drops_missing_labels() -> None:
    frame = pd.DataFrame({"y": ["a", None, "inf", "b"]})
    assert drop_bad_target_rows(frame, "y")["y"].tolist() == ["a", "inf", "b"]
    assert check_target(frame, "y", C).missing == 1


@pytest.mark.parametrize(
    ("values", "task", "message"),
    [
        ([5] * 12, R, r"The target “y” has a single value \(5\): there is nothing to predict"),
        (["a"] * 12, C, r"has a single value \('a'\)"),
        ([np.nan] * 12, C, r"has a single value: there is nothing"),
        ([0.5, 1.7, 2.2, 3.1] * 3, C, r"holds decimal numbers \(4 distinct values\).*regression"),
        (["a", "b"] * 6, R, "is text, which regression cannot predict.*classification"),
        ([True, False] * 6, R, "is true/false, which regression cannot predict"),
        (["a"] * 6 + ["b"] * 5 + ["c"], C, r"1 class\(es\) of “y” have a single row \(c\)"),
    ],
)
def test_check_target_blocks_what_cannot_be_trained(values: list, task: Task, message: str) -> None:
    check = check_target(pd.DataFrame({"y": values}), "y", task)
    assert len(check.errors) == 1
    assert re.search(message, check.errors[0]), check.errors[0]


def test_check_target_warns_about_codes_and_too_many_classes() -> None:
    codes = check_target(pd.DataFrame({"y": [1, 2, 3] * 5}), "y", R)
    assert codes.errors == ()
    assert codes.warnings == (
        "The target has only 3 whole-number values; if they are codes for categories, "
        "classification is the right task.",
    )
    many = check_target(pd.DataFrame({"y": [f"k{i % 60}" for i in range(180)]}), "y", C)
    assert many.warnings == ("The target has 60 classes; with so many, regression may fit better.",)


def test_check_target_counts_single_row_classes_apart_from_its_wording() -> None:
    rare = check_target(pd.DataFrame({"y": ["a"] * 6 + ["b"] * 5 + ["c", "d"]}), "y", C)
    assert rare.rare_classes == 2
    assert check_target(pd.DataFrame({"y": ["a", "b"] * 6}), "y", C).rare_classes == 0
    # a regression target has no classes, however unique its values
    assert check_target(pd.DataFrame({"y": range(12)}), "y", R).rare_classes == 0


def test_check_target_needs_the_column() -> None:
    with pytest.raises(DataError, match=r"The target column “ghost” is not in the table\."):
        check_target(pd.DataFrame({"y": [1, 2]}), "ghost", R)


def test_drop_rare_classes() -> None:
    frame = pd.DataFrame({"y": ["a", "a", "b", "c", "c", "c"], "x": range(6)})
    kept = drop_rare_classes(frame, "y")
    assert kept["y"].tolist() == ["a", "a", "c", "c", "c"]
    assert drop_rare_classes(frame, "y", min_count=3)["x"].tolist() == [3, 4, 5]


def test_text_with_a_distinct_value_in_most_rows_starts_unticked() -> None:
    from mllib.profile import default_features, profile_table

    names = [f"car {i}" for i in range(311)] + [f"car {i}" for i in range(95)]
    frame = pd.DataFrame(
        {"name": names, "origin": ["usa", "japan"] * 203, "mpg": np.arange(406) * 0.1}
    )
    prof = profile_table(frame)
    assert prof["name"].role == Role.ID_LIKE
    assert prof["name"].reason == "311 different values in 406 rows, like a name or an ID"
    choice = default_features(prof, "mpg")
    assert choice.features == ["origin"] and "name" in choice.excluded


def test_date_parts_that_never_change_are_not_used() -> None:
    frame = pd.DataFrame(
        {
            "founded": [f"{year}-01-01" for year in range(1990, 2020)],
            "visit": pd.date_range("2024-03-01", periods=30, freq="3D").astype(str),
        }
    )
    profile = profile_table(frame)
    assert profile["founded"].date_parts == ("year", "dayofweek")  # 1 January of each year
    assert "month and day: the same in every row" in profile["founded"].reason
    assert profile["visit"].date_parts == ("month", "day", "dayofweek")  # all in 2024


def test_a_date_that_never_changes_at_all_still_gives_its_year() -> None:
    from mllib.profile import varying_date_parts

    assert varying_date_parts(pd.Series(pd.to_datetime(["2024-05-05"] * 3))) == ("year",)


@pytest.mark.parametrize("dtype", ["str", object])
@pytest.mark.parametrize("zoned", [False, True])
def test_repeated_dates_are_parsed_once_each_with_the_same_result(
    dtype: object, zoned: bool
) -> None:
    """Long columns parse each distinct text once; the dates are those of parsing each row."""
    texts = [
        "2024-01-05", "05/01/2024", "Jan 5 2024", "2024-01-05 13:45", "not a date", "", None,
        "2024-13-45", "2024-02-29",
    ]  # fmt: skip
    if zoned:
        texts.append("2024-01-05T13:45:00+02:00")
    values = pd.Series(texts * 150, dtype=dtype, name="when", index=range(5, 5 + 150 * len(texts)))
    parsed = profile.parse_dates(values)
    assert parsed.name == "when" and list(parsed.index) == list(values.index)
    pd.testing.assert_series_equal(parsed, profile._parse_each(values))
    if zoned:  # naive and zoned dates together: read as UTC (pandas refuses to mix them)
        assert str(parsed.dtype) == "datetime64[us, UTC]"
        assert parsed.iloc[9] == pd.Timestamp("2024-01-05 11:45", tz="UTC")
    else:
        one_by_one = [profile.parse_dates(pd.Series([t]))[0] for t in texts] * 150
        assert [str(v) for v in parsed] == [str(v) for v in one_by_one]


def test_dates_with_and_without_a_time_zone_are_still_dates() -> None:
    """pandas refuses to mix them ("Mixed timezones detected"); this failed the upload."""
    stamps = pd.Series(["2024-01-05", "2024-01-06T10:00:00+02:00"] * 20, name="when")
    assert profile_column(stamps).role == Role.DATETIME
