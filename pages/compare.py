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
    training,
    tuning,
)
from mllib.errors import GlassboxError
from mllib.jobs import Job
from mllib.profile import Task
from ui import cache, i18n, shell
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
TABS = ("Compare", "Tune")


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
    search_error: str | None = None
    curve_jobs: dict[str, Job] = field(default_factory=dict)
    curve_errors: dict[str, str] = field(default_factory=dict)
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
    st.markdown(
        "Train every algorithm for this task on **the same training rows** and score it on "
        "**the same cross-validation folds**, each with its current Train-page settings "
        "(or its defaults)."
    )
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    folds = c1.selectbox(
        "Cross-validation",
        FOLD_CHOICES,
        key=bind("compare_folds", 5),
        format_func=lambda k: f"{k}-fold",
    )
    include_slow = c2.checkbox(
        "Include slow algorithms",
        key=bind("compare_slow", False),
        help="Kernel SVMs slow down with the square of the rows; by default they are sampled "
        "or skipped on large tables.",
    )
    test_size, seed, _ = ws.split()
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
        f"{len(plans)} algorithms"
        + (f" · about {seconds:,.0f} s" if seconds >= 1 else "")
        + f" · test share {test_size:.0%} and seed {seed} from the Train page"
    )
    st.button(
        "Reset every algorithm to its defaults",
        key="compare_reset",
        icon=":material/restart_alt:",
        on_click=reset_settings,
        args=(ws,),
        help="Forget the hyperparameters set on the Train page (and the split) for all algorithms.",
    )
    if st.button("Compare all algorithms", type="primary", key="compare_run"):
        state.comparison_key, state.comparison, state.comparing = key, [], True
    if state.comparing and state.comparison_key == key:
        run_comparison(ws, state, plans)
    if not state.comparison:
        st.caption("Press the button to train and rank every algorithm.")
        return
    if state.comparison_key != key:
        st.info(
            "The data, target, features or settings changed since this comparison; press "
            "“Compare all algorithms” to update it.",
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
    st.warning(warning, icon=":material/hourglass:")
    labels = {
        "sample": f"A {sample:,}-row random sample (about {fast:,.0f} s)",
        "all": f"All {n_rows:,} rows",
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
    warning = (
        f"Comparing every algorithm on all {len(ws.frame):,} rows may take about {seconds:,.0f} s "
        "(cross-validation included). A random sample ranks them in a fraction of it."
    )
    return rows_choice(ws, warning, "Compare on", "compare_rows", sample, fast)


def run_comparison(ws: Workspace, state: PageState, plans: list[compare.PlannedRun]) -> None:
    """Fit what is still missing (a rerun resumes here), showing which algorithm is training."""
    assert ws.dataset is not None and ws.profile is not None
    dataset, profile = ws.dataset, ws.profile

    def fit(config: training.TrainConfig) -> training.TrainedModel:
        key = training.training_key(dataset.fingerprint, config)
        return cache.trained_model(key, dataset, profile, config)

    done = {r.key for r in state.comparison}
    bar = st.progress(len(done) / len(plans), text="Starting…")
    for plan in plans:
        if plan.spec.key in done:
            continue
        bar.progress(
            len(state.comparison) / len(plans),
            text=f"Training {plan.spec.name} ({len(state.comparison) + 1} of {len(plans)})…",
        )
        (result,) = compare.run_comparison(
            dataset.frame, profile, [plan], dataset.fingerprint, fit=fit
        )
        state.comparison.append(result)
    state.comparing = False
    bar.empty()


def show_comparison(ws: Workspace, state: PageState) -> None:
    assert ws.task is not None
    task = ws.task
    board = compare.leaderboard(state.comparison, task)
    st.subheader("Leaderboard")
    st.dataframe(compare.leaderboard_display(board, task), hide_index=True)
    st.caption(
        "CV = mean ± standard deviation over the cross-validation folds (all rows); test = "
        "the held-out rows; fit s = one fit on the training rows; predict ms = predicting all "
        "test rows once."
    )
    names = list(compare.BOARD_METRICS[task])
    metric = st.selectbox(
        "Metric for the chart",
        names,
        key=bind_choice("compare_metric", names, metrics.primary_metric(task)),
    )
    table = compare.error_bar_table(board, metric)
    if not table.empty:
        higher = metrics.higher_is_better(metric)
        st.altair_chart(charts.scores_chart(table, metric, higher, i18n.tr()), width="stretch")
    fitted = {r.key: r for r in state.comparison if r.model is not None}
    if not fitted:
        return
    order = [k for k in board["key"] if k in fitted]
    label = {k: fitted[k].name for k in order}
    overlay(ws, fitted, order, label)
    use_model(ws, fitted, order, label)


def overlay(
    ws: Workspace,
    fitted: dict[str, compare.RunResult],
    order: list[str],
    label: dict[str, str],
) -> None:
    assert ws.frame is not None and ws.task is not None
    st.subheader("Two runs side by side")
    if len(order) < 2:
        st.caption("Only one algorithm was fitted; there is nothing to overlay.")
        return
    c1, c2 = st.columns(2)
    first = c1.selectbox(
        "First run", order, key=bind_choice("overlay_a", order, order[0]), format_func=label.get
    )
    rest = [k for k in order if k != first]
    family = catalogue.get_spec(first).family
    contrast = next((k for k in rest if catalogue.get_spec(k).family != family), rest[0])
    second = c2.selectbox(
        "Second run", rest, key=bind_choice("overlay_b", rest, contrast), format_func=label.get
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
        x = c1.selectbox("Horizontal axis", axes, key=bind_choice("boundary_x", axes, suggested[0]))
        others = [a for a in axes if a != x]
        y = c2.selectbox(
            "Vertical axis",
            others,
            key=bind_choice("boundary_y", others, suggested[1] if suggested[1] != x else others[0]),
        )
        exact = set(first.config.features) == {x, y}
        st.caption(
            "Shaded: the class each trained model predicts; dots: training rows. "
            + (
                "The models use only these two features."
                if exact
                else "A slice: every other "
                "feature is held at its median (numbers) or most frequent value."
            )
        )
        columns = st.columns(len(models))
        for column, (name, model) in zip(columns, models.items(), strict=True):
            b = boundary(run_key(model), model, ws.frame, x, y)
            chart = charts.boundary(b, [str(c) for c in model.classes or []], ws.target, i18n.tr())
            column.altair_chart(charts.titled(chart, name), width="stretch")
    else:
        st.caption("Decision regions need two numeric features; the confusion matrices follow.")
    columns = st.columns(len(models))
    for column, (name, model) in zip(columns, models.items(), strict=True):
        classes = [str(c) for c in model.classes or []]
        table = explain.confusion_table(model.y_test, model.y_pred, classes)
        chart = charts.confusion(table, normalised=False, tr=i18n.tr())
        column.altair_chart(charts.titled(chart, name, "test rows"), width="stretch")


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
    st.subheader("Carry a model forward")
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(
        "Model", order, key=bind_choice("use_model", order, order[0]), format_func=label.get
    )
    if c2.button("Use this model", key="use_model_go", icon=":material/check:"):
        model = fitted[chosen].model
        assert model is not None
        ws.set_model(model)
        config = model.config
        choose_algorithm(ws, chosen, config.param_dict)
        choose_split(ws, round(config.test_size * 100), config.seed, config.cv_folds)
    if ws.model is not None and ws.model is fitted[chosen].model:
        st.success(
            f"**{label[chosen]}** is the current model for the Train, See, Predict and Export "
            "pages.",
            icon=":material/check_circle:",
        )
        c1, c2, c3 = st.columns(3)
        c1.page_link("pages/model.py", label="See inside it", icon=":material/visibility:")
        c2.page_link("pages/predict.py", label="Predict", icon=":material/online_prediction:")
        c3.page_link("pages/export.py", label="Export", icon=":material/download:")


# --- Tune -----------------------------------------------------------------------------------------


def tune_tab(ws: Workspace, state: PageState) -> Any:
    """The Tune tab; returns a running search's progress bar (else ``None``)."""
    state.waiting = {}
    assert ws.dataset is not None and ws.profile is not None and ws.task and ws.target
    task = ws.task
    specs = catalogue.specs_for(task)
    keys = [s.key for s in specs]
    c1, c2 = st.columns(2)
    best_compared = next((r.key for r in best_first(ws, state) if r.model is not None), None)
    algorithm = c1.selectbox(
        "Algorithm",
        keys,
        key=bind_choice("tune_algorithm", keys, ws.algorithm or best_compared or keys[0]),
        format_func=lambda k: catalogue.get_spec(k).name,
    )
    spec = catalogue.get_spec(algorithm)
    base = training.valid_settings(spec, task, ws.params.get(spec.key, {}))
    test_size, seed, _ = ws.split()
    config = training.TrainConfig.make(
        spec.key, task, ws.target, ws.features, base, test_size=test_size, seed=seed
    )
    config, sample_note = tuning.search_config(config, len(ws.frame))
    key = training.training_key(ws.dataset.fingerprint, config)
    data = cache.search_split(key, ws.dataset.frame, ws.profile, config)
    n_train = len(data.y_train)
    methods = list(tuning.METHODS)
    method = c2.segmented_control(
        "Search",
        methods,
        key=bind_choice(
            "tune_method", methods, "halving" if n_train > tuning.HALVING_ROWS else "grid"
        ),
        format_func=tuning.METHODS.get,
        required=True,
        help="Grid tries every combination; randomized samples a fixed number; successive "
        "halving tries many settings on few rows and gives the best more rows each round "
        f"(best above {tuning.HALVING_ROWS:,} rows).",
    )
    tunable = tuning.tunable_params(spec, task)
    labels = {p.name: p.label for p in tunable}
    names_key = f"tune_params_{spec.key}"
    names = st.multiselect(
        "Parameters to search",
        list(labels),
        key=bind(keep_valid(names_key, labels), tuning.default_search(spec, task)),
        format_func=labels.get,
        help="The others keep their Train-page values.",
    )
    c1, c2, c3 = st.columns(3)
    if method == "grid":
        values = c1.slider(
            "Values per numeric parameter",
            2,
            8,
            key=bind("tune_values", 4),
            help="Spread over the range (evenly per decade for rates), plus the default.",
        )
        n_candidates = 30
    else:
        values = 4
        n_candidates = c1.slider("Settings to try", 5, 200, key=bind("tune_candidates", 30), step=5)
    folds = c2.selectbox(
        "Cross-validation",
        FOLD_CHOICES,
        key=bind("tune_folds", 5),
        format_func=lambda k: f"{k}-fold",
    )
    metric_names = list(metrics.scorers(task))
    metric = c3.selectbox(
        "Optimise",
        metric_names,
        key=bind_choice("tune_metric", metric_names, metrics.primary_metric(task)),
    )
    if sample_note:
        st.caption(sample_note)

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
            st.warning(str(err), icon=":material/tune:")
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
    warning = (
        f"This search on all {n_rows:,} rows may take about {seconds:,.0f} s. Settings found "
        "on a random sample usually rank the same, in a fraction of the time."
    )
    return rows_choice(ws, warning, "Search on", "tune_rows", sample, fast)


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
    text = (
        f"**{len(plan.candidates)}** settings × **{plan.folds}** folds = "
        f"**{plan.total_fits:,}** fits"
    )
    if plan.method == "halving" and len(plan.rounds) > 1:
        steps = " → ".join(f"{n} on {rows:,} rows" for n, rows in plan.rounds)
        text += f" in {len(plan.rounds)} rounds ({steps})"
    elif plan.method == "halving":
        text += " (too few rows to halve: one round on all of them)"
    if seconds >= 1:
        text += f", roughly {seconds:,.0f} s"
    st.markdown(text)


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
    start, stop, _ = st.columns([1, 1, 3])
    running = search is not None and search.status == "running"
    if running and state.search_fingerprint != ws.dataset.fingerprint:
        running = False  # the data changed under it
    elif running and stop.button("Stop", key="tune_stop", icon=":material/stop_circle:"):
        running = False
    if search is not None and search.status == "running" and not running:
        search.status = "stopped"  # its job drops the chunk in hand and ends
        st.rerun()  # redraw without the Stop button
    clicked = start.button(
        "Start search",
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
        stop.button("Stop", key="tune_stop", icon=":material/stop_circle:")
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
    return st.progress(search.progress, text=progress_text(search))


def show_waiting(state: PageState) -> None:
    """Redraw each computing curve's note with the seconds spent (a Streamlit call, so a click
    meanwhile interrupts the wait at once)."""
    for key, (slot, text) in state.waiting.items():
        job = state.curve_jobs.get(key)
        if job is not None and not job.done:
            slot.caption(f":material/hourglass_top: {text} {job.seconds:.0f} s")


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

    while not something_new():
        (job if searching and job is not None else running_curves[0]).wait(POLL_SECONDS)
        if bar is not None and search is not None:
            bar.progress(search.progress, text=progress_text(search))
        show_waiting(state)
    if searching and job is not None and job.done and search is not None:
        if job.error is not None:
            search.status = "stopped"
            state.search_error = str(job.error) or type(job.error).__name__
        elif search.status == "running" and not running_curves:
            return  # cut off before its end (only when a test stops it): a new run resumes it
    st.rerun()


def progress_text(search: tuning.SearchState) -> str:
    plan = search.plan
    text = f"{search.done_fits:,} / {plan.total_fits:,} fits · {search.elapsed:,.1f} s elapsed"
    left = search.seconds_left
    if left is not None:
        text += f" · about {left:,.0f} s left"
    best = search.best()
    if best is not None:
        text += f" · best {plan.metric} so far {best.validation:.3f}"
    return text


def show_search(ws: Workspace, state: PageState, current: tuning.SearchPlan | None) -> None:
    search = state.search
    assert search is not None and ws.task is not None
    plan = search.plan
    spec = plan.spec
    if state.search_error:
        st.error(f"The search stopped on an error: {state.search_error}", icon=":material/error:")
    elif search.status == "stopped":
        st.warning(
            f"Stopped after {search.done_fits:,} of {plan.total_fits:,} fits; these are the "
            "settings tried so far.",
            icon=":material/stop_circle:",
        )
    elif search.status == "done":
        st.caption(
            f"{tuning.METHODS[plan.method]} of {spec.name} finished: {search.done_fits:,} fits "
            f"in {search.elapsed:,.1f} s."
        )
    if current is not None and current != plan:
        st.caption("The settings above changed since this search; its results are shown.")
    for message, count in list(search.errors.items())[:3]:
        st.warning(f"{count} fit(s) failed: {message}", icon=":material/warning:")
    best = search.best()
    params = search.best_params()
    if best is None or params is None:
        return
    st.subheader("Best settings")
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.metric(
        f"Validation {plan.metric}",
        f"{best.validation:.3f}",
        f"± {best.std:.3f} across folds",
        delta_color="off",
        delta_arrow="off",
    )
    if search.best_test is not None:
        primary = metrics.primary_metric(plan.task)
        c2.metric(
            f"Test {primary}",
            f"{search.best_test[primary]:.3f}",
            help="The best settings refitted on all training rows, scored on the "
            "held-out test rows.",
        )
    c3.markdown(tuning.describe_params(spec, plan.task, params))
    if c3.button(
        "Apply to the Train page", type="primary", key="tune_apply", icon=":material/arrow_forward:"
    ):
        choose_algorithm(ws, spec.key, params)
        st.switch_page("pages/train.py")
    table = tuning.results_table(search)
    formats = {c: "{:.4f}" for c in table.columns if c.startswith(("validation", "train", "±"))}
    formats["fit s"] = "{:.3f}"
    height = min(320, 38 + 35 * len(table))
    st.dataframe(table.style.format(formats, na_rep="failed"), hide_index=True, height=height)


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
    settings, source = base, "the Train-page settings"
    search = state.search
    if search is not None and search.plan.algorithm == spec.key and search.best_params():
        settings, source = search.best_params() or base, "the best settings found"
    st.subheader("Curves")
    st.caption(f"{spec.name} at {source}, {folds}-fold cross-validation on the training rows.")
    left, right = st.columns(2)
    with left:
        params = curves.curve_params(spec, task, settings)
        if not params:
            st.caption("This algorithm has no parameter to sweep.")
        else:
            names = [p.name for p in params]
            labels = {p.name: p.label for p in params}
            name = st.selectbox(
                "Parameter",
                names,
                key=bind_choice("vc_param", names, names[0]),
                format_func=labels.get,
            )
            vc_key = f"vc|{data.config}|{sorted(settings.items())}|{name}|{folds}|{metric}"
            if st.button("Draw the validation curve", key="vc_run"):
                start_curve(
                    state,
                    vc_key,
                    lambda: curves.validation_curve_table(
                        data, settings, name, folds=folds, metric=metric
                    ),
                )
            table = curve_table(state, vc_key, "Fitting each value on every fold…")
            if table is not None:
                st.altair_chart(
                    charts.validation_curve_chart(table, labels[name], metric, i18n.tr()),
                    width="stretch",
                )
    with right:
        lc_key = f"lc|{data.config}|{sorted(settings.items())}|{folds}|{metric}"
        st.caption("Learning curve: score against the number of training rows.")
        if st.button("Draw the learning curve", key="lc_run"):
            start_curve(
                state,
                lc_key,
                lambda: curves.learning_curve_table(data, settings, folds=folds, metric=metric),
            )
        table = curve_table(state, lc_key, "Fitting growing parts of every fold…")
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
            state.curve_errors[key] = str(job.error) or type(job.error).__name__
    elif job is not None:
        state.waiting[key] = (st.empty(), waiting)
        show_waiting(state)
    if key in state.curve_errors:
        st.warning(
            f"This curve could not be drawn: {state.curve_errors[key]}", icon=":material/warning:"
        )
    return state.curves.get(key)


def main() -> None:
    ws = workspace()
    shell.page_header(
        "Compare & tune",
        "Which algorithm should I choose, and how do I make it better?",
    )
    if not shell.require_data(ws):
        return
    assert ws.dataset is not None and ws.task and ws.target
    st.caption(
        f"**{ws.dataset.name}** · predicting **{ws.target}** ({ws.task.value}) from "
        f"{len(ws.features)} feature(s) · :material/memory: {parallel.describe_backend()}"
    )
    state = page_state()
    forget_other_data(ws, state)
    compare_, tune_ = st.tabs(TABS, key="compare_tab", on_change="rerun")
    bar = None
    if compare_.open:
        with compare_:
            compare_tab(ws, state)
    if tune_.open:
        with tune_:
            bar = tune_tab(ws, state)
        watch(state, bar)


main()
