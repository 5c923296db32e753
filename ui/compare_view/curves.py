"""Validation and learning curves on the Tune tab, computed beside the page one key each."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mllib import charts, curves, tuning
from mllib.jobs import Job
from ui import i18n
from ui.compare_view.common import PageState, failure_text
from ui.compare_view.waiting import show_waiting
from ui.i18n import _
from ui.state import Workspace, bind_choice


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
