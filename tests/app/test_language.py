"""The reader's language in the app: ``?lang=``, the sidebar switch, and what switching keeps."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.helpers import assert_healthy
from tests.app.test_model_page import MODEL, open_model
from tests.conftest import APP


def opened(query: dict[str, str], page: str = "pages/home.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    at.query_params.update(query)
    return at.run()


def sidebar_text(at: Any) -> str:
    return " ".join(str(e.value) for e in [*at.sidebar.markdown, *at.sidebar.caption])


def test_lang_in_the_url_opens_chinese_and_the_switch_shows_it() -> None:
    at = opened({"lang": "zh"})
    assert_healthy(at)
    assert at.sidebar.radio(key="ui_language").value == "zh"
    assert at.sidebar.radio(key="ui_language").label == "语言"
    text = sidebar_text(at)
    assert "看得透的机器学习" in text and "行 × " in text
    assert "Machine learning you can see through" not in text


def test_english_stays_the_default_and_unknown_languages_fall_back_to_it() -> None:
    for query in ({}, {"lang": "xx"}):
        at = opened(query)
        assert_healthy(at)
        assert at.sidebar.radio(key="ui_language").value == "en"
        assert "Machine learning you can see through" in sidebar_text(at)
    assert "lang" not in at.query_params


def test_switching_keeps_the_data_the_model_and_the_open_page(app: Any) -> None:
    at = open_model(app, "moons", "svm")
    ws = at.session_state["glassbox_workspace"]
    data, model = ws.dataset.fingerprint, ws.model
    before = sidebar_text(at)
    charts = len(at.get("vega_lite_chart"))
    assert "**Model:** Support vector machine" in before and "Two moons (non-linear)" in before
    at.sidebar.radio(key="ui_language").set_value("zh").run()
    assert_healthy(at)
    ws = at.session_state["glassbox_workspace"]
    assert ws.dataset.fingerprint == data and ws.model is model  # nothing reloaded or refitted
    after = sidebar_text(at)
    assert "**模型：** 支持向量机" in after and "双月形（非线性）" in after
    assert before.rsplit("= ", 1)[1][:5] == after.rsplit("= ", 1)[1][:5]  # the same test score
    assert len(at.get("vega_lite_chart")) == charts  # still on See the model
    assert at.query_params["lang"] in (["zh"], "zh")
    at.sidebar.radio(key="ui_language").set_value("en").run()
    assert sidebar_text(at) == before


def test_the_choice_survives_page_changes() -> None:
    at = opened({"lang": "zh"})
    at.switch_page("pages/data.py").run()
    assert_healthy(at)
    assert at.sidebar.radio(key="ui_language").value == "zh"
    assert "看得透的机器学习" in sidebar_text(at)


def test_a_lesson_link_from_a_chinese_session_carries_the_language(app: Any) -> None:
    at = open_model(app, "iris", "tree")
    at.sidebar.radio(key="ui_language").set_value("zh").run()
    codes = [str(c.value) for c in at.code if "sample=" in str(c.value)]
    assert codes and "lang=zh" in codes[0]
    again = opened({"sample": "iris", "algo": "tree", "lang": "zh"}, MODEL)
    assert_healthy(again)
    assert again.sidebar.radio(key="ui_language").value == "zh"


def test_the_browser_language_is_the_default(monkeypatch: Any) -> None:
    import streamlit as st

    monkeypatch.setattr(type(st.context), "locale", property(lambda self: "zh-CN"))
    at = opened({})
    assert_healthy(at)
    assert at.sidebar.radio(key="ui_language").value == "zh"
    assert "看得透的机器学习" in sidebar_text(at)
    assert "lang" not in at.query_params  # a default, not a choice written into links


def test_switching_on_the_train_page_keeps_the_settings_the_model_and_the_page(
    app: Any, monkeypatch: Any
) -> None:
    from mllib import training

    at = app("pages/train.py")
    at.selectbox(key="algorithm").select("tree").run()
    at.selectbox(key="p_tree_criterion").set_value("Entropy (information gain)").run()
    at.select_slider(key="p_tree_max_depth").set_value("3").run()
    at.selectbox(key="cv_folds").select(3).run()
    ws = at.session_state["glassbox_workspace"]
    data, model, runs = ws.dataset.fingerprint, ws.model, len(ws.history)
    fits: list[Any] = []
    real = training.train_model
    monkeypatch.setattr(training, "train_model", lambda *a, **k: fits.append(a) or real(*a, **k))
    at.sidebar.radio(key="ui_language").set_value("zh").run()
    assert_healthy(at)
    ws = at.session_state["glassbox_workspace"]
    assert ws.dataset.fingerprint == data and ws.model is model and not fits  # no refit
    assert len(ws.history) == runs
    assert at.selectbox(key="algorithm").value == "tree"
    assert at.selectbox(key="p_tree_criterion").value == "Entropy (information gain)"
    assert at.select_slider(key="p_tree_max_depth").value == "3"
    assert at.selectbox(key="cv_folds").value == 3
    assert at.title[0].value == "训练" and "训练用时" in [m.label for m in at.metric]
    assert at.dataframe[-1].value.columns[1] == "算法"  # the history, in Chinese
    at.sidebar.radio(key="ui_language").set_value("en").run()
    assert at.title[0].value == "Train" and ws.model is model and not fits
    assert at.dataframe[-1].value.columns[1] == "algorithm"
