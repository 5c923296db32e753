"""Widgets drawn from data: one function renders any hyperparameter from its :class:`Param`."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mllib.catalogue import ModelSpec, Param
from mllib.profile import Task
from ui.state import bind


def param_key(spec: ModelSpec, param: Param) -> str:
    return f"p_{spec.key}_{param.name}"


def param_widget(spec: ModelSpec, param: Param, current: Any, disabled: bool = False) -> Any:
    """Draw ``param``'s widget (seeded with ``current``) and return the chosen value."""
    key = bind(param_key(spec, param), current)
    if st.session_state[key] not in param.options() and param.kind != "bool":
        st.session_state[key] = param.default
    common: dict[str, Any] = {"key": key, "help": param.help, "disabled": disabled}
    if param.kind == "bool":
        return st.toggle(param.label, **common)
    if param.kind == "choice":
        return st.selectbox(param.label, param.options(), format_func=param.label_of, **common)
    if param.log or param.specials or (param.kind == "int" and len(param.options()) > 60):
        return st.select_slider(
            param.label, options=param.options(), format_func=param.label_of, **common
        )
    if param.kind == "int":
        return st.slider(
            param.label, int(param.low), int(param.high), step=int(param.step or 1), **common
        )
    return st.slider(
        param.label, float(param.low), float(param.high), step=float(param.step or 0.01), **common
    )


def param_form(spec: ModelSpec, task: Task, current: dict[str, Any]) -> dict[str, Any]:
    """Every applicable hyperparameter of ``spec``, in a two-column grid."""
    values = {**spec.defaults(task), **current}
    params = spec.params_for(task)
    if not params:
        st.caption("This algorithm has no hyperparameters to tune.")
        return {}
    cols = st.columns(2)
    shown = 0
    for param in params:
        if not param.applies(task, values):
            continue
        with cols[shown % 2]:
            values[param.name] = param_widget(spec, param, values[param.name])
        shown += 1
    return {k: v for k, v in values.items() if any(p.name == k for p in params)}
