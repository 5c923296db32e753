"""Compare & tune opened with ``?lang=zh`` in the states a user reaches: no usable data, data
loaded, a finished comparison, the sample offer on a larger table, a search running, stopped
and finished, each curve, and errors. No English sentence is left outside data and code; the
same states in English are checked by test_compare_page.py. Small samples and grids keep it
quick."""

from __future__ import annotations

from typing import Any

import pytest

from mllib import compare, parallel, tuning
from tests.app.chinese import english_sentences, opened_in_chinese, workspace_data
from tests.app.helpers import assert_healthy, texts
from tests.app.test_compare_page import cut_search, start_search, unreachable_cluster

PAGE = "pages/compare.py"


@pytest.fixture(autouse=True)
def local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)


def no_english(at: Any, *data: str) -> None:
    assert_healthy(at)
    left = english_sentences(at, [*workspace_data(at), *data])
    assert not left, left


def tune_tab(at: Any) -> Any:
    at.session_state["compare_tab"] = "Tune"  # the English label: carried over to 调参
    return at.run()


def test_without_usable_data_the_page_says_what_to_do_in_chinese() -> None:
    at = opened_in_chinese("pages/data.py")
    at.multiselect(key="features").set_value([]).run()
    at.switch_page(PAGE).run()
    no_english(at)
    assert any("加载数据集" in i for i in texts(at, "info"))


def test_a_finished_comparison_in_chinese() -> None:
    at = opened_in_chinese(PAGE)
    no_english(at)
    assert any("在本机" in c for c in texts(at, "caption"))
    at.button(key="compare_run").click().run()
    no_english(at)
    board = at.dataframe[0].value
    assert {"名次", "算法", "交叉验证 准确率"} <= set(board.columns)
    assert "决策树" in set(board["算法"])
    at.button(key="use_model_go").click().run()
    no_english(at)
    assert any("当前模型" in s for s in texts(at, "success"))


def with_a_larger_table() -> Any:
    """The page in Chinese on a 6,000-row upload (the sample offers need one)."""
    animals = ("cat", "dog")  # not single letters: the check takes data out of every word
    rows = "\n".join(f"{i % 97},{(i * 7) % 13},{animals[i % 2]}" for i in range(6_000))
    at = opened_in_chinese("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("big.csv", f"u,v,y\n{rows}".encode(), "text/csv"))
    at.run()
    return at.switch_page(PAGE).run()


def test_the_sample_offer_on_a_larger_table_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "SLOW_SECONDS", 0.0)
    at = with_a_larger_table()
    no_english(at)
    assert any("可能需要约" in w for w in texts(at, "warning"))
    offer = next(s for s in at.get("segmented_control") if s.key.startswith("compare_rows_"))
    assert offer.value == "sample" and "6,000" in " ".join(offer.options)


def test_the_search_sample_offer_and_halving_rounds_in_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tuning, "affordable_sample", lambda *args, **kwargs: 1_000)
    at = tune_tab(with_a_larger_table())
    no_english(at)
    assert any("在全部 6,000 行上进行这次搜索" in w for w in texts(at, "warning"))
    at.segmented_control(key="tune_method").set_value("halving").run()
    no_english(at)
    plan = " ".join(str(m.value) for m in at.markdown)
    assert "次拟合，分 " in plan and "组设置用" in plan, plan


def test_a_regression_comparison_and_an_outdated_one_in_chinese() -> None:
    at = opened_in_chinese("pages/data.py")
    at.selectbox(key="sample").select_index(2).run()  # diabetes
    at.switch_page(PAGE).run()
    at.button(key="compare_run").click().run()
    no_english(at)
    assert len(at.dataframe[0].value) == 6
    at.selectbox(key="compare_metric").select("MAE").run()
    no_english(at)
    at.selectbox(key="compare_folds").select(3).run()
    no_english(at)
    assert any("自这次比较以来" in i for i in texts(at, "info"))


def test_a_finished_search_and_both_curves_in_chinese() -> None:
    at = tune_tab(opened_in_chinese(PAGE))
    no_english(at)
    assert at.segmented_control(key="tune_method").options[0] == "网格搜索"
    start_search(at, "tree", ["max_depth", "criterion"])
    no_english(at)
    assert at.session_state["compare_page"].search.status == "done"
    assert any("网格搜索已完成" in c for c in texts(at, "caption"))
    assert "验证集准确率" in {m.label for m in at.metric}
    at.button(key="vc_run").click().run()
    at.button(key="lc_run").click().run()
    no_english(at)
    assert len(at.get("vega_lite_chart")) == 2


def test_a_running_then_stopped_search_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    at = cut_search(tune_tab(opened_in_chinese(PAGE)), monkeypatch)
    no_english(at)
    bar = at.get("progress")[0].proto.text
    assert "次拟合" in bar and "已用" in bar, bar
    at.button(key="tune_stop").click().run()
    no_english(at)
    assert any("已停止" in w for w in texts(at, "warning"))


def test_errors_are_explained_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    at = tune_tab(opened_in_chinese(PAGE))
    at.multiselect(key="tune_params_logistic").set_value([]).run()
    no_english(at)
    assert any("请至少选择一个" in w for w in texts(at, "warning"))
    monkeypatch.setattr("mllib.search_space.MAX_CANDIDATES", 3)
    at.multiselect(key="tune_params_logistic").set_value(["C"]).run()
    no_english(at)
    assert any("组合超过 3 个" in w for w in texts(at, "warning"))


def test_an_unreachable_cluster_is_explained_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable_cluster(monkeypatch)
    at = opened_in_chinese(PAGE)
    no_english(at, parallel.SCHEDULER_ENV)
    assert any("无法连接" in e for e in texts(at, "error"))


def test_the_open_tab_stays_open_when_the_language_changes() -> None:
    at = tune_tab(opened_in_chinese(PAGE))
    assert at.session_state["compare_tab"] == "调参"
    assert [b for b in at.button if b.key == "tune_start"]
    at.query_params["lang"] = "en"
    at.run()
    assert_healthy(at)
    assert at.session_state["compare_tab"] == "Tune"
    assert [b for b in at.button if b.key == "tune_start"], "still on the Tune tab"
