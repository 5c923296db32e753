"""The Compare tab: every algorithm on the same folds, the leaderboard, carrying one forward."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mllib import charts, compare, metrics, training
from ui import cache, i18n
from ui.compare_view.common import FOLD_CHOICES, PageState, fold_labels, rows_choice
from ui.compare_view.side_by_side import overlay
from ui.i18n import _
from ui.state import Workspace, bind, bind_choice, choose_algorithm, choose_split, reset_settings


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
