"""Two compared runs side by side: predictions, or decision regions and confusion matrices."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mllib import catalogue, charts, compare, explain, training
from mllib.profile import Task
from ui import cache, i18n
from ui.i18n import _
from ui.state import Workspace, bind_choice


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
