"""Search spaces from the catalogue, the resumable search, and the curves (tiny data)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from mllib import catalogue, curves, training, tuning
from mllib.errors import GlassboxError
from mllib.pipeline import build_pipeline
from mllib.profile import Task, profile_table

C, R = Task.CLASSIFICATION, Task.REGRESSION


def _config(frame: pd.DataFrame, target: str, task: Task, algorithm: str, **kw: object):
    features = [c for c in frame.columns if c != target]
    return training.TrainConfig.make(algorithm, task, target, features, {}, **kw)


@pytest.fixture
def iris_data(iris: pd.DataFrame) -> tuning.SplitData:
    config = _config(iris, "species", C, "tree", seed=3)
    return tuning.split_data(iris, profile_table(iris), config)


@pytest.fixture
def small_regression() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    y = 2 * x[:, 0] - x[:, 1] + rng.normal(scale=0.3, size=120)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})


# --- the split ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "test_size"), [(0, 0.25), (7, 0.4)])
def test_split_data_is_the_split_train_model_uses(
    iris: pd.DataFrame, seed: int, test_size: float
) -> None:
    config = _config(iris, "species", C, "logistic", seed=seed, test_size=test_size)
    model = training.train_model(iris, profile_table(iris), config)
    data = tuning.split_data(iris, profile_table(iris), config)
    assert len(data.y_train) == model.n_train
    assert len(data.y_test) == model.n_test
    assert list(data.y_test) == list(model.y_test)


def test_split_data_leaves_out_rows_without_a_target(small_regression: pd.DataFrame) -> None:
    frame = small_regression.copy()
    frame.loc[:9, "y"] = np.nan
    config = _config(frame, "y", R, "ridge")
    data = tuning.split_data(frame, profile_table(frame), config)
    assert len(data.y_train) + len(data.y_test) == 110
    assert not data.y_train.isna().any()


def test_cv_splits_are_stratified_and_capped_by_the_rarest_class() -> None:
    y = pd.Series(["a"] * 20 + ["b"] * 3)
    splits = tuning.cv_splits(y, C, folds=5, seed=0)
    assert len(splits) == 3
    for _, test in splits:
        assert (y.iloc[test] == "b").sum() == 1


# --- the search space -----------------------------------------------------------------------------


def _param(spec_key: str, name: str, task: Task = C) -> catalogue.Param:
    spec = catalogue.get_spec(spec_key)
    return next(p for p in spec.params_for(task) if p.name == name)


def test_grid_values_of_a_log_parameter_span_its_decades_and_keep_the_default() -> None:
    values = tuning.grid_values(_param("svm", "C"), 4)
    assert values == [0.001, 0.1, 1.0, 10.0, 1000.0]


def test_grid_values_keep_special_values_in_place() -> None:
    depth = tuning.grid_values(_param("tree", "max_depth"), 4)
    assert depth[-1] is None
    assert depth[:-1] == sorted(depth[:-1])
    assert 5 in depth  # the default
    gamma = tuning.grid_values(_param("svm", "gamma"), 3)
    assert gamma[0] == "scale"


def test_grid_values_of_a_choice_are_all_its_options() -> None:
    assert tuning.grid_values(_param("svm", "kernel"), 2) == ["rbf", "linear", "poly", "sigmoid"]


def test_search_space_puts_conditional_parameters_only_where_they_apply() -> None:
    spec = catalogue.get_spec("svm")
    grids = tuning.search_space(spec, C, ["kernel", "C", "gamma", "degree"], {}, 3)
    by_kernel = {g["kernel"][0]: g for g in grids}
    assert set(by_kernel) == {"rbf", "linear", "poly", "sigmoid"}
    assert set(by_kernel["linear"]) == {"kernel", "C"}
    assert set(by_kernel["rbf"]) == {"kernel", "C", "gamma"}
    assert set(by_kernel["poly"]) == {"kernel", "C", "gamma", "degree"}


def test_search_space_follows_a_kernel_fixed_in_the_base_settings() -> None:
    spec = catalogue.get_spec("svm")
    (grid,) = tuning.search_space(spec, C, ["C", "gamma"], {"kernel": "linear"}, 3)
    assert set(grid) == {"C"}


def test_grid_candidates_are_complete_clean_and_distinct() -> None:
    spec = catalogue.get_spec("svm")
    candidates = tuning.grid_candidates(spec, C, ["kernel", "C"], {}, 3)
    assert len(candidates) == 4 * 3
    for c in candidates:
        assert c == spec.clean(C, c)
        assert ("degree" in c) == (c["kernel"] == "poly")
    assert len({repr(sorted(c.items())) for c in candidates}) == len(candidates)


def test_a_grid_that_is_too_large_is_refused_with_advice() -> None:
    spec = catalogue.get_spec("tree")
    names = ["max_depth", "min_samples_split", "min_samples_leaf", "ccp_alpha", "criterion"]
    with pytest.raises(GlassboxError, match="randomized search"):
        tuning.grid_candidates(spec, C, names, {}, 8)


def test_random_candidates_are_distinct_valid_and_repeatable() -> None:
    spec = catalogue.get_spec("svm")
    names = ["kernel", "C", "gamma"]
    first = tuning.random_candidates(spec, C, names, {}, 25, seed=1)
    again = tuning.random_candidates(spec, C, names, {}, 25, seed=1)
    assert first == again
    assert len(first) == 25
    assert len({repr(sorted(c.items())) for c in first}) == 25
    assert all(c == spec.clean(C, c) for c in first)
    assert {c["kernel"] for c in first} > {"rbf"}


def test_random_candidates_stop_at_the_size_of_a_small_space() -> None:
    spec = catalogue.get_spec("logistic")
    assert len(tuning.random_candidates(spec, C, ["l1_ratio"], {}, 10, seed=0)) == 2


@pytest.mark.parametrize(
    ("candidates", "rows", "expected"),
    [
        (27, 100_000, ((27, 11_111), (9, 33_333), (3, 100_000))),
        (30, 100, ((30, 100),)),
        (81, 1_000, ((81, 111), (27, 333), (9, 1_000))),
    ],
)
def test_halving_rounds_give_the_best_third_three_times_the_rows(
    candidates: int, rows: int, expected: tuple[tuple[int, int], ...]
) -> None:
    assert tuning.halving_rounds(candidates, rows, min_rows=60) == expected


# --- the search -----------------------------------------------------------------------------------


def _run(data: tuning.SplitData, plan: tuning.SearchPlan, **kw: object) -> tuning.SearchState:
    state = tuning.SearchState(plan)
    for _ in tuning.search(data, state, **kw):
        pass
    return state


def test_grid_search_evaluates_every_fit_and_ranks_the_best_first(
    iris_data: tuning.SplitData,
) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth", "criterion"], {}, folds=3)
    state = _run(iris_data, plan)
    assert state.status == "done"
    assert state.done_fits == plan.total_fits == len(plan.candidates) * 3
    table = tuning.results_table(state)
    assert len(table) == len(plan.candidates)
    scores = table["validation accuracy"].tolist()
    assert scores == sorted(scores, reverse=True)
    assert state.best().validation == pytest.approx(max(scores))
    assert state.best_test is not None and 0.8 <= state.best_test["accuracy"] <= 1.0
    depth_one = table[table["Max depth"] == "1"]["validation accuracy"].max()
    assert depth_one < max(scores)  # one question cannot separate three species


def test_a_stopped_search_keeps_its_results_and_resumes_to_the_same_end(
    iris_data: tuning.SplitData,
) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth", "min_samples_leaf"], {}, folds=3)
    whole = _run(iris_data, plan)
    state = tuning.SearchState(plan)
    steps = tuning.search(iris_data, state, chunk_seconds=0.0)
    next(steps)
    state.status = "stopped"
    assert list(steps) == []
    partial = state.done_fits
    assert 0 < partial < plan.total_fits
    assert len(tuning.results_table(state)) == partial // plan.folds
    state.status = "running"
    for _ in tuning.search(iris_data, state):
        pass
    assert state.status == "done"
    assert state.done_fits == plan.total_fits
    pd.testing.assert_frame_equal(
        tuning.results_table(state).drop(columns="fit s"),
        tuning.results_table(whole).drop(columns="fit s"),
    )


def test_progress_reports_fits_and_time_left(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = tuning.SearchState(plan)
    assert state.progress == 0 and state.seconds_left is None
    first = next(tuning.search(iris_data, state, chunk_seconds=0.0))
    assert 0 < first.progress < 1
    assert first.seconds_left is not None and first.seconds_left >= 0


def test_halving_search_gives_later_rounds_more_rows() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(900, 2))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": np.where(x[:, 0] > 0, "p", "n")})
    config = _config(frame, "y", C, "tree")
    data = tuning.split_data(frame, profile_table(frame), config)
    plan = tuning.plan_search(
        data, "halving", ["max_depth", "min_samples_leaf"], {}, n_candidates=20, folds=3
    )
    assert plan.rounds == ((20, 75), (7, 225), (3, 675))
    state = _run(data, plan)
    assert state.done_fits == plan.total_fits == (20 + 7 + 3) * 3
    rows = {r.round: r.rows for r in state.results}
    assert rows == {0: 75, 1: 225, 2: len(data.y_train)}
    survivors = {r.candidate for r in state.results if r.round == 1}
    first_round = sorted((r for r in state.results if r.round == 0), key=lambda r: -r.score)
    assert survivors == {r.candidate for r in first_round[: len(survivors)]}
    assert tuning.results_table(state)["rows"].iloc[0] == len(data.y_train)


def test_failing_candidates_are_reported_not_fatal() -> None:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=80), "y": rng.normal(size=80)})  # y < 0 too
    config = _config(frame, "y", R, "tree")
    data = tuning.split_data(frame, profile_table(frame), config)
    plan = tuning.plan_search(data, "grid", ["criterion"], {}, folds=3)
    state = _run(data, plan)
    assert state.status == "done"
    table = tuning.results_table(state)
    assert table["validation R²"].isna().sum() == 1  # Poisson needs a non-negative target
    assert table["Split criterion"].iloc[-1] == "Poisson"
    assert state.errors and "negative" in next(iter(state.errors)).lower()


def test_error_metrics_are_shown_as_positive_losses(small_regression: pd.DataFrame) -> None:
    config = _config(small_regression, "y", R, "ridge")
    data = tuning.split_data(small_regression, profile_table(small_regression), config)
    plan = tuning.plan_search(data, "grid", ["alpha"], {}, folds=3, metric="MAE")
    table = tuning.results_table(_run(data, plan))
    assert (table["validation MAE"] > 0).all()
    assert table["validation MAE"].is_monotonic_increasing  # lower is better, best first
    assert table["Regularisation strength α"].iloc[-1] == "1000"  # shrinks the real signal


def test_plan_search_needs_parameters_and_two_settings(iris_data: tuning.SplitData) -> None:
    with pytest.raises(GlassboxError, match="at least one parameter"):
        tuning.plan_search(iris_data, "grid", [], {})
    with pytest.raises(GlassboxError, match="no parameter"):
        tuning.plan_search(iris_data, "grid", ["alpha"], {})


def test_describe_params_uses_labels() -> None:
    spec = catalogue.get_spec("tree")
    text = tuning.describe_params(spec, C, {"max_depth": None, "criterion": "entropy"})
    assert text == "Max depth = unlimited, Split criterion = Entropy (information gain)"


# --- curves ---------------------------------------------------------------------------------------


def test_validation_curve_shows_over_fitting_with_depth(iris_data: tuning.SplitData) -> None:
    table = curves.validation_curve_table(iris_data, {}, "max_depth", folds=3)
    values = table["value"].drop_duplicates().tolist()
    assert values[0] == "1" and values[-1] == "unlimited"
    assert set(table["split"]) == {"train", "validation"}
    train = table[table["split"] == "train"].set_index("value")["mean"]
    assert train["unlimited"] == pytest.approx(1.0)
    assert train["1"] < 0.8


def test_validation_curve_rebuilds_the_solver_for_each_penalty(
    iris: pd.DataFrame,
) -> None:
    config = _config(iris, "species", C, "logistic")
    data = tuning.split_data(iris, profile_table(iris), config)
    table = curves.validation_curve_table(data, {}, "l1_ratio", folds=3)
    assert not table["mean"].isna().any()  # L1 needs saga; set_params alone would fail


def test_curve_params_follow_the_current_kernel() -> None:
    spec = catalogue.get_spec("svm")
    names = [p.name for p in curves.curve_params(spec, C, {"kernel": "linear"})]
    assert "gamma" not in names and "degree" not in names and "C" in names


def test_learning_curve_grows_the_training_rows(iris_data: tuning.SplitData) -> None:
    table = curves.learning_curve_table(iris_data, {}, points=4, folds=3)
    rows = table[table["split"] == "validation"]["rows"].tolist()
    assert rows == sorted(rows) and len(rows) >= 3
    assert rows[-1] == min(len(tr) for tr, _ in tuning.cv_splits(iris_data.y_train, C, 3, 3))
    assert table["mean"].between(0, 1).all()
    assert not math.isnan(table["std"].iloc[0])


def test_search_seconds_scales_with_fits_and_workers(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    one = tuning.search_seconds(plan, 4, workers=1)
    assert tuning.search_seconds(plan, 4, workers=2) == pytest.approx(one / 2)


def test_fits_that_finish_after_stop_are_not_counted(
    iris_data: tuning.SplitData, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = tuning.SearchState(plan)
    real = tuning.evaluate

    def stopped_meanwhile(*args: object, **kwargs: object) -> object:
        scores = real(*args, **kwargs)
        state.status = "stopped"  # the page's Stop, clicked while this chunk ran
        return scores

    monkeypatch.setattr(tuning, "evaluate", stopped_meanwhile)
    assert list(tuning.search(iris_data, state)) == []
    assert state.done_fits == 0 and not state.results and state.elapsed == 0


def test_search_scores_are_those_of_gridsearchcv(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth", "criterion"], {}, folds=3)
    state = _run(iris_data, plan, chunk_seconds=0.0)
    spec = plan.spec
    pipe, _ = build_pipeline(spec, C, {}, iris_data.profile, iris_data.features, plan.seed)
    models = [spec.build(C, c, plan.seed) for c in plan.candidates]
    folds = tuning.cv_splits(iris_data.y_train, C, 3, plan.seed)
    bare = GridSearchCV(pipe, {"model": models}, cv=folds, scoring="accuracy", refit=False)
    bare.fit(iris_data.X_train, iris_data.y_train)
    ours = {r.candidate: r.score for r in state.results}
    assert [ours[i] for i in range(len(models))] == pytest.approx(
        list(bare.cv_results_["mean_test_score"])
    )


def test_candidates_are_visited_in_a_shuffled_repeatable_order(
    iris_data: tuning.SplitData,
) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth", "criterion"], {}, folds=3)
    first, again = tuning.SearchState(plan), tuning.SearchState(plan)
    assert first.pending == again.pending
    assert sorted(first.pending) == list(range(len(plan.candidates)))
    assert first.pending != sorted(first.pending)


# --- what a search starts from ------------------------------------------------------------------


def test_search_config_samples_only_a_kernel_svm_on_a_large_table(iris: pd.DataFrame) -> None:
    svm = _config(iris, "species", C, "svm")
    large = training.KERNEL_SVM_SAMPLE + 1
    sampled, note = tuning.search_config(svm, large)
    assert sampled == replace(svm, sample_rows=training.KERNEL_SVM_SAMPLE)
    assert f"{training.KERNEL_SVM_SAMPLE:,}-row sample" in note
    assert tuning.search_config(svm, training.KERNEL_SVM_SAMPLE) == (svm, "")
    tree = _config(iris, "species", C, "tree")
    assert tuning.search_config(tree, large) == (tree, "")


def test_valid_settings_keep_what_applies_and_fall_back_to_defaults() -> None:
    spec = catalogue.get_spec("tree")
    assert training.valid_settings(spec, C, {"max_depth": 3, "unknown": 1})["max_depth"] == 3
    broken = training.valid_settings(spec, C, {"max_depth": "not a depth"})
    assert broken == spec.defaults(C)


def test_search_results_are_typed_records(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, values_per_param=2, folds=3)
    state = tuning.SearchState(plan)
    for _ in tuning.search(iris_data, state, n_jobs=1):
        pass
    assert all(isinstance(r, tuning.SearchResult) for r in state.results)
    best = state.best()
    assert best is not None and not best.failed
    assert best.score == max(r.score for r in state.results)
    assert state.best_params() == dict(plan.candidates[best.candidate])


def test_a_search_too_slow_for_the_budget_gets_the_largest_sample_that_fits(
    iris_data: tuning.SplitData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tuning, "FIT_OVERHEAD_SECONDS", 0.0)  # the cost model alone
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    big = dataclasses.replace(plan, rounds=((len(plan.candidates), 300_000),))
    full = tuning.search_seconds(big, 4, workers=1)
    sample = tuning.affordable_sample(big, 400_000, 4, 1, 0, budget=full / 3)
    assert sample is not None and sample <= 400_000 / 3
    assert sample == max(s for s in tuning.SAMPLE_SIZES if s <= 400_000 / 3)
    assert tuning.affordable_sample(big, 400_000, 4, 1, 0, budget=full * 2) is None
