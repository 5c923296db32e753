"""The Train page opened with ``?lang=zh`` in the states a reader reaches: no English sentence
outside data (every algorithm with all its sliders and help, the scores, the history, the
slow-fit gate, a fit in the background and its Stop, row warnings and errors)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from mllib import catalogue, training
from mllib.profile import Task
from tests.app.chinese import SENTENCE, english_sentences, workspace_data
from tests.app.helpers import assert_healthy, texts
from tests.app.test_train_page import slow_fits
from tests.conftest import APP
from ui import background_fit

TRAIN = "pages/train.py"
SAMPLE_FOR = {Task.CLASSIFICATION: "iris", Task.REGRESSION: "diabetes"}
#: Choices that reveal a parameter shown only under another's value (the polynomial degree).
REVEAL = {"svm": {"p_svm_kernel": "polynomial"}}


@pytest.fixture
def zh(clear_streamlit_caches: None) -> Any:
    """``zh(page)``: a fresh session opened on ``page`` with ``?lang=zh`` (a sample is loaded
    at start)."""

    def make(page: str = TRAIN) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(page)
        at.query_params["lang"] = "zh"
        return at.run()

    return make


def table_cells(at: AppTest) -> list[str]:
    """Text cells of the page's tables (``page_texts`` reads object columns only, and pandas 3
    keeps text in ``str`` columns)."""
    return [
        value
        for frame in at.dataframe
        for column in frame.value.columns
        if not pd.api.types.is_numeric_dtype(frame.value[column])
        for value in frame.value[column].head(500)
        if isinstance(value, str)
    ]


def no_english(at: AppTest, extra: list[str] | None = None) -> None:
    assert_healthy(at)
    data = [*workspace_data(at), *(extra or [])]
    left = english_sentences(at, data)
    assert not left, left
    cells = table_cells(at)
    for name in sorted({str(d) for d in data if str(d)}, key=len, reverse=True):
        cells = [cell.replace(name, " ") for cell in cells]
    assert not [c for c in cells if SENTENCE.search(c)], cells


def progress_texts(at: AppTest) -> list[str]:
    return [str(p.proto.text) for p in at.get("progress")]


@pytest.mark.parametrize("task", [Task.CLASSIFICATION, Task.REGRESSION], ids=str)
def test_every_algorithm_in_chinese_with_its_sliders_scores_and_history(
    zh: Any, task: Task
) -> None:
    at = zh("pages/data.py")
    at.selectbox(key="sample").select(SAMPLE_FOR[task]).run()
    at.switch_page(TRAIN).run()
    at.selectbox(key="cv_folds").select(3).run()
    for spec in catalogue.specs_for(task):
        at.selectbox(key="algorithm").select(spec.key).run()
        for key, value in REVEAL.get(spec.key, {}).items():
            at.selectbox(key=key).set_value(value).run()
        no_english(at)
        assert at.markdown and any("的原理" in str(m.value) for m in at.markdown)
        labels = {m.label for m in at.metric}
        assert "训练用时" in labels and "行数（训练 / 测试）" in labels, labels
        shown = [str(w.label) for w in [*at.selectbox, *at.select_slider, *at.slider]]
        assert "算法" in shown and "随机种子" not in shown  # a number input, not a slider
    assert at.dataframe[-1].value.columns[0] == "数据", "the history's headers in Chinese"
    assert "交叉验证" in "".join(str(m.value) for m in at.markdown)


def test_the_parameter_widgets_keep_their_english_values_in_chinese(zh: Any) -> None:
    at = zh()
    at.selectbox(key="algorithm").select("tree").run()
    criterion = at.selectbox(key="p_tree_criterion")
    assert criterion.label == "划分标准" and "熵（信息增益）" in criterion.options
    criterion.set_value("Entropy (information gain)").run()
    at.select_slider(key="p_tree_max_depth").set_value("2").run()
    assert_healthy(at)
    model = at.session_state["glassbox_workspace"].model
    assert model.config.param_dict == {**model.config.param_dict, "criterion": "entropy"}
    assert model.estimator.get_depth() <= 2


def test_the_score_gap_arrow_follows_its_sign_in_chinese(zh: Any) -> None:
    """'与训练集相比 -0.001' starts with words, so Streamlit drew an upward arrow beside it."""
    at = zh()
    at.selectbox(key="algorithm").select("tree").run()
    model = at.session_state["glassbox_workspace"].model
    primary = next(iter(model.test_scores))
    assert model.test_scores[primary] < model.train_scores[primary]  # the tree fits its rows
    gap = at.metric[0]
    assert gap.proto.delta.startswith("与训练集相比 -")
    assert gap.proto.direction == MetricProto.MetricDirection.DOWN


def test_no_data_in_chinese(zh: Any) -> None:
    at = zh()
    at.session_state["glassbox_workspace"].features = []
    at.run()
    no_english(at)
    assert at.info and not at.metric


def test_the_slow_fit_gate_in_chinese(zh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    monkeypatch.setattr(training, "affordable_rows", lambda *args, **kwargs: 100)
    at = zh()
    at.selectbox(key="algorithm").select("svm").run()
    no_english(at)
    assert any("请选择如何继续" in w for w in texts(at, "warning"))
    assert at.button(key="go_linear").label == "改用线性支持向量机"
    at.button(key="go_sample").click().run()
    no_english(at)
    assert at.button(key="go_full").label.startswith("改为在全部")
    assert any("随机样本" in w for w in texts(at, "warning"))  # "Trained on a random sample"


def test_a_fit_in_the_background_and_its_stop_in_chinese(
    zh: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = zh()
    ws = at.session_state["glassbox_workspace"]
    before = ws.model
    slow_fits(monkeypatch)
    at.select_slider(key="p_logistic_C").set_value("10").run()
    job = at.session_state[background_fit.STATE_KEY].job
    assert job is not None and job.alive
    no_english(at)
    line = progress_texts(at)
    assert line and "单独的进程" in line[0] and not SENTENCE.search(line[0]), line
    assert at.button(key="train_stop").label == "停止"
    at.button(key="train_stop").click().run()
    assert not job.alive and ws.model is before
    no_english(at)
    assert any("已停止" in i and "已保留" in i for i in texts(at, "info"))
    assert at.button(key="train_again").label == "重新训练"


#: A small table whose target misses every fifth value (those rows are left out, and said).
GAPS = "width,height,grade\n" + "".join(
    f"{i % 7},{(i * 3) % 11},{'' if i % 5 == 0 else i % 4 + 0.5}\n" for i in range(40)
)


def on_train(zh: Any, name: str, text: str, target: str) -> AppTest:
    """A Chinese session with ``text`` uploaded as ``name``, ``target`` chosen, on Train."""
    at = zh("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value((name, text.encode(), "text/csv")).run()
    at.selectbox(key="target").select(target).run()
    return at.switch_page(TRAIN).run()


def test_row_warnings_in_chinese(zh: Any) -> None:
    """A target with missing values (those rows are left out, and the page says so) and more
    features than rows for a small table."""
    at = on_train(zh, "gaps.csv", GAPS, "grade")
    at.selectbox(key="algorithm").select("lasso").run()
    assert texts(at, "warning"), "the rows left out are said"
    no_english(at)


def test_a_target_with_one_class_in_chinese(zh: Any) -> None:
    rows = "\n".join(f"{i % 9},{(i * 7) % 5},yes" for i in range(30))
    at = on_train(zh, "oneclass.csv", f"width,height,label\n{rows}\n", "label")
    assert at.error and not at.metric
    no_english(at)


def test_a_reopened_project_shows_its_warnings_and_history_in_chinese(zh: Any) -> None:
    """Saved warnings and run-history cells keep their msgids, so a reload says them in the
    reader's language (they used to come back as English text)."""
    from ui import persistence

    at = on_train(zh, "gaps.csv", GAPS, "grade")
    at.selectbox(key="algorithm").select("tree").run()
    at.selectbox(key="p_tree_criterion").set_value("Absolute error").run()
    project = at.query_params["project"]
    warnings, history = texts(at, "warning"), at.dataframe[-1].value
    assert warnings and "绝对误差" in " ".join(history["设置"])
    persistence.saver().flush()
    back = AppTest.from_file(APP, default_timeout=60)
    back.query_params.update({"project": project, "lang": "zh"})
    back.switch_page(TRAIN)
    back.run()
    no_english(back)
    assert texts(back, "warning") == warnings
    assert (
        back.dataframe[-1].value.drop(columns="训练秒数").equals(history.drop(columns="训练秒数"))
    )
