"""The decision tree as a Graphviz DOT diagram, with one row's path drawn in."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mllib.charts.text import count_text, short_number
from mllib.charts.theme import (
    DIAGRAM_FONT,
    DIAGRAM_LINE,
    FONT_SIZE,
    PALETTE,
    PATH_COLOUR,
    class_colours,
)
from mllib.explain import split_answer, split_question
from mllib.i18n import DEFAULT, N_, Translator, translator
from mllib.splits import Criterion

WIDE_TREE_LEVEL = 4  # boxes side by side that still fit the page at their own size
#: The criterion words a box shows (mllib.splits.Criterion.box_impurity / box_gain / unit).
BOX_WORDS = (
    N_("Gini"),
    N_("entropy"),
    N_("variance"),
    N_("MAD"),
    N_("deviance"),
    N_("gain"),
    N_("decrease"),
    N_("reduction"),
    N_("bits"),
)


def tree_dot(
    table: pd.DataFrame,
    depth: int,
    classes: list[str] | None = None,
    path: list[int] | None = None,
    criterion: Criterion | None = None,
    tr: Translator | None = None,
) -> str:
    """DOT text for the top ``depth`` levels of a tree (from :func:`explain.tree_table`).

    Each split node shows its question, impurity, the gain of its split in the criterion's
    words (information gain in bits, Gini decrease, variance reduction), samples and class
    counts (or mean); nodes are filled with their majority class's colour, stronger when purer.
    Deeper subtrees become a "… N more nodes" stub. ``path`` nodes and edges are highlighted.
    The words are in ``tr``'s language (English by default); feature names and classes are data.
    """
    tr = tr or translator(DEFAULT)
    on_path = set(path or [])
    colours = class_colours(classes) if classes else {}
    if classes is None:
        low, high = float(table["prediction"].min()), float(table["prediction"].max())
    # Wide levels go left to right: drawn top-down, eight boxes side by side are scaled to
    # the page's width and their 11 pt text shrinks to about 7 px; sideways it stays legible.
    levels = table[table["depth"] <= depth].groupby("depth").size()
    stubs = int(((~table["leaf"]) & (table["depth"] == depth)).sum())
    widest = max(int(levels.max()), stubs)
    rankdir = "LR" if widest > WIDE_TREE_LEVEL else "TB"
    lines = [
        "digraph tree {",
        f'  graph [rankdir={rankdir}, ranksep=0.25, nodesep=0.1, bgcolor="transparent"];',
        f'  node [shape=box, style="rounded,filled", fontname="{DIAGRAM_FONT}", '
        f'fontsize={FONT_SIZE}, color="{DIAGRAM_LINE}", penwidth=1, margin="0.05,0.03"];',
        f'  edge [fontname="{DIAGRAM_FONT}", fontsize={FONT_SIZE}, color="{DIAGRAM_LINE}", '
        "arrowsize=0.6];",
    ]
    shown = table[table["depth"] <= depth]
    row: Any  # one explain.tree_table row; pandas types itertuples' fields as any cell value
    for row in shown.itertuples(index=False):
        node = int(row.node)
        cut = (not row.leaf) and row.depth == depth
        # Short lines keep boxes narrow, so the diagram is drawn near its own size.
        parts = _question(row._asdict(), tr).split("\n") if not row.leaf else []
        words = criterion or Criterion("impurity", "gain", "", "")
        unit = f" {tr(words.unit)}" if words.unit else ""
        parts.append(f"{tr(words.box_impurity)} {short_number(row.impurity)}{unit}")
        if not row.leaf:
            parts.append(f"{tr(words.box_gain)} {short_number(row.gain)}{unit}")
        if classes is not None:
            counts = ", ".join(count_text(c) for c in row.counts)
            parts.append(tr("{n:,} samples", n=int(row.samples)))
            parts.append(f"[{counts}]")
            parts.append(tr("class: {name}", name=row.prediction))
            k = max(len(classes), 2)
            strength = (row.purity - 1 / k) / (1 - 1 / k)
            fill = colours.get(str(row.prediction), PALETTE[0]) + _alpha(0.12 + 0.6 * strength)
        else:
            parts.append(tr("{n:,} samples", n=int(row.samples)))
            parts.append(tr("value: {value}", value=short_number(row.prediction)))
            strength = 0.5 if high == low else (row.prediction - low) / (high - low)
            fill = PALETTE[0] + _alpha(0.08 + 0.65 * strength)
        attrs = [f'label="{_dot_escape(chr(10).join(parts))}"', f'fillcolor="{fill}"']
        if node in on_path:
            attrs.append(f'color="{PATH_COLOUR}", penwidth=3')
        lines.append(f"  {node} [{', '.join(attrs)}];")
        if row.parent >= 0:
            lines.append(_edge(table, int(row.parent), node, on_path, tr))
        if cut:
            stub = f"more{node}"
            below = node in on_path and path is not None and node != path[-1]
            style = f'color="{PATH_COLOUR}", fontcolor="{PATH_COLOUR}", ' if below else ""
            more = _dot_escape(tr("… {n:,} more nodes", n=int(row.descendants)))
            lines.append(
                f'  {stub} [label="{more}", shape=plaintext, style="", '
                f"{style}fontsize={FONT_SIZE}];"
            )
            lines.append(f"  {node} -> {stub} [style=dashed];")
    lines.append("}")
    return "\n".join(lines)


def _question(row: dict[str, Any], tr: Translator, wrap: int = 16) -> str:
    """The node's question; a long one is broken before its operator."""
    name, rest = split_question(row, tr)
    joined = f"{name} {rest}"
    return joined if len(joined) <= wrap else f"{name}\n{rest}"


def _edge(table: pd.DataFrame, parent: int, child: int, on_path: set[int], tr: Translator) -> str:
    info = table.iloc[parent]
    answer = tr(split_answer(info, int(info["left"]) == child))
    attrs = [f'label=" {answer}"']
    if parent in on_path and child in on_path:
        attrs.append(f'color="{PATH_COLOUR}", penwidth=3, fontcolor="{PATH_COLOUR}"')
    return f"  {parent} -> {child} [{', '.join(attrs)}];"


def _alpha(share: float) -> str:
    return f"{max(0, min(255, round(share * 255))):02x}"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
