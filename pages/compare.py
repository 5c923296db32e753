"""Compare & tune: every algorithm on the same split, then a hyperparameter search with progress.

A comparison runs in small steps whose results are kept in this page's state after each step:
any click interrupts the script, and the next run carries on from where it stopped. Searches and
curves run beside the page (:class:`mllib.jobs.Job`): the page draws, then polls them, so Stop
takes effect at once (fits finishing after it are not counted) and starting one curve never
discards another.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from mllib import (
    catalogue,
    charts,
    compare,
    curves,
    explain,
    metrics,
    parallel,
    search_text,
    training,
    tuning,
)
from mllib.errors import GlassboxError
from mllib.i18n import LANGUAGES, N_, Translator, translator
from mllib.jobs import Job
from mllib.profile import Task
from ui import cache, i18n, shell
from ui.i18n import _
from ui.state import (
    Workspace,
    bind,
    bind_choice,
    choose_algorithm,
    choose_split,
    keep_valid,
    reset_settings,
    workspace,
)

FOLD_CHOICES = (3, 5, 10)
STATE_KEY = "compare_page"
POLL_SECONDS = 0.25  # how often a running search's progress line is redrawn
TABS = (N_("Compare"), N_("Tune"))
TAB_KEY = "compare_tab"


@dataclass
class PageState:
    """What this page keeps between runs (one session key): the last comparison, the last
    search with the split it runs on, and curves drawn for it."""

    comparison_key: str | None = None
    comparison: list[compare.RunResult] = field(default_factory=list)
    comparing: bool = False
    search: tuning.SearchState | None = None
    search_config: training.TrainConfig | None = None
    search_fingerprint: str | None = None
    curves: dict[str, pd.DataFrame] = field(default_factory=dict)
    search_job: Job | None = None
    search_error: BaseException | None = None
    curve_jobs: dict[str, Job] = field(default_factory=dict)
    curve_errors: dict[str, BaseException] = field(default_factory=dict)
    # this run's "still computing" notes of curves, redrawn with the time spent by ``watch``
    waiting: dict[str, tuple[Any, str]] = field(default_factory=dict)


shell.ensure_app_shell()


def page_state() -> PageState:
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = PageState()
    return st.session_state[STATE_KEY]


# --- Compare --------------------------------------------------------------------------------------


def compare_tab(ws: Workspace, state: PageState) -> None:
    assert ws.dataset is not None and ws.frame is not None and ws.task and ws.target
    tr = i18n.tr()
    st.markdown(
        _(
            "Train every algorithm for this task on **the same training rows** and score it on "
            "**the same cross-validation folds**, each with its current Train-page settings "
            "(or its defaults)."
        )
    )
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    folds = c1.selectbox(
        _("Cross-validation"),
        FOLD_CHOICES,
        key=bind("compare_folds", 5),
        format_func=fold_labels(tr).get,
    )
    include_slow = c2.checkbox(
        _("Include slow algorithms"),
        key=bind("compare_slow", False),
        help=_(
            "Kernel SVMs slow down with the square of the rows; by default they are sampled "
            "or skipped on large tables."
        ),
    )
    test_size, seed, _folds = ws.split()
    assert ws.profile is not None
    n_text = training.count_text(ws.profile, ws.features)
    options: dict[str, Any] = {
        "test_size": test_size,
        "seed": seed,
        "cv_folds": int(folds),
        "include_slow": include_slow,
        "n_text": n_text,
    }
    table = (ws.frame, ws.task, ws.target, ws.features, ws.params)
    plans = compare.plan_comparison(*table, **options)
    seconds = compare.comparison_seconds(plans, len(ws.frame), n_text)
    if seconds > compare.SLOW_SECONDS:
        sample = compare.affordable_sample(*table, budget=compare.SLOW_SECONDS, **options)
        if sample is not None:
            sampled = compare.plan_comparison(*table, sample_rows=sample, **options)
            fast = compare.comparison_seconds(sampled, sample, n_text)
            if sample_offer(ws, seconds, sample, fast):
                plans, seconds = sampled, fast
    key = "|".join(training.training_key(ws.dataset.fingerprint, p.config) for p in plans)
    c3.caption(
        _("{n} algorithms", n=tr.number(len(plans)))
        + (_(" · about {seconds} s", seconds=tr.number(round(seconds), 0)) if seconds >= 1 else "")
        + _(
            " · test share {share} and seed {seed} from the Train page",
            share=tr.percent(test_size),
            seed=seed,
        )
    )
    st.button(
        _("Reset every algorithm to its defaults"),
        key="compare_reset",
        icon=":material/restart_alt:",
        on_click=reset_settings,
        args=(ws,),
        help=_(
            "Forget the hyperparameters set on the Train page (and the split) for all algorithms."
        ),
    )
    if st.button(_("Compare all algorithms"), type="primary", key="compare_run"):
        state.comparison_key, state.comparison, state.comparing = key, [], True
    if state.comparing and state.comparison_key == key:
        run_comparison(ws, state, plans)
    if not state.comparison:
        st.caption(_("Press the button to train and rank every algorithm."))
        return
    if state.comparison_key != key:
        st.info(
            _(
                "The data, target, features or settings changed since this comparison; press "
                "“Compare all algorithms” to update it."
            ),
            icon=":material/update:",
        )
        return
    show_comparison(ws, state)


def rows_choice(
    ws: Workspace, warning: str, label: str, key: str, sample: int, fast: float
) -> bool:
    """The Train page's cost gate for a comparison or a search: ``warning`` says how long all
    rows would take; a random sample is offered (chosen by default) and the choice holds until
    the data changes. Whether to run on the sample."""
    assert ws.dataset is not None and ws.frame is not None
    n_rows = len(ws.frame)
    tr = i18n.tr()
    st.warning(warning, icon=":material/hourglass:")
    labels = {
        "sample": _(
            "A {rows}-row random sample (about {seconds} s)",
            rows=tr.number(sample),
            seconds=tr.number(round(fast), 0),
        ),
        "all": _("All {rows} rows", rows=tr.number(n_rows)),
    }
    choice = st.segmented_control(
        label,
        list(labels),
        key=bind(f"{key}_{ws.dataset.fingerprint[:16]}", "sample"),
        format_func=labels.get,
        required=True,
    )
    return choice == "sample"


def sample_offer(ws: Workspace, seconds: float, sample: int, fast: float) -> bool:
    """Whether to compare every algorithm on a sample (:func:`rows_choice`)."""
    assert ws.frame is not None
    tr = i18n.tr()
    warning = _(
        "Comparing every algorithm on all {rows} rows may take about {seconds} s "
        "(cross-validation included). A random sample ranks them in a fraction of it.",
        rows=tr.number(len(ws.frame)),
        seconds=tr.number(round(seconds), 0),
    )
    return rows_choice(ws, warning, _("Compare on"), "compare_rows", sample, fast)


def run_comparison(ws: Workspace, state: PageState, plans: list[compare.PlannedRun]) -> None:
    """Fit what is still missing (a rerun resumes here), showing which algorithm is training."""
    assert ws.dataset is not None and ws.profile is not None
    dataset, profile = ws.dataset, ws.profile

    def fit(config: training.TrainConfig) -> training.TrainedModel:
        key = training.training_key(dataset.fingerprint, config)
        return cache.trained_model(key, dataset, profile, config)

    done = {r.key for r in state.comparison}
    bar = st.progress(len(done) / len(plans), text=_("Starting…"))
    for plan in plans:
        if plan.spec.key in done:
            continue
        bar.progress(
            len(state.comparison) / len(plans),
            text=_(
                "Training {algorithm} ({n} of {total})…",
                algorithm=i18n.term(plan.spec.name),
                n=len(state.comparison) + 1,
                total=len(plans),
            ),
        )
        (result,) = compare.run_comparison(
            dataset.frame, profile, [plan], dataset.fingerprint, fit=fit
        )
        state.comparison.append(result)
    state.comparing = False
    bar.empty()


def show_comparison(ws: Workspace, state: PageState) -> None:
    assert ws.task is not None
    task, tr = ws.task, i18n.tr()
    board = compare.leaderboard(state.comparison, task, tr)
    st.subheader(_("Leaderboard"))
    st.dataframe(compare.leaderboard_display(board, task, tr), hide_index=True)
    st.caption(
        _(
            "CV = mean ± standard deviation over the cross-validation folds (all rows); test = "
            "the held-out rows; fit s = one fit on the training rows; predict ms = predicting "
            "all test rows once."
        )
    )
    names = list(compare.BOARD_METRICS[task])
    metric = st.selectbox(
        _("Metric for the chart"),
        names,
        key=bind_choice("compare_metric", names, metrics.primary_metric(task)),
        format_func=tr.text,
    )
    table = compare.error_bar_table(board, metric)
    if not table.empty:
        higher = metrics.higher_is_better(metric)
        st.altair_chart(charts.scores_chart(table, metric, higher, i18n.tr()), width="stretch")
    fitted = {r.key: r for r in state.comparison if r.model is not None}
    if not fitted:
        return
    order = [k for k in board["key"] if k in fitted]
    label = {k: i18n.term(fitted[k].name) for k in order}
    overlay(ws, fitted, order, label)
    use_model(ws, fitted, order, label)


def overlay(
    ws: Workspace,
    fitted: dict[str, compare.RunResult],
    order: list[str],
    label: dict[str, str],
) -> None:
    assert ws.frame is not None and ws.task is not None
    st.subheader(_("Two runs side by side"))
    if len(order) < 2:
        st.caption(_("Only one algorithm was fitted; there is nothing to overlay."))
        return
    c1, c2 = st.columns(2)
    first = c1.selectbox(
        _("First run"), order, key=bind_choice("overlay_a", order, order[0]), format_func=label.get
    )
    rest = [k for k in order if k != first]
    family = catalogue.get_spec(first).family
    contrast = next((k for k in rest if catalogue.get_spec(k).family != family), rest[0])
    second = c2.selectbox(
        _("Second run"), rest, key=bind_choice("overlay_b", rest, contrast), format_func=label.get
    )
    runs = {label[first]: fitted[first].model, label[second]: fitted[second].model}
    models = {k: m for k, m in runs.items() if m is not None}
    if ws.task == Task.REGRESSION:
        table = compare.predictions_table(models)
        sampled = any(m.n_test > compare.MAX_POINTS for m in models.values())
        st.altair_chart(
            charts.predicted_vs_actual_chart(table, sampled, i18n.tr()), width="stretch"
        )
        return
    class_pair(ws, models)


def class_pair(ws: Workspace, models: dict[str, training.TrainedModel]) -> None:
    """Decision regions and confusion matrices of two classifiers, side by side, drawn by the
    same code as the "See the model" page."""
    assert ws.frame is not None and ws.target is not None
    first = next(iter(models.values()))
    data = cache.model_data(run_key(first), first, ws.frame)
    axes = explain.boundary_axes(first)
    if len(axes) >= 2:
        suggested = explain.suggest_axes(first, data.X_train, data.y_train)
        c1, c2 = st.columns(2)
        x = c1.selectbox(
            _("Horizontal axis"), axes, key=bind_choice("boundary_x", axes, suggested[0])
        )
        others = [a for a in axes if a != x]
        y = c2.selectbox(
            _("Vertical axis"),
            others,
            key=bind_choice("boundary_y", others, suggested[1] if suggested[1] != x else others[0]),
        )
        exact = set(first.config.features) == {x, y}
        st.caption(
            _(
                "Shaded: the class each trained model predicts; dots: training rows. The models "
                "use only these two features."
            )
            if exact
            else _(
                "Shaded: the class each trained model predicts; dots: training rows. A slice: "
                "every other feature is held at its median (numbers) or most frequent value."
            )
        )
        columns = st.columns(len(models))
        for column, (name, model) in zip(columns, models.items(), strict=True):
            b = boundary(run_key(model), model, ws.frame, x, y)
            chart = charts.boundary(b, [str(c) for c in model.classes or []], ws.target, i18n.tr())
            column.altair_chart(charts.titled(chart, name), width="stretch")
    else:
        st.caption(_("Decision regions need two numeric features; the confusion matrices follow."))
    columns = st.columns(len(models))
    for column, (name, model) in zip(columns, models.items(), strict=True):
        classes = [str(c) for c in model.classes or []]
        table = explain.confusion_table(model.y_test, model.y_pred, classes)
        chart = charts.confusion(table, normalised=False, tr=i18n.tr())
        column.altair_chart(charts.titled(chart, name, _("test rows")), width="stretch")


def run_key(model: training.TrainedModel) -> str:
    return training.training_key(model.data_fingerprint, model.config)


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def boundary(key: str, _model: training.TrainedModel, _frame: pd.DataFrame, x: str, y: str) -> Any:
    """One run's decision regions over ``x`` and ``y`` (per training key and axes)."""
    data = cache.model_data(key, _model, _frame)
    return explain.decision_boundary(_model, data.X_train, data.y_train, x, y)


def use_model(
    ws: Workspace,
    fitted: dict[str, compare.RunResult],
    order: list[str],
    label: dict[str, str],
) -> None:
    st.subheader(_("Carry a model forward"))
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(
        _("Model"), order, key=bind_choice("use_model", order, order[0]), format_func=label.get
    )
    if c2.button(_("Use this model"), key="use_model_go", icon=":material/check:"):
        model = fitted[chosen].model
        assert model is not None
        ws.set_model(model)
        config = model.config
        choose_algorithm(ws, chosen, config.param_dict)
        choose_split(ws, round(config.test_size * 100), config.seed, config.cv_folds)
    if ws.model is not None and ws.model is fitted[chosen].model:
        st.success(
            _(
                "**{algorithm}** is the current model for the Train, See, Predict and Export "
                "pages.",
                algorithm=label[chosen],
            ),
            icon=":material/check_circle:",
        )
        c1, c2, c3 = st.columns(3)
        c1.page_link("pages/model.py", label=_("See inside it"), icon=":material/visibility:")
        c2.page_link("pages/predict.py", label=_("Predict"), icon=":material/online_prediction:")
        c3.page_link("pages/export.py", label=_("Export"), icon=":material/download:")


# --- Tune -----------------------------------------------------------------------------------------


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


def show_waiting(state: PageState) -> None:
    """Redraw each computing curve's note with the seconds spent (a Streamlit call, so a click
    meanwhile interrupts the wait at once)."""
    for key, (slot, text) in state.waiting.items():
        job = state.curve_jobs.get(key)
        if job is not None and not job.done:
            seconds = _("{seconds} s", seconds=i18n.tr().number(round(job.seconds), 0))
            slot.caption(f":material/hourglass_top: {text} {seconds}")


def watch(state: PageState, bar: Any) -> None:
    """Wait for the page's running jobs, redrawing the search's progress, until there is
    something new to show (the search ended, or every curve being computed is ready); then
    rerun so the page shows it. Any click meanwhile interrupts the wait."""
    search, job = state.search, state.search_job
    searching = search is not None and search.status == "running" and job is not None
    running_curves = [j for j in state.curve_jobs.values() if not j.done]
    if not searching and not running_curves:
        return

    def something_new() -> bool:
        if searching and job is not None and job.done:
            return True
        return bool(running_curves) and all(j.done for j in running_curves)

    tr = i18n.tr()
    while not something_new():
        (job if searching and job is not None else running_curves[0]).wait(POLL_SECONDS)
        if bar is not None and search is not None:
            bar.progress(search.progress, text=search_text.progress_text(search, tr))
        show_waiting(state)
    if searching and job is not None and job.done and search is not None:
        if job.error is not None:
            search.status = "stopped"
            state.search_error = job.error
        elif search.status == "running" and not running_curves:
            return  # cut off before its end (only when a test stops it): a new run resumes it
    st.rerun()


def failure_text(err: BaseException) -> str:
    """Why a search or a curve failed, in the reader's language when Glassbox wrote it (a
    library's own message is shown as it is)."""
    return i18n.error_text(err) or type(err).__name__


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


def curves_section(
    ws: Workspace,
    state: PageState,
    data: tuning.SplitData,
    base: dict[str, Any],
    folds: int,
    metric: str,
) -> None:
    """Validation and learning curves at the best settings found (else the Train settings)."""
    assert ws.task is not None
    spec, task = data.config.spec, ws.task
    settings, best = base, False
    search = state.search
    if search is not None and search.plan.algorithm == spec.key and search.best_params():
        settings, best = search.best_params() or base, True
    st.subheader(_("Curves"))
    about = (
        _(
            "{algorithm} at the best settings found, {folds}-fold cross-validation on the "
            "training rows.",
            algorithm=i18n.term(spec.name),
            folds=folds,
        )
        if best
        else _(
            "{algorithm} at the Train-page settings, {folds}-fold cross-validation on the "
            "training rows.",
            algorithm=i18n.term(spec.name),
            folds=folds,
        )
    )
    st.caption(about)
    left, right = st.columns(2)
    with left:
        params = curves.curve_params(spec, task, settings)
        if not params:
            st.caption(_("This algorithm has no parameter to sweep."))
        else:
            names = [p.name for p in params]
            labels = {p.name: i18n.term(p.label) for p in params}
            name = st.selectbox(
                _("Parameter"),
                names,
                key=bind_choice("vc_param", names, names[0]),
                format_func=labels.get,
            )
            vc_key = f"vc|{data.config}|{sorted(settings.items())}|{name}|{folds}|{metric}"
            if st.button(_("Draw the validation curve"), key="vc_run"):
                start_curve(
                    state,
                    vc_key,
                    lambda: curves.validation_curve_table(
                        data, settings, name, folds=folds, metric=metric
                    ),
                )
            table = curve_table(state, vc_key, _("Fitting each value on every fold…"))
            if table is not None:
                st.altair_chart(
                    charts.validation_curve_chart(table, labels[name], metric, i18n.tr()),
                    width="stretch",
                )
    with right:
        lc_key = f"lc|{data.config}|{sorted(settings.items())}|{folds}|{metric}"
        st.caption(_("Learning curve: score against the number of training rows."))
        if st.button(_("Draw the learning curve"), key="lc_run"):
            start_curve(
                state,
                lc_key,
                lambda: curves.learning_curve_table(data, settings, folds=folds, metric=metric),
            )
        table = curve_table(state, lc_key, _("Fitting growing parts of every fold…"))
        if table is not None:
            st.altair_chart(charts.learning_curve_chart(table, metric, i18n.tr()), width="stretch")
    while len(state.curves) > 12:  # keep the page state small
        state.curves.pop(next(iter(state.curves)))


def start_curve(state: PageState, key: str, work: Any) -> None:
    """Compute a curve beside the page (once per key; other curves keep computing)."""
    if key not in state.curves and key not in state.curve_jobs:
        state.curve_errors.pop(key, None)
        state.curve_jobs[key] = Job(work, name="glassbox-curve")


def curve_table(state: PageState, key: str, waiting: str) -> pd.DataFrame | None:
    """The curve's table once computed; meanwhile a note (``watch`` reruns when it is done)."""
    job = state.curve_jobs.get(key)
    if job is not None and job.done:
        del state.curve_jobs[key]
        if job.error is None:
            state.curves[key] = job.result()
        else:
            state.curve_errors[key] = job.error
    elif job is not None:
        state.waiting[key] = (st.empty(), waiting)
        show_waiting(state)
    if key in state.curve_errors:
        st.warning(
            _(
                "This curve could not be drawn: {error}",
                error=failure_text(state.curve_errors[key]),
            ),
            icon=":material/warning:",
        )
    return state.curves.get(key)


def fold_labels(tr: Translator) -> dict[int, str]:
    """ "5-fold" per choice, made when the page draws (a widget's labels must not depend on
    the session when Streamlit calls them again)."""
    return {k: tr("{k}-fold", k=k) for k in FOLD_CHOICES}


def tab_labels() -> list[str]:
    """The tabs' labels in the reader's language; the open tab stays open when the language
    changes (the tabs' state is the label, so one in another language is carried over)."""
    labels = [_(tab) for tab in TABS]
    chosen = st.session_state.get(TAB_KEY)
    for tab, label in zip(TABS, labels, strict=True):
        if chosen != label and chosen in {translator(code)(tab) for code in LANGUAGES}:
            st.session_state[TAB_KEY] = label
    return labels


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("Compare & tune"),
        _("Which algorithm should I choose, and how do I make it better?"),
    )
    if not shell.require_data(ws):
        return
    assert ws.dataset is not None and ws.task and ws.target
    tr = i18n.tr()
    st.caption(
        _(
            "**{data}** · predicting **{target}** ({task}) from {n} feature(s)",
            data=i18n.dataset_name(ws.dataset),
            target=ws.target,
            task=i18n.term(ws.task.value),
            n=tr.number(len(ws.features)),
        )
        + f" · :material/memory: {parallel.describe_backend(tr)}"
    )
    state = page_state()
    forget_other_data(ws, state)
    compare_, tune_ = st.tabs(tab_labels(), key=TAB_KEY, on_change="rerun")
    bar = None
    if compare_.open:
        with compare_:
            compare_tab(ws, state)
    if tune_.open:
        with tune_:
            bar = tune_tab(ws, state)
        watch(state, bar)


main()
