"""The Model tab of a decision tree: the diagram, one row's path, the rules, each split's gain."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mllib import charts, explain, splits
from ui import i18n
from ui.i18n import _
from ui.model_view.common import View, cached_tree, rare_named, sentences, table
from ui.state import bind, keep_valid

TREE_DEFAULT_DEPTH = 2  # fits 800 px wide at 11 px text; deeper on request
TREE_MAX_NODES = 127


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
