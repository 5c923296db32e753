"""See the model: what the trained model learned, drawn from the fitted pipeline itself.

Tabs render lazily (only the open one runs). Every table comes from ``mllib.explain`` and every
chart from ``mllib.charts``; this page reads widgets, caches by the model's training key and
renders.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from mllib import charts, explain, ols, response, splits, svm_dual, threshold, training
from mllib.errors import GlassboxError
from mllib.explain import Boundary, ModelData
from mllib.i18n import N_, Translator
from mllib.pipeline import reference_levels
from mllib.profile import Task
from mllib.training import TrainedModel
from ui import cache, i18n, lesson, shell
from ui.i18n import _
from ui.state import bind, bind_choice, keep_valid, workspace

TREE_DEFAULT_DEPTH = 2  # fits 800 px wide at 11 px text; deeper on request
TREE_MAX_NODES = 127

shell.ensure_app_shell()


@dataclass(frozen=True)
class View:
    """What every tab needs: the model, its rows and the cache key that names them."""

    model: TrainedModel
    data: ModelData
    key: str

    @property
    def classes(self) -> list[str] | None:
        return None if self.model.classes is None else [str(c) for c in self.model.classes]

    @property
    def target(self) -> str:
        return self.model.config.target


# --- caches: keyed by the training key (data fingerprint + every choice) -------------------------


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_boundary(key: str, x: str, y: str, fixed: str, _view: View) -> Boundary:
    return explain.decision_boundary(
        _view.model, _view.data.X_train, _view.data.y_train, x, y, json.loads(fixed)
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_path(key: str, _view: View) -> tuple[pd.DataFrame, str]:
    return explain.coefficient_path(_view.model, _view.data.X_train, _view.data.y_train)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_linear(key: str, _view: View) -> explain.LinearFit:
    return explain.linear_fit(_view.model, _view.data.X_train)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_inference(key: str, _view: View) -> ols.OLSInference:
    return ols.model_inference(_view.model, _view.data)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_permutation(key: str, _view: View) -> tuple[pd.DataFrame, int]:
    return explain.permutation_table(_view.model, _view.data.X_test, _view.data.y_test)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_dependence(key: str, feature: str, _view: View) -> tuple[pd.DataFrame, int]:
    return explain.partial_dependence_table(_view.model, _view.data.X_train, feature)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def cached_tree(key: str, _view: View) -> pd.DataFrame:
    return explain.tree_table(_view.model)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_curve(key: str, _view: View) -> explain.CurveView:
    return explain.curve_view(_view.model, _view.data)


def chart(figure: Any) -> None:
    st.altair_chart(figure, width="stretch")


def rare_named(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Feature labels with scikit-learn's group of infrequent categories ("region = a rare
    category", see :data:`explain.RARE_CATEGORY`) named in the reader's language."""
    shown = i18n.text(explain.RARE_CATEGORY)
    if shown == explain.RARE_CATEGORY:
        return frame
    return frame.assign(
        **{c: frame[c].map(lambda v: str(v).replace(explain.RARE_CATEGORY, shown)) for c in columns}
    )


def fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals as the reader's locale writes it; "nan" when undefined
    (precision with no row predicted positive)."""
    return i18n.tr().number(value, digits) if math.isfinite(value) else "nan"


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    shown = [p for p in parts if p]
    text = shown[0] if shown else ""
    for part in shown[1:]:
        text = _("{sentence} {next}", sentence=text, next=part)
    return text


def table(
    frame: pd.DataFrame | Any,
    names: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    **kwargs: Any,
) -> None:
    """A table whose column names are Glassbox's words, shown in the reader's language (``names``
    gives the headers that hold data, such as a feature's name); ``formats`` and a
    ``column_config`` are keyed by the English names."""
    tr = i18n.tr()
    headers = {str(c): tr.text(str(c)) for c in frame.columns}
    headers.update(names or {})
    shown = frame.rename(columns=headers)
    if "column_config" in kwargs:
        kwargs["column_config"] = {headers[k]: v for k, v in kwargs["column_config"].items()}
    if formats:
        shown = shown.style.format({headers[k]: v for k, v in formats.items()})
    st.dataframe(shown, hide_index=True, **kwargs)


# --- header ---------------------------------------------------------------------------------


def summary(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    primary, value = next(iter(model.test_scores.items()))
    params = _(", ").join(
        f"{tr.text(p.label)} = {tr.text(p.label_of(model.config.param_dict[p.name]))}"
        for p in model.spec.params_for(model.task)
        if p.name in model.config.param_dict
    )
    st.markdown(
        tr(
            "**{algorithm}** predicting **{target}** ({task}) from {n} feature(s) · test "
            "{metric} **{value}** · {train} training / {test} test rows",
            algorithm=tr.text(model.spec.name),
            target=view.target,
            task=i18n.term(model.task.value),
            n=tr.number(len(model.config.features)),
            metric=i18n.term(primary),
            value=fixed(value, 3),
            train=tr.number(model.n_train),
            test=tr.number(model.n_test),
        )
    )
    if params:
        st.caption(params)


# --- the model itself -------------------------------------------------------------------------


def model_tab(view: View) -> None:
    draw = {"weights": linear_view, "diagram": tree_view, "dual": svm_view}
    draw[view.model.spec.model_view](view)


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


def tree_view(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    nodes = cached_tree(view.key, view)
    depth = int(nodes["depth"].max())
    st.subheader(_("The tree"))
    wanted = depth
    if depth > 1:
        wanted = st.slider(
            _("Depth shown (questions below the first one)"),
            1,
            depth,
            key=bind("tree_depth", min(TREE_DEFAULT_DEPTH, depth)),
            help=_("Deeper levels are drawn as “… N more nodes” until you show them."),
        )
    shown = explain.shown_depth(nodes, wanted, TREE_MAX_NODES)
    if shown < wanted:
        st.caption(
            _(
                "Showing {shown} levels: deeper ones would draw more than {limit} boxes. "
                "The rules below list every split.",
                shown=shown,
                limit=TREE_MAX_NODES,
            )
        )
    rows = view.data.X_test
    row_number = st.number_input(
        _("Follow one test row through the tree (row number)"),
        0,
        max(len(rows) - 1, 0),
        key=bind("tree_row", explain.longest_path_row(model, rows)),
        help=_("Starts at the test row with the longest path."),
        step=1,
    )
    row = rows.iloc[[int(row_number)]]
    path = explain.decision_path(model, row)
    words = explain.tree_criterion(model)
    dot = charts.tree_dot(nodes, shown, view.classes, path, words, tr)
    st.graphviz_chart(dot, width="content")
    impurity, gain = tr.text(words.impurity), tr.text(words.gain)
    st.caption(
        sentences(
            _(
                "{nodes} nodes, {leaves} leaves, depth {depth}.",
                nodes=tr.number(len(nodes)),
                leaves=tr.number(int(nodes["leaf"].sum())),
                depth=depth,
            ),
            _(
                "Each box: the question; the node's {impurity} and the {gain} of its split (the "
                "parent's {impurity} minus its children's, each weighted by its share of the "
                "rows); the training rows reaching it and their classes; the majority class. "
                "Colour = that class, stronger when purer.",
                impurity=impurity,
                gain=gain,
            )
            if view.classes
            else _(
                "Each box: the question; the node's {impurity} and the {gain} of its split (the "
                "parent's {impurity} minus its children's, each weighted by its share of the "
                "rows); the training rows reaching it; their mean, which a leaf predicts. "
                "Darker = higher.",
                impurity=impurity,
                gain=gain,
            ),
            _("Red: the path of the chosen row."),
        )
    )
    st.markdown(_("**The path of test row {row}**", row=int(row_number)))
    table(explain.path_steps(nodes, path, row, tr))
    with st.expander(_("The rules as text")):
        st.code(explain.tree_rules(model, max(shown, 1), tr=tr), language=None)
    split_section(view, nodes, path)


def split_section(view: View, nodes: pd.DataFrame, path: list[int]) -> None:
    """Every split's gain with the numbers behind it, and one split's formula filled in."""
    tr = i18n.tr()  # format_func runs outside the session too (AppTest): use this translator
    words = explain.tree_criterion(view.model)
    splits_table = rare_named(
        splits.split_table(nodes, str(view.model.estimator.criterion)), "question"
    )
    if splits_table.empty:
        st.caption(_("The tree is a single leaf: there is no split to explain."))
        return
    impurity, gain = tr.text(words.impurity), tr.text(words.gain)
    gain_column = words.gain + (f" ({words.unit})" if words.unit else "")
    st.markdown(_("**Each split's {gain}**", gain=gain))
    table(
        splits_table,
        {
            words.impurity: impurity,
            f"{words.impurity} yes": _("{impurity} yes", impurity=impurity),
            f"{words.impurity} no": _("{impurity} no", impurity=impurity),
            gain_column: _("{gain} ({unit})", gain=gain, unit=tr.text(words.unit))
            if words.unit
            else gain,
        },
        column_config={
            "share of importance": st.column_config.NumberColumn(format="percent"),
        },
    )
    st.caption(
        _(
            "{Gain} = the parent's {impurity} minus the children's, each weighted by its share of "
            "the parent's rows. *Share of importance* weights it again by the share of all "
            "training rows that reach the node and divides by the tree's total: summed per "
            "feature it gives the tree importances on the Importance tab.",
            Gain=gain[:1].upper() + gain[1:],
            impurity=impurity,
        )
    )
    numbers = [int(n) for n in splits_table["node"]]
    default = next((n for n in path if n in numbers), numbers[0])
    questions = dict(zip(numbers, splits_table["question"], strict=True))
    node = st.selectbox(
        _("Show the arithmetic of one split"),
        numbers,
        key=bind(keep_valid("split_node", numbers), default),
        format_func=lambda n: tr("node {n}: {question}", n=n, question=questions[n]),
    )
    if words.formula:
        st.latex(words.formula)
    st.latex(charts.split_latex(splits.split_numbers(nodes, int(node)), words, tr=tr))


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


# --- boundary -------------------------------------------------------------------------------


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


# --- evaluation -----------------------------------------------------------------------------


def evaluation_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    if model.task == Task.REGRESSION:
        points = explain.regression_points(model.y_test, model.y_pred, seed=model.config.seed)
        left, right = st.columns(2)
        with left:
            chart(charts.predicted_vs_actual(points, len(model.y_test), view.target, i18n.tr()))
        with right:
            chart(charts.residuals_vs_predicted(points, len(model.y_test), i18n.tr()))
        chart(
            charts.residual_histogram(explain.residual_bins(model.y_test, model.y_pred), i18n.tr())
        )
        return
    classes = view.classes or []
    scored = response.score_kind(model.pipeline) or response.DECISION
    scores = threshold.binary_scores(model.y_test, model.test_scores_raw, classes, scored)
    y_pred, point = model.y_pred, None
    if scores is not None:
        point = threshold_slider(view, scores)
        y_pred = threshold.predictions(scores, point.threshold)
    normalised = st.toggle(
        _("Normalise each row (share of the actual class)"), key=bind("cm_normalise", False)
    )
    confusion = explain.confusion_table(model.y_test, y_pred, classes)
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(charts.confusion(confusion, normalised, tr))
    with right:
        st.markdown(_("**Per class**"))
        table(
            explain.class_report(confusion),
            formats={"precision": "{:.3f}", "recall": "{:.3f}"},
        )
        st.caption(
            _(
                "Precision: of the rows predicted as the class, the share that were. Recall: of "
                "the rows of the class, the share found."
            )
        )
    curves, areas = explain.roc_table(model.y_test, model.test_scores_raw, classes)
    if not len(curves):
        st.info(_("The test rows hold a single class, so ROC and PR curves are undefined."))
        return
    pr_curves, pr_areas = explain.pr_table(model.y_test, model.test_scores_raw, classes)
    left, right = st.columns(2)
    with left:
        chart(charts.roc(curves, areas, classes, point.roc_point() if point else None, i18n.tr()))
    with right:
        chart(
            charts.precision_recall(
                pr_curves, pr_areas, classes, point.pr_point() if point else None, i18n.tr()
            )
        )
    st.caption(
        _(
            "Curves rank the test rows by the model's {score} values, one class against the rest.",
            score=tr.text(scored),
        )
        if len(classes) > 2
        else _(
            "Curves rank the test rows by the model's {score} values, with {positive} as the "
            "positive class. The black dot is the chosen threshold; on the precision-recall "
            "chart it can sit below the steps when a lower threshold only added false positives "
            "(the steps show the best precision reached at each recall).",
            score=tr.text(scored),
            positive=classes[1],
        )
    )
    table(
        areas.drop(columns="points").merge(pr_areas.drop(columns="points"), on="class"),
        formats={"AUC": "{:.3f}", "average precision": "{:.3f}", "base rate": "{:.3f}"},
    )


#: The counts behind each rate (symbols, the same in every language).
FORMULAS = {"precision": "TP / (TP + FP)", "recall": "TP / (TP + FN)", "fpr": "FP / (FP + TN)"}


def threshold_slider(view: View, scores: threshold.BinaryScores) -> threshold.OperatingPoint:
    """The decision threshold of a binary classifier: slider, counts, precision and recall.

    The choice is kept per model in the workspace, so Predict, Export and the service use it.
    """
    tr = i18n.tr()
    ws = workspace()
    if st.session_state.get("threshold_for") not in (None, view.key):  # another model
        st.session_state.pop("threshold", None)
    st.session_state["threshold_for"] = view.key
    low, high = scores.bounds()
    chosen = ws.thresholds.get(view.key, {}).get("value", scores.default)
    value = st.slider(
        _(
            "Decision threshold: predict **{positive}** when its probability is at least",
            positive=scores.positive,
        )
        if scores.kind == "probability"
        else _(
            "Decision threshold: predict **{positive}** when its decision score is at least",
            positive=scores.positive,
        ),
        low,
        high,
        key=bind("threshold", float(min(max(chosen, low), high))),
        step=0.01,
        help=_(
            "The model's own default is {default}. Lower it to find more {positive} rows "
            "(recall up) at the cost of more false alarms (precision down).",
            default=f"{scores.default:g}",
            positive=scores.positive,
        ),
    )
    if abs(value - scores.default) < 1e-12:
        ws.thresholds.pop(view.key, None)
    else:
        ws.thresholds[view.key] = threshold.metadata(scores, value)
    point = threshold.operating_point(scores, value)
    cols = st.columns(4)
    cols[0].metric(_("Precision"), fixed(point.precision, 3), help=FORMULAS["precision"])
    cols[1].metric(
        _("Recall (true positive rate)"), fixed(point.recall, 3), help=FORMULAS["recall"]
    )
    cols[2].metric(_("False positive rate"), fixed(point.fpr, 3), help=FORMULAS["fpr"])
    cols[3].metric(_("Accuracy"), tr.number(point.accuracy, 3))
    st.caption(
        sentences(
            _(
                "At {threshold}: {tp} true positives, {fp} false positives, {fn} missed "
                "{positive} rows, {tn} true negatives on the test rows.",
                threshold=f"{value:g}",
                tp=point.tp,
                fp=point.fp,
                fn=point.fn,
                tn=point.tn,
                positive=scores.positive,
            ),
            _(
                "This threshold is used on the Predict page, in the exported model and by the "
                "service."
            )
            if view.key in ws.thresholds
            else _("This is the model's default cut-off."),
        )
    )
    return point


# --- importance -----------------------------------------------------------------------------


def importance_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    with st.spinner(_("Shuffling each feature on the test rows…")):
        importances, rows = cached_permutation(view.key, view)
    metric = i18n.term("accuracy" if model.task == Task.CLASSIFICATION else "R²")
    note = charts.sample_note(rows, model.n_test, "test rows", tr) or _(
        "all {n} test rows", n=tr.number(rows)
    )
    chart(
        charts.importance(
            importances,
            _(
                "Permutation importance: the drop in test {metric} when a feature is shuffled",
                metric=metric,
            ),
            _("mean ± SD over 5 shuffles on {rows}", rows=note),
            tr=tr,
        )
    )
    if model.spec.gain_importance:
        chart(
            charts.importance(
                rare_named(explain.tree_importances(model), "feature"),
                _("Tree importance: each column's share of all information gain"),
                _("from the training rows; favours features with many possible splits"),
                tr=tr,
            )
        )
    st.subheader(_("Partial dependence"))
    features = explain.dependence_features(model)
    if not features:
        st.info(_("No numeric or categorical feature to vary."))
        return
    default = next((f for f in importances["feature"] if f in features), features[0])
    feature = st.selectbox(_("Feature"), features, key=bind_choice("pd_feature", features, default))
    with st.spinner(_("Averaging predictions…")):
        dependence, used = cached_dependence(view.key, feature, view)
    if model.task == Task.REGRESSION:
        what = _("average predicted {target}", target=view.target)
    elif response.score_kind(model.pipeline) == response.PROBABILITY:
        what = _("average probability")
    else:
        what = _("share of rows predicted")
    note = charts.sample_note(used, model.n_train, "training rows", tr) or _(
        "{n} training rows", n=tr.number(used)
    )
    chart(
        charts.partial_dependence(
            dependence, feature, feature in model.plan.numeric, what, note, view.classes, tr
        )
    )


# --- how it works ---------------------------------------------------------------------------


#: The words of the catalogue's formulas (inside ``\text{}``), translated where shown.
FORMULA_WORDS = (N_("margin"), N_("gain"), N_("gini"))


def formula_words(latex: str, tr: Translator) -> str:
    r"""A formula with the words inside its ``\text{…}`` in ``tr``'s language (symbols stay)."""
    return re.sub(r"\\text\{([^{}]*)\}", lambda m: rf"\text{{{tr.text(m.group(1))}}}", latex)


def how_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    spec = model.spec
    st.subheader(_("How it works: {algorithm}", algorithm=tr.text(spec.name)))
    st.markdown(tr.text(spec.explanation))
    if spec.formula:
        st.latex(formula_words(spec.formula, tr))
    params = [p for p in spec.params_for(model.task) if p.name in model.config.param_dict]
    if params:
        st.markdown(_("**What each setting does to the pictures**"))
        for param in params:
            current = tr.text(param.label_of(model.config.param_dict[param.name]))
            text = tr.text(param.effect or param.help)
            st.markdown(
                _(
                    "- **{setting}** (now {value}): {effect}",
                    setting=tr.text(param.label),
                    value=current,
                    effect=text,
                )
            )
    else:
        st.caption(_("This algorithm has no settings: what you see is the single best fit."))
    st.page_link(
        "pages/train.py",
        label=_("Change the settings on the Train page"),
        icon=":material/model_training:",
    )


# --- page -----------------------------------------------------------------------------------

#: The tabs by their English names (the keys of :data:`RENDER`); shown translated.
TABS = (
    N_("Model"),
    N_("Boundary"),
    N_("Prediction map"),
    N_("Evaluation"),
    N_("Importance"),
    N_("How it works"),
)
#: What a classifier's scores are (:mod:`mllib.response`), named in captions.
SCORE_KINDS = (N_("probability"), N_("decision score"))


def tab_names(model: TrainedModel) -> list[str]:
    names = ["Model"]
    # The dual view draws the boundary (or curve) on its own tab already.
    if model.spec.model_view != "dual" and len(explain.boundary_axes(model)) >= 2:
        names.append("Boundary" if model.task == Task.CLASSIFICATION else "Prediction map")
    return [*names, "Evaluation", "Importance", "How it works"]


RENDER = {
    "Model": model_tab,
    "Boundary": boundary_section,
    "Prediction map": boundary_section,
    "Evaluation": evaluation_tab,
    "Importance": importance_tab,
    "How it works": how_tab,
}


def open_tab(labels: list[str], names: list[str]) -> str:
    """The tabs' widget key, its state turned into this language's label: a tab chosen in
    another language (or by its English name, as a link or a test may) stays open."""
    name = lesson.tab_name(st.session_state.get("model_tab"))
    if name in names:
        st.session_state["model_tab"] = labels[names.index(name)]
    return keep_valid("model_tab", labels)  # a tab this model does not have is forgotten


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("See the model"), _("What the trained model learned, drawn from the fitted model itself.")
    )
    if not shell.require_model(ws):
        return
    model = ws.model
    assert model is not None
    if ws.dataset is None or ws.dataset.fingerprint != model.data_fingerprint:
        st.warning(_("The data changed since this model was trained."), icon=":material/warning:")
        st.page_link(
            "pages/train.py",
            label=_("Retrain on the Train page"),
            icon=":material/model_training:",
        )
        return
    key = training.training_key(model.data_fingerprint, model.config)
    view = View(model, cache.model_data(key, model, ws.dataset.frame), key)
    summary(view)
    share = st.container()  # filled last: the link includes the controls of the open tab
    names = tab_names(model)
    labels = [_(name) for name in names]
    tabs = st.tabs(labels, key=open_tab(labels, names), on_change="rerun")
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                RENDER[name](view)
    with share:
        lesson.share_box(ws)


main()
