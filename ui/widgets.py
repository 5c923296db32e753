"""Widgets drawn from data: one function renders any hyperparameter from its :class:`Param`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from mllib.catalogue import ModelSpec, Param
from mllib.profile import Task
from ui.i18n import _, text, tr
from ui.state import bind, keep_valid, param_widget_prefix


def param_key(spec: ModelSpec, param: Param) -> str:
    return param_widget_prefix(spec.key) + param.name


def param_widget(
    spec: ModelSpec,
    param: Param,
    current: Any,
    disabled: bool = False,
    facts: Mapping[str, float] | None = None,
) -> Any:
    """Draw ``param``'s widget (seeded with ``current``) and return the chosen value.

    ``facts`` about the model's input (see :attr:`Param.special_values`) place text options
    such as γ "auto" where their value lies on the slider.

    Choice and grid widgets hold the option's English *label* (shown in the reader's language):
    Streamlit reads a ``None`` widget value as "nothing selected", yet ``None`` ("unlimited",
    "equal") is a legitimate choice here, and a label that does not change with the language
    keeps the choice when the reader switches it.
    """
    key = param_key(spec, param)
    label = text(param.label)
    common: dict[str, Any] = {"key": key, "help": text(param.help), "disabled": disabled}
    if param.kind == "bool":
        bind(key, bool(current))
        return st.toggle(label, **common)
    if param.kind == "float" and not (param.log or param.specials):
        bind(key, float(current))
        return st.slider(
            label,
            float(param.low),
            float(param.high),
            step=float(param.step or 0.01),
            **common,
        )
    if param.kind == "int" and not param.specials and len(param.options()) <= 60:
        bind(key, int(current))
        return st.slider(
            label, int(param.low), int(param.high), step=int(param.step or 1), **common
        )
    shown = tr().text  # format_func runs outside the session too (AppTest): bind the language
    options, labels = options_and_labels(param, facts)
    keep_valid(key, labels, fallback=labels[option_index(options, param.default, param.default)])
    bind(key, labels[option_index(options, current, param.default)])
    if param.kind == "choice":
        chosen = st.selectbox(label, labels, format_func=shown, **common)
    else:
        chosen = st.select_slider(label, options=labels, format_func=shown, **common)
    return options[labels.index(chosen)]


_OPTIONS: dict[tuple[int, tuple[tuple[str, float], ...] | None], tuple[list[Any], list[str]]] = {}


def options_and_labels(
    param: Param, facts: Mapping[str, float] | None
) -> tuple[list[Any], list[str]]:
    """``param``'s options and their labels, built once per parameter and input facts (a log
    grid has ~100 options, and labelling them cost milliseconds on every rerun). Params are
    the catalogue's long-lived constants, so their identity is a safe key."""
    key = (id(param), None if facts is None else tuple(sorted(facts.items())))
    cached = _OPTIONS.get(key)
    if cached is None:
        options = param.options(facts)
        cached = (options, [param.label_of(option) for option in options])
        if len(_OPTIONS) > 512:  # bounded: facts change with the data
            _OPTIONS.clear()
        _OPTIONS[key] = cached
    return cached


def option_index(options: list[Any], value: Any, default: Any) -> int:
    """Position of ``value`` (type-exact: ``0.0`` never matches ``False``), else the default's."""
    for candidate in (value, default):
        for i, option in enumerate(options):
            if option == candidate and type(option) is type(candidate):
                return i
    return 0


def param_form(
    spec: ModelSpec,
    task: Task,
    current: dict[str, Any],
    facts: Mapping[str, float] | None = None,
    locked: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Every applicable hyperparameter of ``spec``, in a two-column grid (``locked`` ones
    shown but disabled: a lesson link can fix them)."""
    values = {**spec.defaults(task), **current}
    params = spec.params_for(task)
    if not params:
        st.caption(_("This algorithm has no hyperparameters to tune."))
        return {}
    cols = st.columns(2)
    shown = 0
    for param in params:
        if not param.applies(task, values):
            continue
        with cols[shown % 2]:
            values[param.name] = param_widget(
                spec, param, values[param.name], param.name in locked, facts
            )
        shown += 1
    return {k: v for k, v in values.items() if any(p.name == k for p in params)}
