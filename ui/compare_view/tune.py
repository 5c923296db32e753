"""The Tune tab: choose a hyperparameter search, start or stop it, show its best settings."""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Any

import streamlit as st

from mllib import catalogue, compare, metrics, parallel, search_text, training, tuning
from mllib.errors import GlassboxError
from mllib.jobs import Job
from ui import cache, i18n
from ui.compare_view.common import FOLD_CHOICES, PageState, failure_text, fold_labels, rows_choice
from ui.compare_view.curves import curves_section
from ui.i18n import _
from ui.state import Workspace, bind, bind_choice, choose_algorithm, keep_valid


def tune_tab(ws: Workspace, state: PageState) -> Any:
    """The Tune tab; returns a running search's progress bar (else ``None``)."""
    state.waiting = {}
    assert ws.dataset is not None and ws.profile is not None and ws.task and ws.target
    task, tr = ws.task, i18n.tr()
    specs = catalogue.specs_for(task)
    keys = [s.key for s in specs]
    c1, c2 = st.columns(2)
    best_compared = next((r.key for r in best_first(ws, state) if r.model is not None), None)
    algorithm = c1.selectbox(
        _("Algorithm"),
        keys,
        key=bind_choice("tune_algorithm", keys, ws.algorithm or best_compared or keys[0]),
        format_func=lambda k: tr.text(catalogue.get_spec(k).name),
    )
    spec = catalogue.get_spec(algorithm)
    base = training.valid_settings(spec, task, ws.params.get(spec.key, {}))
    test_size, seed, _folds = ws.split()
    config = training.TrainConfig.make(
        spec.key, task, ws.target, ws.features, base, test_size=test_size, seed=seed
    )
    config, sample_note = tuning.search_config(config, len(ws.frame))
    key = training.training_key(ws.dataset.fingerprint, config)
    data = cache.search_split(key, ws.dataset.frame, ws.profile, config)
    n_train = len(data.y_train)
    methods = list(tuning.METHODS)
    method = c2.segmented_control(
        _("Search"),
        methods,
        key=bind_choice(
            "tune_method", methods, "halving" if n_train > tuning.HALVING_ROWS else "grid"
        ),
        format_func=lambda m: tr.text(tuning.METHODS[m]),
        required=True,
        help=_(
            "Grid tries every combination; randomized samples a fixed number; successive "
            "halving tries many settings on few rows and gives the best more rows each round "
            "(best above {rows} rows).",
            rows=tr.number(tuning.HALVING_ROWS),
        ),
    )
    tunable = tuning.tunable_params(spec, task)
    labels = {p.name: i18n.term(p.label) for p in tunable}
    names_key = f"tune_params_{spec.key}"
    names = st.multiselect(
        _("Parameters to search"),
        list(labels),
        key=bind(keep_valid(names_key, labels), tuning.default_search(spec, task)),
        format_func=labels.get,
        help=_("The others keep their Train-page values."),
    )
    c1, c2, c3 = st.columns(3)
    if method == "grid":
        values = c1.slider(
            _("Values per numeric parameter"),
            2,
            8,
            key=bind("tune_values", 4),
            help=_("Spread over the range (evenly per decade for rates), plus the default."),
        )
        n_candidates = 30
    else:
        values = 4
        n_candidates = c1.slider(
            _("Settings to try"), 5, 200, key=bind("tune_candidates", 30), step=5
        )
    folds = c2.selectbox(
        _("Cross-validation"),
        FOLD_CHOICES,
        key=bind("tune_folds", 5),
        format_func=fold_labels(tr).get,
    )
    metric_names = list(metrics.scorers(task))
    metric = c3.selectbox(
        _("Optimise"),
        metric_names,
        key=bind_choice("tune_metric", metric_names, metrics.primary_metric(task)),
        format_func=tr.text,
    )
    if sample_note:
        st.caption(i18n.text(sample_note))

    def make_plan(data: tuning.SplitData, key: str) -> tuning.SearchPlan | None:
        try:
            return tuning.plan_search(
                data,
                method,
                names,
                base,
                values_per_param=values,
                n_candidates=n_candidates,
                folds=int(folds),
                metric=metric,
                data_key=key,
            )
        except GlassboxError as err:
            st.warning(i18n.error_text(err), icon=":material/tune:")
            return None

    plan = make_plan(data, key)
    if plan is not None and config.sample_rows is None:
        n_text = training.count_text(ws.profile, ws.features)
        workers = parallel.current_backend().workers
        n_rows = len(ws.dataset.frame)
        sample = tuning.affordable_sample(
            plan, n_rows, len(ws.features), workers, n_text, compare.SLOW_SECONDS
        )
        if sample is not None and search_sample_offer(ws, plan, sample, workers, n_text):
            config = dataclasses.replace(config, sample_rows=sample)
            key = training.training_key(ws.dataset.fingerprint, config)
            data = cache.search_split(key, ws.dataset.frame, ws.profile, config)
            plan = make_plan(data, key)
    if plan is not None:
        describe_plan(plan, len(ws.features))
    bar = search_controls(ws, state, plan, data, config)
    if state.search is not None:
        show_search(ws, state, plan)
    curves_section(ws, state, data, base, int(folds), metric)
    return bar


def search_sample_offer(
    ws: Workspace, plan: tuning.SearchPlan, sample: int, workers: int, n_text: int
) -> bool:
    """Whether to search on a sample (:func:`rows_choice`)."""
    assert ws.dataset is not None
    n_rows, n_features = len(ws.dataset.frame), len(ws.features)
    seconds = tuning.search_seconds(plan, n_features, workers, n_text)
    sampled = tuning.sampled_plan(plan, sample / n_rows)
    fast = tuning.search_seconds(sampled, n_features, workers, n_text)
    tr = i18n.tr()
    warning = _(
        "This search on all {rows} rows may take about {seconds} s. Settings found on a random "
        "sample usually rank the same, in a fraction of the time.",
        rows=tr.number(n_rows),
        seconds=tr.number(round(seconds), 0),
    )
    return rows_choice(ws, warning, _("Search on"), "tune_rows", sample, fast)


def best_first(ws: Workspace, state: PageState) -> list[compare.RunResult]:
    """The last comparison's results, best first (empty when there is none)."""
    if not state.comparison or ws.task is None:
        return []
    board = compare.leaderboard(state.comparison, ws.task)
    by_key = {r.key: r for r in state.comparison}
    return [by_key[k] for k in board["key"]]


def forget_other_data(ws: Workspace, state: PageState) -> None:
    """A search made on other data, target or features no longer describes this model."""
    config = state.search_config
    if state.search is None or config is None or ws.dataset is None:
        return
    now = (ws.dataset.fingerprint, ws.target, tuple(ws.features), ws.task)
    if (state.search_fingerprint, config.target, config.features, config.task) != now:
        if state.search.status == "running":
            state.search.status = "stopped"  # its job ends after the chunk in hand
        state.search = state.search_config = state.search_fingerprint = None


def describe_plan(plan: tuning.SearchPlan, n_features: int) -> None:
    workers = parallel.current_backend().workers
    seconds = tuning.search_seconds(plan, n_features, workers)
    st.markdown(search_text.plan_text(plan, seconds, i18n.tr()))


def search_controls(
    ws: Workspace,
    state: PageState,
    plan: tuning.SearchPlan | None,
    data: tuning.SplitData,
    config: training.TrainConfig,
) -> Any:
    """Start or stop a search; while one runs, make sure its job runs (a new run resumes an
    interrupted one) and return its progress bar for :func:`watch` to update."""
    assert ws.dataset is not None and ws.profile is not None
    search = state.search
    start, stop, _gap = st.columns([1, 1, 3])
    running = search is not None and search.status == "running"
    if running and state.search_fingerprint != ws.dataset.fingerprint:
        running = False  # the data changed under it
    elif running and stop.button(_("Stop"), key="tune_stop", icon=":material/stop_circle:"):
        running = False
    if search is not None and search.status == "running" and not running:
        search.status = "stopped"  # its job drops the chunk in hand and ends
        st.rerun()  # redraw without the Stop button
    clicked = start.button(
        _("Start search"),
        type="primary",
        key="tune_start",
        icon=":material/play_arrow:",
        disabled=plan is None or running,
    )
    if clicked and not running:
        assert plan is not None
        state.search = search = tuning.SearchState(plan)
        state.search_config, state.search_fingerprint = config, ws.dataset.fingerprint
        state.search_job, state.search_error = None, None
        stop.button(_("Stop"), key="tune_stop", icon=":material/stop_circle:")
        running = True
    if not running or search is None:
        return None
    assert state.search_config is not None
    if state.search_config != config:
        key = training.training_key(ws.dataset.fingerprint, state.search_config)
        data = cache.search_split(key, ws.dataset.frame, ws.profile, state.search_config)
    if state.search_job is None or state.search_job.done:
        steps = tuning.search(data, search)
        state.search_job = Job(lambda: deque(steps, maxlen=0), name="glassbox-search")
    return st.progress(search.progress, text=search_text.progress_text(search, i18n.tr()))


def show_search(ws: Workspace, state: PageState, current: tuning.SearchPlan | None) -> None:
    search = state.search
    assert search is not None and ws.task is not None
    tr = i18n.tr()
    plan = search.plan
    spec = plan.spec
    outcome = search_text.outcome_text(search, tr)
    if state.search_error is not None:
        st.error(
            _("The search stopped on an error: {error}", error=failure_text(state.search_error)),
            icon=":material/error:",
        )
    elif search.status == "stopped":
        st.warning(outcome, icon=":material/stop_circle:")
    elif search.status == "done":
        st.caption(outcome)
    if current is not None and current != plan:
        st.caption(_("The settings above changed since this search; its results are shown."))
    for message, count in list(search.errors.items())[:3]:
        st.warning(
            _("{count} fit(s) failed: {message}", count=tr.number(count), message=tr.text(message)),
            icon=":material/warning:",
        )
    best = search.best()
    params = search.best_params()
    if best is None or params is None:
        return
    st.subheader(_("Best settings"))
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.metric(
        _("Validation {metric}", metric=i18n.term(plan.metric)),
        tr.number(best.validation, 3),
        _("± {std} across folds", std=tr.number(best.std, 3)),
        delta_color="off",
        delta_arrow="off",
    )
    if search.best_test is not None:
        primary = metrics.primary_metric(plan.task)
        c2.metric(
            _("Test {metric}", metric=i18n.term(primary)),
            tr.number(search.best_test[primary], 3),
            help=_(
                "The best settings refitted on all training rows, scored on the held-out test rows."
            ),
        )
    c3.markdown(tuning.describe_params(spec, plan.task, params, tr))
    if c3.button(
        _("Apply to the Train page"),
        type="primary",
        key="tune_apply",
        icon=":material/arrow_forward:",
    ):
        choose_algorithm(ws, spec.key, params)
        st.switch_page("pages/train.py")
    table = tuning.results_table(search, tr)
    scores = list(table.select_dtypes("float").columns)  # scores, then the fit time last
    formats = {c: "{:.4f}" for c in scores[:-1]}
    if scores:
        formats[scores[-1]] = "{:.3f}"
    height = min(320, 38 + 35 * len(table))
    st.dataframe(table.style.format(formats, na_rep=_("failed")), hide_index=True, height=height)
