"""The Boundary / Prediction map tab: the model's predictions over two features, the rest held."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from mllib import charts, explain
from ui import i18n
from ui.i18n import _
from ui.model_view.common import View, cached_boundary, chart, sentences
from ui.state import bind, bind_choice, keep_valid


def held_values(view: View, x: str, y: str) -> dict[str, Any]:
    """Widgets for the features off the chart, seeded with medians / modes."""
    model = view.model
    others = [f for f in model.config.features if f not in (x, y)]
    defaults = explain.slice_defaults(model, view.data.X_train)
    if st.session_state.get("hold_for") != view.key:  # a new model: forget old slice values
        for name in [k for k in st.session_state if str(k).startswith("hold_")]:
            del st.session_state[name]
        st.session_state["hold_for"] = view.key
    if not others:
        return {}
    values: dict[str, Any] = {}
    with st.expander(
        _(
            "Where the other {n} feature(s) are held: medians / most frequent values, editable",
            n=len(others),
        )
    ):
        if st.button(_("Reset to medians and most frequent values"), key="hold_reset"):
            for name in others:
                st.session_state.pop(f"hold_{name}", None)
        cols = st.columns(3)
        for i, name in enumerate(others):
            with cols[i % 3]:
                key = bind(f"hold_{name}", defaults[name])
                if name in model.plan.numeric:
                    values[name] = float(st.number_input(name, key=key, format="%g"))
                elif name in model.plan.datetime:
                    values[name] = st.text_input(_("{name} (date)", name=name), key=key)
                else:
                    options = explain.category_options(view.data.X_train, name)
                    keep_valid(key, options, fallback=options[0] if options else "")
                    values[name] = st.selectbox(name, options, key=key)
    return values


def boundary_section(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    axes = explain.boundary_axes(model)
    if len(axes) < 2:
        st.info(
            _("A boundary chart needs two numeric features; this model has {n}.", n=len(axes)),
            icon=":material/info:",
        )
        return
    first, second = explain.suggest_axes(model, view.data.X_train, view.data.y_train)
    c1, c2 = st.columns(2)
    x = c1.selectbox(_("Horizontal axis"), axes, key=bind_choice("boundary_x", axes, first))
    y = c2.selectbox(_("Vertical axis"), axes, key=bind_choice("boundary_y", axes, second))
    if x == y:
        st.warning(_("Pick two different features for the two axes."), icon=":material/warning:")
        return
    fixed = held_values(view, x, y)
    with st.spinner(_("Predicting over the grid…")):
        result = cached_boundary(view.key, x, y, json.dumps(fixed, sort_keys=True), view)
    chart(charts.boundary(result, view.classes, view.target, tr))
    if result.exact:
        where = _("The model uses only these two features, so this is its exact boundary.")
    elif len(result.fixed) <= 6:
        held = _(", ").join(
            f"{k} = {explain.display_value(v, tr)}" for k, v in result.fixed.items()
        )
        where = _(
            "A slice through the model: {held}. Points are the training rows' own values.",
            held=held,
        )
    else:
        where = _(
            "A slice through the model: the other {n} features are held at the values in the "
            "box above. Points are the training rows' own values, so rows far from the slice "
            "in those features may sit on the “wrong” side.",
            n=len(result.fixed),
        )
    margins = ""
    if result.n_support is not None and len(view.classes or []) > 2:
        margins = _(
            "Margins are drawn for two classes only: with more, the SVM combines one machine "
            "per pair of classes."
        )
    shade = (
        _("Colour = predicted class; stronger = more confident.")
        if result.value_kind == "class"
        else _("Colour = predicted {target}; dots = actual values.", target=view.target)
    )
    seconds = _("Computed in {seconds} s.", seconds=tr.number(result.seconds, 2))
    st.caption(sentences(shade, where, margins, seconds))
