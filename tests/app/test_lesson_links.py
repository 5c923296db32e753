"""Lesson links through AppTest: the link a page offers rebuilds the same picture in a fresh
session, and lesson mode hides upload and locks the chosen settings."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from streamlit.testing.v1 import AppTest

from tests.app.helpers import assert_healthy
from tests.app.test_model_page import MODEL, open_model, show, specs
from tests.conftest import APP


def fresh(query: dict[str, str], page: str = MODEL) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    at.query_params.update(query)
    return at.run()


def offered_link(at: Any) -> str:
    codes = [str(c.value) for c in at.code if "sample=" in str(c.value)]
    assert codes, "no link offered"
    return codes[0]


def test_a_link_rebuilds_the_same_model_tab_and_chart(app: Any) -> None:
    at = open_model(app, "moons", "svm")
    at.switch_page("pages/train.py").run()
    at.select_slider(key="p_svm_C").set_value("10").run()
    at.switch_page(MODEL).run()
    show(at, "Evaluation")
    at.toggle(key="cm_normalise").set_value(True).run()
    url = offered_link(at)
    parts = urlsplit(url)
    assert parts.path == "/model"
    query = dict(parse_qsl(parts.query))
    assert query["sample"] == "moons" and query["algo"] == "svm" and query["p.C"] == "10.0"
    assert query["tab"] == "Evaluation" and json.loads(query["w.cm_normalise"]) is True
    other = fresh(query)
    assert_healthy(other)
    assert other.session_state["model_tab"] == "Evaluation"
    settings = [str(c.value) for c in at.caption if str(c.value).startswith("Kernel =")]
    assert settings and settings[0] in [str(c.value) for c in other.caption]
    assert other.markdown[0].value == at.markdown[0].value  # algorithm, target, test score
    assert specs(other) == specs(at)  # the same charts, with the same data


def test_lesson_mode_hides_upload_and_locks_settings() -> None:
    query = {
        "sample": "iris",
        "algo": "tree",
        "p.max_depth": "2",
        "lesson": "1",
        "lock": "max_depth,algorithm",
    }
    at = fresh(query)
    assert_healthy(at)
    assert any("max_depth" in str(c.value) or "Max depth = 2" in str(c.value) for c in at.caption)
    assert any("Lesson mode" in str(c.value) for c in at.sidebar.caption)
    at.switch_page("pages/data.py").run()
    assert_healthy(at)
    assert not at.get("file_uploader") and not at.get("segmented_control")
    at.switch_page("pages/train.py").run()
    assert_healthy(at)
    assert at.selectbox(key="algorithm").disabled
    assert at.select_slider(key="p_tree_max_depth").disabled
    assert at.select_slider(key="p_tree_max_depth").value == "2"
    assert not at.select_slider(key="p_tree_min_samples_leaf").disabled


def test_a_bad_link_says_why_and_opens_the_app() -> None:
    at = fresh({"sample": "iris", "algo": "tree", "p.max_depth": "deep"})
    assert_healthy(at)
    assert any("could not be opened" in str(w.value) for w in at.warning)
