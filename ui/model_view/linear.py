"""The Model tab of a linear model: its fitted curve, equation, weights, inference and path."""

from __future__ import annotations

import dataclasses

import streamlit as st

from mllib import charts, explain, ols
from mllib.errors import GlassboxError
from mllib.pipeline import reference_levels
from ui import i18n
from ui.i18n import _
from ui.model_view.common import (
    View,
    cached_curve,
    cached_inference,
    cached_linear,
    cached_path,
    chart,
    fixed,
    rare_named,
    sentences,
    table,
)
from ui.state import bind


def curve_section(view: View) -> None:
    curve = cached_curve(view.key, view)
    residuals = False
    if curve.value_kind == "prediction":
        residuals = st.toggle(
            _("Show residuals (actual − fitted) as segments"),
            key=bind("show_residuals", curve.line is not None),
        )
    chart(charts.fitted_curve(curve, residuals, i18n.tr()))


def linear_view(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    if explain.one_numeric_feature(model):
        curve_section(view)
    coefficient_section(view)
    if model.spec.inference == "ols":
        inference_section(view)
    elif model.spec.inference == "penalised":
        st.info(
            _(
                ols.PENALISED_REASON,
                name=tr.text(model.spec.name),
                alpha=float(model.estimator.alpha),
            ),
            icon=":material/info:",
        )
    if model.spec.coefficient_path:
        st.subheader(_("Shrinkage: the coefficient path"))
        with st.spinner(_("Refitting over 30 values of α…")):
            path, note = cached_path(view.key, view)
        path = rare_named(path, "feature")
        chart(charts.coefficient_path(path, float(model.estimator.alpha), i18n.text(note), tr))
        st.caption(
            sentences(
                _(
                    "Each line is one feature's weight (per standard deviation) when the model "
                    "is refitted with that α on the same preprocessed training rows; the dashed "
                    "line is this model's α."
                ),
                i18n.text(model.spec.coefficient_path),
            )
        )


def inference_section(view: View) -> None:
    """Standard errors, t, p and intervals of least squares, on the training rows."""
    tr = i18n.tr()
    st.subheader(_("Inference: how sure are the weights?"))
    try:
        result = cached_inference(view.key, view)
    except GlassboxError as err:
        st.info(i18n.error_text(err), icon=":material/info:")
        return
    cols = st.columns(4)
    cols[0].metric("R²", fixed(result.r2, 4))
    cols[1].metric(_("Adjusted R²"), fixed(result.adj_r2, 4))
    cols[2].metric(
        f"F ({result.df_model}, {result.df_resid})",
        f"{result.f:.4g}",
        help=_("Do the features together explain more than a constant would?"),
    )
    p_text = "< 0.001" if result.f_pvalue < 0.001 else fixed(result.f_pvalue, 3)
    cols[3].metric(_("p-value of F"), p_text, help=f"{result.f_pvalue:.3g}")
    coefficients = rare_named(result.table, "term").assign(
        term=lambda t: t["term"].map(lambda term: tr.text(term) if term == ols.INTERCEPT else term)
    )
    table(
        coefficients,
        result.headers(tr),
        {
            "coefficient": "{:.4g}",
            "std. error": "{:.4g}",
            "t": "{:.3f}",
            "p-value": "{:.3g}",
            "95% CI low": "{:.4g}",
            "95% CI high": "{:.4g}",
        },
    )
    st.caption(
        _(
            "On the {n} training rows, in the features' own units. SE = the weight's standard "
            "error, t = weight / SE, p = the chance of a |t| this large if the true weight were "
            "0; the 95 % interval holds the true weight in 95 % of repeated samples. These "
            "assume independent errors with constant spread (residual SD {sigma}); check the "
            "residual plots on the Evaluation tab.",
            n=tr.number(result.n),
            sigma=f"{result.sigma:.4g}",
        )
    )


def coefficient_section(view: View) -> None:
    fit = cached_linear(view.key, view)
    fit = dataclasses.replace(fit, table=rare_named(fit.table, "label"))
    outputs = list(fit.intercepts)
    output = outputs[0]
    tr = i18n.tr()  # format_func runs outside the session too (AppTest): use this translator
    st.subheader(_("The fitted equation"))
    if len(outputs) > 1:
        output = st.selectbox(
            _("Equation for class"), outputs, key=bind("equation_class", outputs[0])
        )
        if output not in outputs:
            output = outputs[0]
    latex, note = charts.equation_latex(fit, output, tr=i18n.tr())
    st.latex(latex)
    explain_kind = {
        "value": _(
            "Weights are in the features' own units: the change in the prediction when "
            "that feature grows by one, the others held fixed."
        ),
        "log-odds": _(
            "The score is turned into a probability by the sigmoid (two classes) or "
            "softmax (more); weights are in the features' own units."
        ),
        "score": _(
            "The class with the highest score wins; weights are in the features' own units."
        ),
    }[fit.kind]
    one_hot = next((label for label in fit.table["label"] if " = " in label), None)
    references = _(", ").join(
        f"{k} = {v}" for k, v in reference_levels(view.model.pipeline).items()
    )
    parts = [explain_kind]
    if one_hot:
        parts.append(_("A term like [{term}] is 1 for that category, else 0.", term=one_hot))
    if references:
        parts.append(
            _(
                "The first category of each ({references}) has no term of its own: it is the "
                "reference, and its effect is in b.",
                references=references,
            )
        )
    if note:
        parts.append(tr.text(note))
    st.caption(sentences(*parts))
    units = st.segmented_control(
        _("Weights"),
        ["standardised", "raw"],
        key=bind("coef_units", "standardised"),
        format_func=lambda u: (
            tr("per standard deviation") if u == "standardised" else tr("per unit")
        ),
    )
    chart(charts.coefficients(fit.table, output, units or "standardised", tr=i18n.tr()))
    st.caption(
        _(
            "Per standard deviation = weight × the feature's spread in the training rows: it "
            "compares features measured in different units. Per unit = the raw weight in the "
            "equation above."
        )
    )
