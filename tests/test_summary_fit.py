"""The categorical branch fitted from category codes (mllib.summary_fit) is scikit-learn's own
imputer → one-hot pipeline fitted on every row: the same fitted steps, the same encoded columns
for rare categories, missing values and categories first seen at predict time, and the same
predictions from the exported (plain scikit-learn) model."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from mllib import summary_fit
from mllib.catalogue import get_spec
from mllib.cleaning import category_values, clean_features
from mllib.pipeline import ColumnPlan, build_pipeline, build_preprocessor, portable
from mllib.profile import Task, profile_table
from mllib.summary_fit import CountedCategories, plain
from tests.fitted_state import same, state


@pytest.fixture(autouse=True)
def counted_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shortcut is taken from MIN_ROWS rows; these small tables must take it too."""
    monkeypatch.setattr(summary_fit, "MIN_ROWS", 0)


def _table(seed: int, n: int) -> pd.DataFrame:
    """Categorical columns with rare levels (under 1 % of rows), holes, ties and many levels."""
    rng = np.random.default_rng(seed)
    common = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    rare = np.where(rng.random(n) < 0.03, rng.choice(["r1", "r2", "r3", "r4", "r5"], n), common)
    many = rng.choice([f"k{i:02d}" for i in range(45)], n)  # over MAX_CATEGORIES levels
    tied = np.array(["b", "a"] * (n // 2) + ["c"] * (n % 2))  # the imputer breaks a tie
    flag = (common == "east").astype(object)
    frame = pd.DataFrame({"region": rare, "code": many, "tied": tied, "flag": flag}, dtype=object)
    for name in frame.columns:
        frame.loc[rng.random(n) < 0.05, name] = None
    return frame


TABLES = [_table(seed, n) for seed, n in ((0, 400), (1, 1500), (2, 3001))]


def _cleaned(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The branch's input as text (the exported model's) and as categoricals (a session's)."""
    text = clean_features(frame, categorical=list(frame.columns))
    return text, text.apply(category_values)


def _branch(drop: bool, dense: bool) -> Pipeline:
    plan = ColumnPlan((), ("region", "code", "tied", "flag"), (), scale=False, reference=drop)
    return build_preprocessor(plan, dense=dense).transformers[0][1]


@pytest.mark.parametrize("frame", TABLES, ids=["400", "1500", "3001"])
@pytest.mark.parametrize("drop", [False, True], ids=["all", "reference"])
def test_fitting_from_counts_gives_the_steps_a_fit_on_every_row_gives(
    frame: pd.DataFrame, drop: bool
) -> None:
    text, compact = _cleaned(frame)
    branch = _branch(drop, dense=False)
    assert isinstance(branch, CountedCategories)
    counted = clone(branch).fit(compact)
    bare = Pipeline(clone(branch).steps).fit(text)  # scikit-learn on every row of text
    encoder = counted.named_steps["onehot"]
    assert any(rare is not None for rare in encoder.infrequent_categories_)  # rare levels
    for (name, ours), (_, theirs) in zip(counted.steps, bare.steps, strict=True):
        assert same(state(ours), state(theirs)), name


@pytest.mark.parametrize("frame", TABLES, ids=["400", "1500", "3001"])
@pytest.mark.parametrize("drop", [False, True], ids=["all", "reference"])
@pytest.mark.parametrize("dense", [False, True], ids=["sparse", "dense"])
def test_encoded_columns_are_those_of_scikit_learn_with_unseen_and_missing_values(
    frame: pd.DataFrame, drop: bool, dense: bool
) -> None:
    train, test = frame.iloc[: len(frame) // 2], frame.iloc[len(frame) // 2 :].copy()
    test.iloc[:5, 0] = "never seen"  # unseen at predict time: infrequent (a rare group exists)
    test.iloc[5:9, 1] = "k99"
    test.iloc[9:12, 2] = "zzz"  # unseen where no rare group exists: no column at all
    test.iloc[12:15, :] = None
    text_train, compact_train = _cleaned(train)
    text_test, compact_test = _cleaned(test)
    branch = _branch(drop, dense)
    counted = clone(branch).fit(compact_train)
    bare = Pipeline(clone(branch).steps).fit(text_train)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn names unseen categories
        for ours, theirs in (
            (counted.transform(compact_test), bare.transform(text_test)),
            (counted.transform(compact_train), bare.transform(text_train)),
            (clone(branch).fit_transform(compact_train), bare.transform(text_train)),
            (plain(counted).transform(text_test), bare.transform(text_test)),
        ):
            assert sp.issparse(ours) == sp.issparse(theirs) == (not dense)
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            if dense:
                np.testing.assert_array_equal(ours, theirs)
            else:
                assert (ours != theirs).nnz == 0
                np.testing.assert_array_equal(ours.toarray(), theirs.toarray())


def test_text_input_is_fitted_by_scikit_learn_unchanged() -> None:
    text, _ = _cleaned(TABLES[0])
    branch = _branch(False, dense=True)
    fitted = clone(branch).fit(text)
    bare = Pipeline(clone(branch).steps).fit(text)
    np.testing.assert_array_equal(fitted.transform(text), bare.transform(text))


def test_a_column_without_values_is_left_to_scikit_learn() -> None:
    text, compact = _cleaned(pd.DataFrame({"a": ["x", "y", None, "x"], "b": [None] * 4}))
    branch = _branch(False, dense=True)
    ours = clone(branch).fit_transform(compact)
    np.testing.assert_array_equal(ours, Pipeline(clone(branch).steps).fit_transform(text))


@pytest.mark.parametrize(
    ("key", "task"),
    [("ridge", Task.REGRESSION), ("logistic", Task.CLASSIFICATION), ("tree", Task.CLASSIFICATION)],
)
def test_the_exported_model_is_plain_scikit_learn_and_predicts_thesame(
    key: str, task: Task
) -> None:
    frame = TABLES[2].copy()
    rng = np.random.default_rng(5)
    frame["x"] = rng.normal(size=len(frame))
    signal = frame["x"] + frame["region"].eq("r1") * 3 + frame["code"].eq("k01")
    frame["y"] = signal if task == Task.REGRESSION else np.where(signal > 0.2, "up", "down")
    features = ["x", "region", "code", "tied", "flag"]
    prof = profile_table(frame)
    pipe, plan = build_pipeline(get_spec(key), task, {}, prof, features)
    pipe.fit(frame[features], frame["y"])
    exported = portable(pipe)
    prep = exported.named_steps["prep"]
    kinds = {type(step).__module__.split(".")[0] for _, step, _ in prep.transformers_}
    assert isinstance(pipe.named_steps["prep"].named_transformers_["cat"], CountedCategories)
    assert type(exported.named_steps["prep"].named_transformers_["cat"]) is Pipeline
    assert kinds <= {"sklearn", "builtins"}
    # the same steps as scikit-learn fitting the exported form on the cleaned text
    bare = clone(exported).fit(
        clean_features(frame[features], plan.numeric, plan.categorical, plan.datetime), frame["y"]
    )
    new = frame[features].sample(300, random_state=1).copy()
    new.iloc[:10, 1] = "unheard of"
    cleaned = clean_features(new, plan.numeric, plan.categorical, plan.datetime)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = exported.predict(cleaned)
        np.testing.assert_array_equal(pipe.predict(new), ours)
        np.testing.assert_array_equal(bare.predict(cleaned), ours)


def _numbers(seed: int, n: int) -> pd.DataFrame:
    """Float columns with holes, ties, an even and an odd count of present values, and a
    column that is exactly zero in places (a sparse matrix leaves those out)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.integers(0, 4, n).astype(float),
            "c": np.where(rng.random(n) < 0.3, 0.0, rng.exponential(size=n)),
        }
    )
    frame.loc[rng.random(n) < 0.1, "a"] = np.nan
    frame.loc[: n % 7, "b"] = np.nan
    return frame


@pytest.mark.parametrize(("seed", "n"), [(0, 200), (1, 201), (2, 5000)])
@pytest.mark.parametrize("scale", [False, True], ids=["impute", "impute+scale"])
def test_medians_are_those_of_scikit_learn_to_the_bit(seed: int, n: int, scale: bool) -> None:
    frame = _numbers(seed, n)
    plan = ColumnPlan(("a", "b", "c"), (), (), scale=scale)
    branch = build_preprocessor(plan, dense=True).transformers[0][1]
    ours = clone(branch)
    out = ours.fit_transform(frame)
    bare = Pipeline(clone(branch).steps)
    expected = bare.fit_transform(frame)
    assert ours.named_steps["impute"].statistics_.tobytes() == (
        bare.named_steps["impute"].statistics_.tobytes()
    )
    for (name, mine), (_, theirs) in zip(ours.steps, bare.steps, strict=True):
        assert same(state(mine), state(theirs)), name
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(ours.transform(frame), expected)


@pytest.mark.parametrize("drop", [False, True], ids=["all", "reference"])
@pytest.mark.parametrize("zeros", [False, True], ids=["full-rows", "with-zeros"])
def test_the_stacked_sparse_matrix_is_scipy_hstack_entry_for_entry(drop: bool, zeros: bool) -> None:
    cats = TABLES[1].fillna("filled")  # no hole: every row has one entry per category
    numbers = _numbers(3, len(cats))
    if not zeros:
        numbers = numbers.assign(c=numbers["c"] + 1)
    frame = pd.concat([numbers, cats], axis=1)
    plan = ColumnPlan(("a", "b", "c"), tuple(cats.columns), (), scale=True, reference=drop)
    prep = build_preprocessor(plan, dense=False, sparse=True)
    text = clean_features(frame, plan.numeric, plan.categorical)
    compact = text.assign(**{c: category_values(text[c]) for c in plan.categorical})
    ours = clone(prep).fit_transform(compact)
    bare = plain(clone(prep)).fit_transform(text)  # scikit-learn's ColumnTransformer
    assert type(plain(prep)).__name__ == "ColumnTransformer"
    assert type(ours) is type(bare) and ours.format == "csr" == bare.format
    assert ours.shape == bare.shape and ours.dtype == bare.dtype
    for part in ("indptr", "indices", "data"):
        mine, theirs = getattr(ours, part), getattr(bare, part)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), part


@pytest.mark.parametrize("key", ["linear", "ridge", "lasso"])
def test_linear_models_fit_a_sparse_matrix_without_copying_or_changing_it(key: str) -> None:
    from mllib import training

    rng = np.random.default_rng(4)
    Xt = sp.random(300, 12, density=0.3, format="csr", random_state=4) * 5
    y = pd.Series(Xt @ rng.normal(size=12) + 3 + rng.normal(size=300))
    model = get_spec(key).build(Task.REGRESSION, get_spec(key).defaults(Task.REGRESSION), 0)
    copied = clone(model).fit(Xt, y)  # with the copy: scikit-learn's defaults
    before = Xt.copy()
    training._fit_model(model, Xt, y)
    assert model.get_params()["copy_X"] is True
    for part in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(Xt, part), getattr(before, part))
    np.testing.assert_array_equal(model.coef_, copied.coef_)
    assert model.intercept_ == copied.intercept_


@pytest.mark.parametrize(
    "blocks",
    [
        [np.ones((4, 2)), sp.csr_matrix((4, 3))],  # a block with no entry in any row
        [sp.csr_matrix((4, 3))],  # no entry at all
        [sp.csr_matrix(np.eye(4)), np.arange(8.0).reshape(4, 2)],  # a zero in a dense block
        [sp.csr_matrix(np.eye(4)), np.full((4, 3), 2.5), sp.csr_matrix(np.eye(4)[:, ::-1])],
        [np.zeros((0, 2)), sp.csr_matrix((0, 3))],  # no rows
    ],
    ids=["empty-block", "empty", "dense-zero", "regular", "no-rows"],
)
def test_stacking_rows_is_scipy_hstack(blocks: list[Any]) -> None:
    ours = summary_fit._stack_rows(blocks, blocks[0].shape[0])
    theirs = sp.hstack(blocks).tocsr()
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
