"""The Workspace's widget helpers (ui.state) through AppTest: a widget whose options change
keeps a still-valid choice and forgets a stale one instead of failing."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from tests.app.helpers import assert_healthy, texts
from tests.conftest import APP
from ui.state import Split, Workspace


def choices_script() -> None:
    import streamlit as st

    from ui.state import bind, bind_choice, keep_valid

    options = st.session_state.get("options", ["a", "b", "c"])
    st.selectbox("Pick", options, key=bind_choice("pick", options, "b"))
    st.multiselect("Several", options, key=bind(keep_valid("several", options), options[:1]))
    st.selectbox("Held", options, key=keep_valid("held", options, fallback=options[-1]))


def choices_app() -> Any:
    at = AppTest.from_function(choices_script, default_timeout=30).run()
    assert_healthy(at)
    return at


def test_bind_choice_starts_at_the_default_and_keeps_a_valid_choice() -> None:
    at = choices_app()
    assert at.selectbox(key="pick").value == "b"
    at.selectbox(key="pick").select("c").run()
    at.session_state["options"] = ["c", "d"]
    at.run()
    assert_healthy(at)
    assert at.selectbox(key="pick").value == "c"


def test_a_stale_choice_is_forgotten_and_the_default_taken_again() -> None:
    at = choices_app()
    at.selectbox(key="pick").select("c").run()
    at.session_state["options"] = ["a", "b"]
    at.run()
    assert_healthy(at)
    assert at.selectbox(key="pick").value == "b"
    at.session_state["options"] = ["x", "y"]  # the default is gone too: the first option
    at.run()
    assert_healthy(at)
    assert at.selectbox(key="pick").value == "x"


def test_a_multiselect_keeps_a_subset_and_forgets_a_list_with_stale_items() -> None:
    at = choices_app()
    at.multiselect(key="several").set_value(["a", "c"]).run()
    at.session_state["options"] = ["a", "c", "e"]
    at.run()
    assert at.multiselect(key="several").value == ["a", "c"]
    at.session_state["options"] = ["c", "e"]  # "a" went: back to the default
    at.run()
    assert_healthy(at)
    assert at.multiselect(key="several").value == ["c"]


def test_a_fallback_replaces_a_stale_value() -> None:
    at = choices_app()
    at.selectbox(key="held").select("b").run()
    at.session_state["options"] = ["p", "q"]
    at.run()
    assert_healthy(at)
    assert at.selectbox(key="held").value == "q"


def first_run_with(page: str, state: dict[str, Any]) -> Any:
    """``page`` of the whole app, run once with ``state`` already in the session (e.g. left
    there by a lesson link or another page's choice)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_train_page_forgets_an_algorithm_it_does_not_offer(clear_streamlit_caches: None) -> None:
    at = first_run_with("pages/train.py", {"algorithm": "no_such_algorithm"})
    assert_healthy(at)
    assert at.selectbox(key="algorithm").value == "logistic"


def test_model_page_forgets_boundary_axes_of_another_model(clear_streamlit_caches: None) -> None:
    at = first_run_with(
        "pages/model.py", {"model_tab": "Boundary", "boundary_x": "a column of other data"}
    )
    assert_healthy(at)
    axes = at.selectbox(key="boundary_x")
    assert axes.value in axes.options


def iris_workspace() -> Workspace:
    from mllib import samples
    from mllib.profile import profile_table

    dataset = samples.load_sample("iris")
    ws = Workspace()
    ws.set_dataset(dataset, profile_table(dataset.frame), "species")
    return ws


def test_the_split_in_effect_is_one_the_data_allows() -> None:
    ws = iris_workspace()
    low, high, default = ws.test_pct_range()
    assert low <= default <= high and default == 25
    ws.test_pct, ws.seed, ws.cv_folds = 40, 7, 5
    assert ws.split() == Split(0.4, 7, 5)
    ws.test_pct = high + 10  # chosen for another target or data: the default instead
    assert ws.split().test_size == default / 100


def test_the_train_page_split_reaches_compare(app: Any) -> None:
    at = app("pages/train.py")
    at.slider(key="test_pct").set_value(40).run()
    at.number_input(key="seed").set_value(7).run()
    at.switch_page("pages/compare.py").run()
    assert_healthy(at)
    assert any("test share 40% and seed 7" in c for c in texts(at, "caption"))
