"""The Compare & tune page through AppTest: compare and tune on samples, carry the results to
the Train page, stop and resume a search, and run on a Dask cluster."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mllib import catalogue, compare, curves, parallel, tuning
from mllib.profile import Task
from tests.app.helpers import assert_healthy, texts

PAGE = "pages/compare.py"
WS = "glassbox_workspace"


@pytest.fixture(autouse=True)
def local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)


def open_page(app: Any, sample: str | None = None, tab: str = "Compare") -> Any:
    if sample is None:
        at = app(PAGE)
    else:
        at = app("pages/data.py")
        at.selectbox(key="sample").select(sample).run()
        at.switch_page(PAGE).run()
    if tab != "Compare":
        at.session_state["compare_tab"] = tab
        at.run()
    assert_healthy(at)
    return at


def chart_marks(at: Any) -> list[list[str]]:
    """The mark types of every Altair chart on the page, chart by chart."""

    def walk(spec: dict) -> list[str]:
        found = []
        for key in ("layer", "hconcat", "vconcat"):
            for part in spec.get(key, []):
                found += walk(part)
        if "spec" in spec:
            found += walk(spec["spec"])
        mark = spec.get("mark")
        if mark:
            found.append(mark if isinstance(mark, str) else mark["type"])
        return found

    return [walk(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]


def page_state(at: Any) -> Any:
    return at.session_state["compare_page"]


# --- Compare ----------------------------------------------------------------------------------


def test_compare_ranks_every_algorithm_on_iris_and_draws_the_charts(app: Any) -> None:
    at = open_page(app)
    assert any("Running on" in c for c in texts(at, "caption"))
    at.button(key="compare_run").click().run()
    assert_healthy(at)
    board = at.dataframe[0].value
    assert sorted(board["algorithm"]) == sorted(
        s.name for s in catalogue.specs_for(Task.CLASSIFICATION)
    )
    assert list(board["rank"]) == [1, 2, 3, 4]
    assert all(" ± " in v for v in board["CV accuracy"])
    marks = chart_marks(at)
    assert ["rule", "circle", "tick"] in marks  # scores with error bars
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    titles = [spec["title"]["text"] for spec in specs[1:]]
    first, second = at.selectbox(key="overlay_a").value, at.selectbox(key="overlay_b").value
    names = [catalogue.get_spec(k).name for k in (first, second)]
    assert titles == names + names  # decision regions, then confusion matrices, side by side
    assert catalogue.get_spec(first).family != catalogue.get_spec(second).family
    assert marks[1][:1] == ["rect"] and "circle" in marks[1]
    assert marks[3] == ["rect", "text"]
    assert {at.selectbox(key="boundary_x").value, at.selectbox(key="boundary_y").value} == {
        "petal_length",
        "petal_width",
    }


def test_compare_on_diabetes_overlays_predicted_and_actual(app: Any) -> None:
    at = open_page(app, "diabetes")
    at.button(key="compare_run").click().run()
    assert_healthy(at)
    assert len(at.dataframe[0].value) == 6
    assert ["line", "point"] in chart_marks(at)
    at.selectbox(key="compare_metric").select("MAE").run()
    assert_healthy(at)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "lower is better" in spec["title"]["subtitle"]


def test_use_this_model_carries_it_to_the_train_page_without_refitting(app: Any) -> None:
    at = open_page(app)
    at.button(key="compare_run").click().run()
    at.selectbox(key="use_model").select("tree").run()
    at.button(key="use_model_go").click().run()
    assert_healthy(at)
    ws = at.session_state[WS]
    chosen = ws.model
    assert chosen.spec.key == "tree" and ws.algorithm == "tree"
    assert any("current model" in s for s in texts(at, "success"))
    for page in ("pages/predict.py", "pages/export.py"):
        at.switch_page(page).run()
        assert_healthy(at)
        assert any("Decision tree" in c for c in texts(at, "caption")), page
    at.switch_page("pages/train.py").run()
    assert_healthy(at)
    assert at.selectbox(key="algorithm").value == "tree"
    assert at.session_state[WS].model is chosen  # same split, folds and settings: a cache hit


def test_a_changed_setting_marks_the_comparison_out_of_date(app: Any) -> None:
    at = open_page(app)
    at.button(key="compare_run").click().run()
    at.selectbox(key="compare_folds").select(3).run()
    assert_healthy(at)
    assert any("changed since this comparison" in i for i in texts(at, "info"))
    assert not at.dataframe


# --- Tune -------------------------------------------------------------------------------------


def start_search(at: Any, algorithm: str, params: list[str]) -> Any:
    at.selectbox(key="tune_algorithm").select(algorithm).run()
    at.multiselect(key=f"tune_params_{algorithm}").set_value(params).run()
    at.selectbox(key="tune_folds").select(3).run()
    at.button(key="tune_start").click().run()
    assert_healthy(at)
    return at


def test_tune_grid_search_shows_results_best_settings_and_curves(app: Any) -> None:
    at = open_page(app, tab="Tune")
    start_search(at, "tree", ["max_depth", "criterion"])
    search = page_state(at).search
    assert search.status == "done" and search.done_fits == search.plan.total_fits
    table = at.dataframe[0].value
    assert len(table) == len(search.plan.candidates)
    assert table["validation accuracy"].is_monotonic_decreasing
    labels = {m.label for m in at.metric}
    assert {"Validation accuracy", "Test accuracy"} <= labels
    at.selectbox(key="vc_param").select("max_depth").run()
    at.button(key="vc_run").click().run()
    at.button(key="lc_run").click().run()
    assert_healthy(at)
    titles = [json.loads(c.proto.spec)["title"]["text"] for c in at.get("vega_lite_chart")]
    assert titles == [
        "Validation curve: accuracy against Max depth",
        "Learning curve: accuracy against training rows",
    ]


def test_stop_is_shown_only_while_a_search_runs(app: Any) -> None:
    at = open_page(app, tab="Tune")
    assert not [b for b in at.button if b.key == "tune_stop"]
    start_search(at, "tree", ["max_depth"])
    assert page_state(at).search.status == "done"
    assert not [b for b in at.button if b.key == "tune_stop"], "nothing runs: no Stop"


def test_a_learning_curve_started_meanwhile_keeps_the_validation_curve(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(app, tab="Tune")
    learning_started = threading.Event()
    real_vc, real_lc = curves.validation_curve_table, curves.learning_curve_table

    def slow_validation(*args: Any, **kwargs: Any) -> Any:
        assert learning_started.wait(30), "the learning curve waited for this one"
        return real_vc(*args, **kwargs)

    def learning(*args: Any, **kwargs: Any) -> Any:
        learning_started.set()
        return real_lc(*args, **kwargs)

    monkeypatch.setattr(curves, "validation_curve_table", slow_validation)
    monkeypatch.setattr(curves, "learning_curve_table", learning)
    at.button(key="vc_run").click()
    at.button(key="lc_run").click().run()  # both clicked while the first computes
    assert_healthy(at)
    assert not page_state(at).curve_errors, page_state(at).curve_errors
    assert not page_state(at).curve_jobs, "the page waited for both"
    titles = [json.loads(c.proto.spec)["title"]["text"] for c in at.get("vega_lite_chart")]
    assert len(titles) == 2 and titles[0].startswith("Validation curve"), titles


def test_tune_regression_with_randomized_search(app: Any) -> None:
    at = open_page(app, "diabetes", tab="Tune")
    at.segmented_control(key="tune_method").set_value("random").run()
    at.slider(key="tune_candidates").set_value(10).run()
    start_search(at, "ridge", ["alpha"])
    search = page_state(at).search
    assert search.plan.method == "random" and search.status == "done"
    assert len(at.dataframe[0].value) == len(search.plan.candidates) <= 10
    assert "Validation R²" in {m.label for m in at.metric}


def test_apply_best_settings_opens_the_train_page_with_them(app: Any) -> None:
    at = open_page(app, tab="Tune")
    start_search(at, "tree", ["max_depth", "min_samples_leaf"])
    best = page_state(at).search.best_params()
    at.button(key="tune_apply").click().run()
    assert_healthy(at)
    ws = at.session_state[WS]
    assert ws.algorithm == "tree" and ws.params["tree"] == best
    assert at.selectbox(key="algorithm").value == "tree"
    depth = "unlimited" if best["max_depth"] is None else str(best["max_depth"])
    assert at.select_slider(key="p_tree_max_depth").value == depth
    assert ws.model.config.param_dict == best


def cut_search(at: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Start a tree search that stops after its first chunk of fits, still "running" (the
    next run of the page resumes it)."""
    real = tuning.search

    def first_chunk_only(data: Any, state: Any, **kwargs: Any) -> Iterator[Any]:
        yield next(real(data, state, chunk_seconds=0.0))

    monkeypatch.setattr(tuning, "search", first_chunk_only)
    start_search(at, "tree", ["max_depth", "min_samples_leaf"])
    monkeypatch.setattr(tuning, "search", real)
    return at


def _interrupted_search(app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    at = cut_search(open_page(app, tab="Tune"), monkeypatch)
    search = page_state(at).search
    assert search.status == "running" and 0 < search.done_fits < search.plan.total_fits
    return at


def test_stopping_a_search_keeps_its_results_and_the_app_usable(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _interrupted_search(app, monkeypatch)
    done = page_state(at).search.done_fits
    at.button(key="tune_stop").click().run()
    assert_healthy(at)
    search = page_state(at).search
    assert search.status == "stopped" and search.done_fits == done
    assert any("Stopped after" in w for w in texts(at, "warning"))
    assert len(at.dataframe[0].value) == done // search.plan.folds
    at.button(key="tune_start").click().run()  # start again: it runs to the end
    assert_healthy(at)
    assert page_state(at).search.status == "done"
    at.switch_page("pages/train.py").run()
    assert_healthy(at)


def test_an_interrupted_search_resumes_on_the_next_run(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _interrupted_search(app, monkeypatch)
    at.run()  # any click reruns the page; the search carries on
    assert_healthy(at)
    search = page_state(at).search
    assert search.status == "done" and search.done_fits == search.plan.total_fits


def test_a_search_on_other_data_is_not_shown(app: Any) -> None:
    at = open_page(app, tab="Tune")
    start_search(at, "tree", ["max_depth"])
    at.switch_page("pages/data.py").run()
    at.selectbox(key="sample").select("moons").run()
    at.switch_page(PAGE).run()
    at.session_state["compare_tab"] = "Tune"
    at.run()
    assert_healthy(at)
    assert page_state(at).search is None
    assert not at.dataframe and not at.metric
    assert at.button(key="tune_start").disabled is False


# --- where work runs --------------------------------------------------------------------------


def test_the_page_runs_searches_on_a_dask_cluster(
    app: Any, dask_cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parallel.SCHEDULER_ENV, dask_cluster)
    at = open_page(app, tab="Tune")
    line = next(c for c in texts(at, "caption") if "Running on" in c)
    assert f"Dask cluster at {dask_cluster} (2 workers" in line
    start_search(at, "tree", ["max_depth"])
    assert page_state(at).search.status == "done"


def unreachable_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point Glassbox at a Dask scheduler address where nothing listens (a 1 s timeout)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(parallel.SCHEDULER_ENV, f"tcp://127.0.0.1:{port}")
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_SECONDS", 1.0)


def test_an_unreachable_cluster_is_explained_on_the_page(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable_cluster(monkeypatch)
    at = app(PAGE)
    assert not at.exception
    assert any("Could not reach the Dask scheduler" in e for e in texts(at, "error"))


def test_a_slow_comparison_offers_a_sample_first(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare, "SLOW_SECONDS", 0.0)
    rows = "\n".join(f"{i % 97},{(i * 7) % 13},{'ab'[i % 2]}" for i in range(6_000))
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("big.csv", f"u,v,y\n{rows}".encode(), "text/csv"))
    at.run()
    at.switch_page(PAGE).run()
    assert_healthy(at)
    assert any("may take about" in w for w in texts(at, "warning"))
    offer = next(s for s in at.get("segmented_control") if s.key.startswith("compare_rows_"))
    assert offer.value == "sample", "the sample is the default choice"


def test_a_slow_search_offers_a_sample_first(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tuning, "affordable_sample", lambda *args, **kwargs: 1_000)
    rows = "\n".join(f"{i % 97},{(i * 7) % 13},{'ab'[i % 2]}" for i in range(6_000))
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("big.csv", f"u,v,y\n{rows}".encode(), "text/csv"))
    at.run()
    at.switch_page(PAGE).run()
    at.session_state["compare_tab"] = "Tune"
    at.run()
    assert_healthy(at)
    assert any("This search on all 6,000 rows may take about" in w for w in texts(at, "warning"))
    offer = next(s for s in at.get("segmented_control") if s.key.startswith("tune_rows_"))
    assert offer.value == "sample", "the sample is the default choice"
    at.button(key="tune_start").click().run()
    assert_healthy(at)
    state = page_state(at)
    assert state.search_config.sample_rows == 1_000
    assert max(rows for _, rows in state.search.plan.rounds) < 1_000
    offer.set_value("all").run()
    assert_healthy(at)
    text = " ".join(str(m.value) for m in at.markdown)
    assert "fits" in text
