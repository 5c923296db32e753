"""Converted pages opened with ``?lang=zh`` show no English sentence outside data and code;
the same pages in English keep their English (their own tests check the wording)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mllib import catalogue
from mllib.data import read_table
from mllib.i18n import translator
from mllib.profile import profile_table
from mllib.samples import SAMPLES
from tests.app.chinese import english_sentences, opened_in_chinese, page_texts, workspace_data
from tests.app.helpers import assert_healthy
from tests.conftest import APP, ROOT

#: Every page, as a reader first opens it (See the model trains the default model first; the
#: states each page reaches are checked below and in test_train_chinese/test_compare_chinese).
PAGES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_a_converted_page_in_chinese_has_no_english_sentence(page: str) -> None:
    at = opened_in_chinese(page)
    assert_healthy(at)
    left = english_sentences(at, workspace_data(at))
    assert not left, left


def test_the_check_finds_english_left_on_a_page() -> None:
    at = opened_in_chinese("pages/home.py")
    at.query_params["lang"] = "en"
    at.run()
    assert any("Machine learning you can see through" in s for s in english_sentences(at))


def test_the_check_takes_out_whole_data_names_only() -> None:
    """A category "a" is taken out as a word, not as a letter of every word ("Gl ss ox")."""
    page = "import streamlit as st\nst.write('Glassbox：类别 a 与 New York Jets 城市')\n"
    at = AppTest.from_string(page).run()
    assert english_sentences(at, ["a", "New York Jets"]) == []
    at = AppTest.from_string("import streamlit as st\nst.write('a Train a model here')\n").run()
    assert [" ".join(s.split()) for s in english_sentences(at, ["a"])] == ["Train model here"]


CHART_PAGE = """
import altair as alt
import pandas as pd
import streamlit as st

frame = pd.DataFrame(
    {"hours_studied": [1, 2], "points": [50, 70], "note": ["this model here", "无"]}
)
base = alt.Chart(frame)
dots = base.mark_point().encode(
    x=alt.X("hours_studied:Q", title="hours_studied"),
    y=alt.Y("points:Q", title="exam score out of a hundred"),
    tooltip=[alt.Tooltip("points:Q", title="分数")],
)
notes = base.mark_text().encode(x="hours_studied:Q", y="points:Q", text="note:N")
title = alt.TitleParams("学习时间与成绩", subtitle=["a random sample of rows"])
st.altair_chart(alt.layer(dots, notes).properties(title=title))
st.graphviz_chart('digraph { a [label="hours_studied ≤ 2?\\nrows in this box"]; a -> b }')
"""


def test_the_check_reads_the_words_inside_charts() -> None:
    """Axis titles, subtitles and text marks of a chart and the labels of a diagram count; a
    title that is a data column (hours_studied) does not."""
    at = AppTest.from_string(CHART_PAGE).run()
    assert_healthy(at)
    left = english_sentences(at, ["hours_studied", "points", "note"])
    assert sorted(left) == [
        "a random sample of rows",
        "exam score out of a hundred",
        "rows in this box",
        "this model here",
    ]


def test_projects_in_chinese_with_a_saved_project_and_the_listing(
    project_home: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GLASSBOX_SINGLE_USER", "1")
    at = opened_in_chinese("pages/projects.py")
    at.button(key="project_start").click().run()
    at.button(key="project_new").click().run()
    assert_healthy(at)
    assert at.button(key="project_duplicate").label == "复制项目"
    assert at.dataframe and "最近保存" in at.dataframe[0].value.columns
    left = english_sentences(at, [*workspace_data(at), *at.dataframe[0].value["名称"]])
    assert not left, left


def test_the_data_page_in_chinese_for_every_sample() -> None:
    """Profile notes, task reasons and data-quality notes come from mllib as Messages."""
    at = opened_in_chinese("pages/data.py")
    for index, key in enumerate(SAMPLES):
        at.selectbox(key="sample").select_index(index).run()  # labels are translated
        assert_healthy(at)
        assert at.session_state["glassbox_workspace"].dataset.name == SAMPLES[key].title
        left = english_sentences(at, workspace_data(at))
        assert not left, (key, left)


@pytest.mark.parametrize("sample", ["iris", "customers"])
def test_the_export_page_in_chinese_for_a_trained_model(app: object, sample: str) -> None:
    """The file descriptions, the model card preview and train.py's comments are Chinese; the
    model's data (names, categories, the file) stays as it is."""
    at = opened_in_chinese("pages/data.py")
    if sample != "iris":
        at.selectbox(key="sample").select_index(list(SAMPLES).index(sample)).run()
    at.switch_page("pages/export.py").run()  # trains the quick default model
    assert_healthy(at)
    ws = at.session_state["glassbox_workspace"]
    assert ws.model is not None and len(at.get("download_button")) >= 6
    markdown = [str(m.value) for m in at.markdown]
    card = next(m for m in markdown if m.startswith("# 模型卡："))
    assert "## 模型详情" in card and "## 局限" in card and f"“{ws.model.config.target}”" in card
    script = next(str(c.value) for c in at.code if str(c.value).startswith("#!/usr/bin/env"))
    assert '"""重新构建 Glassbox 模型：' in script and "# 删除目标缺失或为无穷大的行" in script
    assert "TARGET = " in script and "def build_pipeline() -> Pipeline:" in script  # code
    assert any("拟合好的 scikit-learn 流水线" in m for m in markdown)  # a file's description
    assert "文件" in at.dataframe[0].value.columns  # the hash table's headings
    left = english_sentences(at, workspace_data(at))
    assert not left, left


def test_the_predict_page_says_a_files_problems_and_notes_in_chinese() -> None:
    """Row checks (mllib.row_checks) are Messages: problems, warnings and notes in Chinese."""
    at = opened_in_chinese("pages/predict.py")
    bad = b"Sepal Length,sepal_width,petal_length,petal_width,colour\n5.1,3.5,x,,red\n"
    at.file_uploader(key="predict_upload").set_value(("bad.csv", bad, "text/csv")).run()
    assert_healthy(at)
    said = " ".join(str(e.value) for e in at.error)
    assert "“petal_length”应为数值，但有 1 个值不是：“x”" in said
    good = b"Sepal Length,sepal_width,petal_length,petal_width\n5.1,3.5,99,\n"
    at.file_uploader(key="predict_upload").set_value(("good.csv", good, "text/csv")).run()
    assert_healthy(at)
    shown = " ".join(str(e.value) for e in [*at.warning, *at.caption])
    assert "以下列在忽略大小写和标点后按名称匹配：“Sepal Length” → “sepal_length”。" in shown
    assert "超出训练范围" in shown and "缺失值按训练时的方式填补" in shown
    left = english_sentences(at, [*workspace_data(at), "Sepal Length", "good.csv"])
    assert not left, left


# --- See the model (pages/model.py) -------------------------------------------------------------

MODEL = "pages/model.py"
MODEL_TABS = ("Model", "Boundary", "Prediction map", "Evaluation", "Importance", "How it works")
#: Every algorithm on a sample of each task it handles, plus the views only some data shows: the
#: fitted line (one feature), the exact boundary (two features), categories and the threshold.
MODEL_CASES = [
    ("iris" if task == "classification" else "diabetes", spec.key)
    for spec in catalogue.CATALOGUE.values()
    for task in sorted(spec.tasks)
] + [
    ("study_hours", "linear"),
    ("study_hours", "svm"),
    ("moons", "svm"),
    ("breast_cancer", "logistic"),
]


def model_in_chinese(sample: str, algorithm: str, target: str | None = None) -> AppTest:
    """The real flow: the sample on Data, the algorithm on Train, then See the model, switched
    to Chinese there (AppTest cannot read back a selectbox whose options a translated
    format_func names, as the Train page's parameters in Chinese)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/data.py").run()
    at.selectbox(key="sample").select(sample).run()
    if target:
        at.selectbox(key="target").select(target).run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select(algorithm).run()
    at.switch_page(MODEL).run()
    at.sidebar.radio(key="ui_language").set_value("zh").run()
    assert_healthy(at)
    return at


def english_on_every_tab(at: AppTest) -> list[tuple[str, str]]:
    """Each tab the model has, opened by its English name (the page maps it to its label)."""
    left = []
    shown = [t.label for t in at.tabs]
    for tab in MODEL_TABS:
        if translator("zh")(tab) not in shown:
            continue
        at.session_state["model_tab"] = tab
        at.run()
        assert_healthy(at)
        assert at.session_state["model_tab"] == translator("zh")(tab)
        left += [(tab, s) for s in english_sentences(at, workspace_data(at))]
    return left


@pytest.mark.parametrize(("sample", "algorithm"), MODEL_CASES)
def test_see_the_model_in_chinese_every_tab(sample: str, algorithm: str) -> None:
    at = model_in_chinese(sample, algorithm)
    left = english_on_every_tab(at)
    assert not left, left


def test_see_the_model_in_chinese_with_categories_and_the_inference_table() -> None:
    at = model_in_chinese("customers", "linear", target="monthly_spend")
    table = next(d.value for d in at.dataframe if "p 值" in d.value.columns)
    assert {"项", "系数", "标准误", "95% 置信区间下限"} <= set(table.columns)
    assert table["项"].iloc[0] == "截距"
    assert any("参照类别" in str(c.value) for c in at.caption)
    left = english_on_every_tab(at)
    assert not left, left


def test_see_the_model_in_chinese_tree_tables_and_switching_keeps_the_tab() -> None:
    at = model_in_chinese("iris", "tree")
    path = at.dataframe[0].value
    assert list(path.columns) == ["节点", "问题", "这一行", "回答"]
    assert set(path["回答"].iloc[:-1]) <= {"是", "否"} and path["问题"].iloc[-1] == "叶节点：预测"
    assert "基尼不纯度下降" in at.dataframe[1].value.columns
    at.session_state["model_tab"] = "How it works"
    at.run()
    formulas = [str(e.value) for e in at.get("latex")]
    assert any(r"\text{增益}(t)" in f and r"I_{\text{基尼}}" in f for f in formulas)
    at.session_state["model_tab"] = "Evaluation"
    at.run()
    at.sidebar.radio(key="ui_language").set_value("en").run()
    assert_healthy(at)
    assert at.session_state["model_tab"] == "Evaluation"  # the open tab stays open
    assert "**Per class**" in [str(m.value) for m in at.markdown]  # drawn in English now


def test_an_import_refused_on_the_export_page_says_why_in_chinese() -> None:
    at = opened_in_chinese("pages/export.py")
    upload = ("model.pkl", b"\x80\x04K\x01.", "application/octet-stream")
    at.file_uploader(key="import_model").set_value(upload).run()
    assert_healthy(at)
    said = " ".join(str(e.value) for e in at.error)
    assert "**model.pkl** 被拒绝。" in said and "Glassbox 从不打开上传的 pickle 文件" in said
    assert not english_sentences(at, [*workspace_data(at), "model.pkl"])


@pytest.mark.parametrize("algorithm", ["linear", "tree"])
def test_see_the_model_in_chinese_names_the_group_of_rare_categories(algorithm: str) -> None:
    """scikit-learn groups categories past the 30 most frequent as infrequent: the equation, the
    inference table, the tree's questions and the importances name that group in Chinese."""
    rng = np.random.default_rng(0)
    cities = [f"c{k}" for k in range(40)]
    city = rng.choice(cities, 600, p=np.r_[np.full(10, 0.09), np.full(30, 0.1 / 30)])
    x = rng.normal(size=600)
    y = 3 * x + (city == "c0") * 5 + (~np.isin(city, cities[:30])) * 8 + rng.normal(size=600)
    frame = pd.DataFrame({"x": x, "city": city, "y": y})
    dataset = read_table(frame.to_csv(index=False).encode(), "rare.csv")
    at = opened_in_chinese("pages/data.py")
    ws = at.session_state["glassbox_workspace"]
    ws.set_dataset(dataset, profile_table(dataset.frame), "y")
    ws.algorithm = algorithm
    at.switch_page(MODEL).run()
    assert_healthy(at)
    assert ws.model is not None and ws.model.config.algorithm == algorithm
    texts = [*page_texts(at), *(str(e.value) for e in at.get("latex"))]
    if algorithm == "tree":
        texts.append(at.get("graphviz_chart")[0].proto.spec)
        at.session_state["model_tab"] = "Importance"
        at.run()
        texts += page_texts(at)
    assert any("city = 稀有类别" in t for t in texts)
    assert not any("a rare category" in t for t in texts)


def test_see_the_model_in_chinese_asks_to_retrain_a_model_of_other_data() -> None:
    at = model_in_chinese("iris", "logistic")
    at.session_state["glassbox_workspace"].model.data_fingerprint = "something else"
    at.run()
    assert_healthy(at)
    assert [str(w.value) for w in at.warning] == ["训练这个模型之后，数据已经改变。"]
    assert not english_sentences(at, workspace_data(at))
