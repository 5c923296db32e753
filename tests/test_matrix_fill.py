"""A large matrix written chunk by chunk from the cleaned columns (mllib.matrix_fill) is the one
scikit-learn's ColumnTransformer makes from the same rows: every fitted step, the bookkeeping
and the matrix entry for entry, for missing numbers, zeros, a reference category left out,
categories first seen in the test rows, dense results and set-ups it does not take."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from mllib import matrix_fill, summary_fit
from mllib.cleaning import category_values, clean_features
from mllib.pipeline import ColumnPlan, build_preprocessor
from mllib.summary_fit import plain
from tests.fitted_state import same, state


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small tables take the path (from MIN_ROWS rows in a session), in several chunks."""
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 0)
    monkeypatch.setattr(matrix_fill, "CHUNK_ROWS", 97)


def _table(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 4, n).astype(float),  # zeros: rows with fewer entries
            "c": np.where(rng.random(n) < 0.3, 5.0, rng.exponential(size=n)),
            "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "code": rng.choice([f"k{i:02d}" for i in range(45)], n),  # infrequent ones grouped
            "flag": rng.choice(["yes", "no"], n),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), "D"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "a"] = np.nan
    frame.loc[rng.random(n) < 0.05, "region"] = None
    frame.loc[: n // 3, "code"] = "k00"  # a frequent first level
    frame.loc[n - 5 :, "region"] = "unseen"  # only in rows the model is not trained on
    frame["when"] = frame["when"].astype(str)
    return frame


def _inputs(frame: pd.DataFrame, plan: ColumnPlan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The preprocessing's input as text (an exported model's) and with categoricals (a
    session's)."""
    text = clean_features(frame, plan.numeric, plan.categorical, plan.datetime)
    compact = text.assign(**{c: category_values(text[c]) for c in plan.categorical})
    return text, compact


def _same_matrix(ours: Any, theirs: Any) -> None:
    assert sp.issparse(ours) == sp.issparse(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if not sp.issparse(ours):
        np.testing.assert_array_equal(ours, theirs)
        return
    assert ours.format == theirs.format == "csr"
    for part in ("indptr", "indices", "data"):
        mine, bare = getattr(ours, part), getattr(theirs, part)
        assert mine.dtype == bare.dtype and np.array_equal(mine, bare), part


PLANS = {
    "scaled": ColumnPlan(("a", "b", "c"), ("region", "code", "flag"), ("when",), scale=True),
    "reference": ColumnPlan(
        ("a", "b", "c"), ("region", "code", "flag"), (), scale=True, reference=True
    ),
    "unscaled": ColumnPlan(("a", "b"), ("region", "flag"), ("when",), scale=False),
}


@pytest.mark.parametrize("name", list(PLANS))
@pytest.mark.parametrize(("seed", "n"), [(0, 700), (1, 2001)])
def test_fitted_on_rows_as_scikit_learn_fits_them(name: str, seed: int, n: int) -> None:
    plan = PLANS[name]
    text, compact = _inputs(_table(seed, n), plan)
    split = np.random.default_rng(seed).permutation(n)
    train, test = split[: n * 3 // 4], split[n * 3 // 4 :]
    prep = build_preprocessor(plan, dense=False, sparse=True)
    ours = clone(prep)
    out = ours.fit_transform(compact, rows=train)
    bare = plain(clone(prep))
    expected = bare.fit_transform(text.iloc[train])
    _same_matrix(out, expected)
    assert same(state(plain(ours)), state(bare))  # branches, output indices, sparse rule
    assert list(ours.get_feature_names_out()) == list(bare.get_feature_names_out())
    _same_matrix(ours.transform(compact, rows=test), bare.transform(text.iloc[test]))
    _same_matrix(ours.transform(compact), bare.transform(text))


def test_it_is_the_path_taken_and_stays_in_scikit_learn_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = PLANS["scaled"]
    text, compact = _inputs(_table(2, 600), plan)
    filled: list[int] = []
    real = matrix_fill.fill
    monkeypatch.setattr(
        matrix_fill,
        "fill",
        lambda *a: filled.append(len(a[2])) or real(*a),  # type: ignore[func-returns-value]
    )
    prep = build_preprocessor(plan, dense=False, sparse=True)
    clone(prep).fit_transform(compact, rows=np.arange(0, 600, 2))
    assert filled == [300]
    clone(prep).fit_transform(text)  # text categories: scikit-learn's path
    build_preprocessor(plan, dense=True).fit_transform(compact)  # dense one-hot: the same
    assert filled == [300]
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 10_000)
    clone(prep).fit_transform(compact)
    assert filled == [300]


def test_a_dense_result_follows_scikit_learns_density_rule() -> None:
    """Few one-hot columns next to many numbers: over 30 % of the cells hold a value, and
    ColumnTransformer returns a dense array."""
    plan = ColumnPlan(("a", "b", "c"), ("flag",), (), scale=True)
    text, compact = _inputs(_table(3, 500), plan)
    prep = build_preprocessor(plan, dense=False)  # sparse_threshold 0.3
    ours, bare = clone(prep), plain(clone(prep))
    out = ours.fit_transform(compact, rows=np.arange(400))
    expected = bare.fit_transform(text.iloc[:400])
    assert not ours.sparse_output_ and isinstance(out, np.ndarray)
    _same_matrix(out, expected)
    _same_matrix(ours.transform(compact, rows=np.arange(400, 500)), bare.transform(text[400:]))


def test_an_empty_numeric_column_follows_scikit_learns_rule() -> None:
    plan = PLANS["scaled"]
    frame = _table(4, 500)
    frame.loc[:399, "c"] = np.nan  # no value in the training rows
    text, compact = _inputs(frame, plan)
    prep = build_preprocessor(plan, dense=False, sparse=True)
    ours, bare = clone(prep), plain(clone(prep))
    _same_matrix(
        ours.fit_transform(compact, rows=np.arange(400)), bare.fit_transform(text.iloc[:400])
    )
    _same_matrix(ours.transform(compact), bare.transform(text))


def test_a_missing_column_is_scikit_learns_error() -> None:
    plan = PLANS["scaled"]
    _, compact = _inputs(_table(5, 300), plan)
    prep = clone(build_preprocessor(plan, dense=False, sparse=True))
    prep.fit_transform(compact)
    with pytest.raises(ValueError, match="columns are missing"):
        prep.transform(compact.drop(columns="code"))


def test_the_cleaning_step_cleans_categories_on_threads_to_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mllib.pipeline import Clean

    frame = _table(6, 800)
    step = Clean(("a", "b", "c"), ("region", "code", "flag"), ("when",))
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 10_000)
    alone = step.fit(frame).transform(frame)  # one column after another
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 0)
    threads: list[str] = []
    real = matrix_fill.map_threads
    monkeypatch.setattr(
        "mllib.pipeline.map_threads", lambda fn, items: threads.append("used") or real(fn, items)
    )
    together = step.transform(frame)  # MIN_ROWS is 0 here: the threaded path
    assert threads == ["used"]
    pd.testing.assert_frame_equal(together, alone)
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 10_000)
    step.transform(frame)
    assert threads == ["used"]


def test_the_fittings_scratch_memory_is_returned_before_the_matrix_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = PLANS["scaled"]
    _, compact = _inputs(_table(7, 400), plan)
    order: list[str] = []
    real_fill, real_return = matrix_fill.fill, matrix_fill._return_free_memory
    monkeypatch.setattr(matrix_fill, "fill", lambda *a: order.append("fill") or real_fill(*a))  # type: ignore[func-returns-value]
    monkeypatch.setattr(
        matrix_fill,
        "_return_free_memory",
        lambda: order.append("return") or real_return(),  # type: ignore[func-returns-value]
    )
    clone(build_preprocessor(plan, dense=False, sparse=True)).fit_transform(compact)
    assert order == ["return", "fill"]
