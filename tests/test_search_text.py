"""What Compare & tune says, built in mllib: a search's plan, progress line and outcome, the
leaderboard's headers and notes, the search results' headers, where work runs, and the
errors of a search space, in English (as before) and in Chinese (numbers by the locale)."""

from __future__ import annotations

import pandas as pd
import pytest

from mllib import compare, parallel, search_text, training, tuning
from mllib.errors import GlassboxError
from mllib.i18n import msg, translator
from mllib.profile import Task, profile_table

C = Task.CLASSIFICATION
EN, ZH = translator("en"), translator("zh")


@pytest.fixture
def iris_data(iris: pd.DataFrame) -> tuning.SplitData:
    features = [c for c in iris.columns if c != "species"]
    config = training.TrainConfig.make("tree", C, "species", features, {}, seed=3)
    return tuning.split_data(iris, profile_table(iris), config)


def running(plan: tuning.SearchPlan, done: int) -> tuning.SearchState:
    """A search part-way through: ``done`` candidates scored on every fold."""
    state = tuning.SearchState(plan)
    rows = plan.rounds[0][1]
    state.results = [
        tuning.SearchResult(c, 0, rows, 0.9 + c / 100, 0.9 + c / 100, 0.01, 0.95, 0.01)
        for c in range(done)
    ]
    state.done_fits = done * plan.folds
    state.done_work = float(state.done_fits * rows)
    state.elapsed = state.fitting = 1234.5
    return state


def test_the_plan_in_english_and_in_chinese(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth", "criterion"], {}, folds=3)
    n, fits = len(plan.candidates), plan.total_fits
    assert search_text.plan_text(plan, 1234.4) == (
        f"**{n}** settings × **3** folds = **{fits}** fits, roughly 1,234 s"
    )
    assert search_text.plan_text(plan, 0.5, ZH) == f"**{n}** 组设置 × **3** 折 = **{fits}** 次拟合"


def test_the_rounds_of_successive_halving_are_described(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "halving", ["max_depth", "min_samples_leaf"], {})
    rounds = [f"{n} on {rows:,} rows" for n, rows in plan.rounds]
    english = search_text.plan_text(plan, 0)
    chinese = search_text.plan_text(plan, 0, ZH)
    if len(plan.rounds) > 1:
        assert f" in {len(plan.rounds)} rounds ({' → '.join(rounds)})" in english
        assert f"，分 {len(plan.rounds)} 轮（" in chinese and "组设置用" in chinese
    else:
        assert english.endswith("(too few rows to halve: one round on all of them)")
        assert chinese.endswith("（行数太少，无法减半：只用全部行做一轮）")


def test_the_progress_line_counts_fits_time_and_the_best_so_far(
    iris_data: tuning.SplitData,
) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = running(plan, 2)
    left = state.seconds_left
    assert left is not None and left > 0
    english = search_text.progress_text(state)
    assert english == (
        f"6 / {plan.total_fits} fits · 1,234.5 s elapsed · about {left:,.0f} s left"
        " · best accuracy so far 0.910"
    )
    chinese = search_text.progress_text(state, ZH)
    assert chinese.startswith(f"已完成 6 / {plan.total_fits} 次拟合 · 已用 1,234.5 秒 · 约剩 ")
    assert chinese.endswith(" · 目前最佳：准确率 0.910")


def test_a_fresh_search_has_no_time_left_nor_best_yet(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = tuning.SearchState(plan)
    assert search_text.progress_text(state, EN) == f"0 / {plan.total_fits} fits · 0.0 s elapsed"


def test_how_a_search_ended(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = running(plan, 2)
    assert search_text.outcome_text(state) == ""
    state.status = "stopped"
    total = plan.total_fits
    assert search_text.outcome_text(state) == (
        f"Stopped after 6 of {total} fits; these are the settings tried so far."
    )
    assert search_text.outcome_text(state, ZH) == (
        f"在 {total} 次拟合中完成 6 次后已停止；以下是到目前为止尝试过的设置。"
    )
    state.status = "done"
    assert search_text.outcome_text(state) == (
        "Grid search of Decision tree finished: 6 fits in 1,234.5 s."
    )
    assert (
        search_text.outcome_text(state, ZH) == "决策树的网格搜索已完成：1,234.5 秒内完成 6 次拟合。"
    )


def test_the_results_table_headers_are_translated(iris_data: tuning.SplitData) -> None:
    plan = tuning.plan_search(iris_data, "grid", ["max_depth"], {}, folds=3)
    state = running(plan, 2)
    english = tuning.results_table(state)
    assert list(english.columns)[-4:] == ["validation accuracy", "± std", "train accuracy", "fit s"]
    chinese = tuning.results_table(state, ZH)
    assert chinese.columns[0] == "名次" and english.columns[0] == "rank"
    assert list(chinese.columns)[-4:] == [
        "验证集准确率",
        "± 标准差",
        "训练集准确率",
        "训练秒数",
    ]


def test_leaderboard_headers_and_notes_in_chinese() -> None:
    config = training.TrainConfig.make("svm", C, "y", ["a"], {})
    skipped = compare.RunResult(
        compare.PlannedRun(config, msg("the score could not be computed"), skip=True), None
    )
    board = compare.leaderboard([skipped], C, ZH)
    assert board["algorithm"].tolist() == ["支持向量机"]
    shown = compare.leaderboard_display(board, C, ZH)
    assert {"名次", "算法", "设置", "交叉验证 准确率", "测试集准确率", "说明"} <= set(shown)
    assert shown["交叉验证 准确率"].iloc[0] == "—"
    assert shown["说明"].iloc[0] == "无法计算得分"


def test_a_skipped_or_sampled_run_explains_itself_in_both_languages() -> None:
    note = compare.PlannedRun(
        training.TrainConfig.make("svm", C, "y", ["a"], {}),
        msg(
            "Skipped: it would take about {seconds:,.0f} s on {rows:,} rows. "
            "Tick “Include slow algorithms” to run it anyway.",
            seconds=1234.4,
            rows=50_000,
        ),
        skip=True,
    ).note
    assert note == (
        "Skipped: it would take about 1,234 s on 50,000 rows. "
        "Tick “Include slow algorithms” to run it anyway."
    )
    assert ZH.text(note) == "已跳过：在 50,000 行上约需 1,234 秒。勾选“包括较慢的算法”仍可运行。"


def test_a_failed_run_keeps_its_error_and_hint_translatable() -> None:
    err = GlassboxError(msg("Choose at least one parameter to search."), "Try again.")
    note = compare.error_message(err)
    assert note == "Choose at least one parameter to search. Try again."
    assert ZH.text(note) == "请至少选择一个要搜索的参数。Try again."  # the hint is not a msgid


def test_where_work_runs_in_both_languages() -> None:
    local = parallel.Backend("local", 4)
    assert local.describe() == "Running on 4 local cores"
    assert local.describe(ZH) == "在本机 4 个核心上运行"
    assert parallel.Backend("local", 1).describe() == "Running on 1 local core"
    dask = parallel.Backend("dask", 8, "tcp://10.0.0.5:8786", 2)
    assert (
        dask.describe()
        == "Running on the Dask cluster at tcp://10.0.0.5:8786 (2 workers, 8 threads)"
    )
    assert (
        dask.describe(ZH)
        == "在位于 tcp://10.0.0.5:8786 的 Dask 集群上运行（2 个工作节点，8 个线程）"
    )


def test_search_space_errors_in_chinese(iris_data: tuning.SplitData) -> None:
    with pytest.raises(GlassboxError) as caught:
        tuning.plan_search(iris_data, "grid", ["no_such_param"], {})
    assert str(caught.value) == "Decision tree has no parameter(s) no_such_param to tune."
    assert caught.value.text(ZH) == "决策树没有可调的参数 no_such_param。"
    with pytest.raises(GlassboxError) as caught:
        tuning.plan_search(iris_data, "grid", [], {})
    assert caught.value.text(ZH) == "请至少选择一个要搜索的参数。"
