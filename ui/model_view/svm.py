"""The Model tab of a support vector machine: its picture, support vectors and dual form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mllib import explain, svm_dual
from mllib.profile import Task
from ui import i18n
from ui.i18n import _
from ui.model_view.boundary import boundary_section
from ui.model_view.common import View, sentences, table
from ui.model_view.linear import coefficient_section, curve_section
from ui.state import bind, bind_choice


def svm_view(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    estimator = model.estimator
    axes = explain.boundary_axes(model)
    if explain.one_numeric_feature(model):
        curve_section(view)
    elif len(axes) >= 2:
        boundary_section(view)
    else:
        st.info(_("Pictures of an SVM need at least one numeric feature."), icon=":material/info:")
    support = getattr(estimator, "support_", None)
    if support is not None:
        cols = st.columns(
            1 + len(getattr(estimator, "n_support_", [])) * (model.classes is not None)
        )
        cols[0].metric(
            _("Support vectors"), tr.number(len(support)), help=_("Training rows with αᵢ > 0")
        )
        if model.classes is not None:
            for col, label, count in zip(
                cols[1:], estimator.classes_, estimator.n_support_, strict=True
            ):
                col.metric(_("of class {label}", label=label), tr.number(int(count)))
        st.caption(
            _(
                "{share} of the training rows define the model: only they have αᵢ > 0 in "
                "w = Σ αᵢ yᵢ xᵢ. The others could move without changing it.",
                share=tr.percent(len(support) / max(model.n_train, 1)),
            )
        )
    if svm_dual.has_dual(model):
        dual_section(view)
    if explain.has_coefficients(model):
        coefficient_section(view)


DUAL_ROWS = 1_000


def dual_section(view: View) -> None:
    """The dual form with the model's own numbers: αᵢ, w = Σ αᵢ yᵢ xᵢ, one row's f(x)."""
    tr = i18n.tr()
    model = view.model
    regression = model.task == Task.REGRESSION
    st.subheader(_("The dual form: f(x) = Σ αᵢ yᵢ K(xᵢ, x) + b"))
    st.caption(
        _(
            "Every number here is in the space the SVM works in: the rows **after** "
            "preprocessing (numeric features standardised to mean 0 and SD 1, categories "
            "one-hot), and the target standardised too. So xᵢ are scaled values, not the "
            "numbers in your table."
        )
        if regression
        else _(
            "Every number here is in the space the SVM works in: the rows **after** "
            "preprocessing (numeric features standardised to mean 0 and SD 1, categories "
            "one-hot). So xᵢ are scaled values, not the numbers in your table."
        )
    )
    pair = None
    pairs = svm_dual.class_pairs(model) if not regression else []
    if len(pairs) > 1:
        labels = [tr("{first} vs {second}", first=a, second=b) for a, b in pairs]
        chosen = st.selectbox(
            _("Pair of classes (one SVM per pair)"),
            labels,
            key=bind_choice("dual_pair", labels, labels[0]),
        )
        pair = pairs[labels.index(chosen)]
    m = svm_dual.machine(model, pair)
    st.latex(svm_dual.kernel_formula(model))
    columns = [c.name for c in explain.model_columns(model)]
    scaled = {svm_dual.SCALED.format(feature=c): tr(svm_dual.SCALED, feature=c) for c in columns}
    support = svm_dual.support_table(model, m, columns)
    if not regression:
        st.markdown(
            _(
                "f(x) > 0 → **{positive}** (yᵢ = +1), f(x) < 0 → **{negative}** (yᵢ = −1). "
                "C = {C}: αᵢ < C puts a support vector exactly on the margin (yᵢ f(xᵢ) = 1); "
                "αᵢ = C inside it or on the wrong side.",
                positive=m.positive,
                negative=m.negative,
                C=f"{float(model.estimator.C):g}",
            )
        )
    else:
        st.markdown(
            _(
                "For regression the coefficient is αᵢ − αᵢ*: below C in size the row sits on the "
                "edge of the ε-tube, at C outside it."
            )
        )
    shown = support.head(DUAL_ROWS)
    table(shown.assign(where=shown["where"].map(tr.text)), scaled)
    if len(support) > len(shown):
        st.caption(
            _(
                "The first {shown} of {total} support vectors.",
                shown=tr.number(len(shown)),
                total=tr.number(len(support)),
            )
        )
    if model.estimator.kernel == "linear":
        primal = svm_dual.primal(model, m)
        c1, c2 = st.columns(2)
        c1.metric("‖w‖", f"{float((primal.w**2).sum() ** 0.5):.4g}")
        c2.metric(
            _("Margin width 2 / ‖w‖") if not regression else "2 / ‖w‖",
            f"{primal.margin:.4g}",
            help=_("In scaled units: standard deviations of the features."),
        )
        table(
            pd.DataFrame(
                {"input (scaled)": columns, "w = Σ αᵢ yᵢ xᵢ": primal.w, "coef_": primal.coef}
            )
        )
        st.caption(
            _(
                "w rebuilt from the support vectors alone equals scikit-learn's coef_ "
                "(largest difference {difference}).",
                difference=f"{float(abs(primal.w - primal.coef).max()):.1e}",
            )
        )
    rows = view.data.X_test
    if not len(rows):
        return
    row = st.number_input(
        _("Write out the decision value of test row"),
        0,
        len(rows) - 1,
        key=bind("dual_row", 0),
    )
    z = explain.transform(model, rows.iloc[[int(row)]])[0]
    expansion = svm_dual.expand(model, m, z)
    what = r"(\alpha_i - \alpha_i^*)" if regression else r"\alpha_i y_i"
    st.latex(svm_dual.expansion_latex(expansion, what=what, tr=tr))
    check = float(svm_dual.decision_values(model, z.reshape(1, -1), m)[0])
    st.caption(
        sentences(
            _(
                "The sum of all {n} terms plus b is {value}; scikit-learn's decision function "
                "gives {check} for this row.",
                n=tr.number(len(expansion.terms)),
                value=f"{expansion.value:.6g}",
                check=f"{check:.6g}",
            ),
            _("(In standardised target units.)") if regression else "",
        )
    )
    with st.expander(_("Every term of the sum")):
        table(expansion.terms)
