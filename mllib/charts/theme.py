"""The one look of every chart: palette, colours, fonts, sizes and the title style."""

from __future__ import annotations

import altair as alt
import pandas as pd

from mllib.i18n import DEFAULT, N_, Translator, translator

PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#72b7b2",
    "#b279a2",
    "#eeca3b",
    "#9d755d",
    "#ff9da6",
    "#bab0ac",
)
# More lines than PALETTE has colours (the coefficient path draws up to 15): these follow it.
EXTRA_LINE_COLOURS = ("#333333", "#8c6d31", "#637939", "#843c39", "#7b4173")
PATH_COLOUR = "#d62728"  # one row's path through the tree
OUTLINE = "#222222"  # the ring around data points drawn over a coloured map
EMPHASIS = "#1f4e79"  # a mark that must stand out on a PALETTE[0] bar
MUTED = "#B8C7DA"  # bars that are not the one the chart is about
REFERENCE = "#888"  # dashed reference lines, e.g. the perfect-prediction diagonal
DIAGRAM_LINE = "#777777"  # boxes and arrows of the tree diagram
# Graphviz writes the name into the SVG's font-family, so the browser falls back along the list:
# the CJK faces draw 简体中文 labels (Noto CJK on Linux, PingFang on macOS, YaHei on Windows).
DIAGRAM_FONT = "Helvetica,Noto Sans CJK SC,PingFang SC,Microsoft YaHei,sans-serif"
FONT_SIZE = 11  # annotations on charts, text in diagram boxes
CELL_FONT_SIZE = 14  # numbers written inside heatmap cells

HEIGHT = 380
BOUNDARY_HEIGHT = 460  # a square-ish map needs more height than a line chart
CURVE_HEIGHT = 320  # the validation and learning curves, drawn side by side with tables
LABEL_LIMIT = 280
# Streamlit sizes charts to fit: a chart's height includes its title, axes and padding.
CHROME = 130


def class_colours(classes: list[str]) -> dict[str, str]:
    """One fixed colour per class, shared by every chart and the tree diagram."""
    return {str(c): PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}


def class_scale(classes: list[str]) -> alt.Scale:
    colours = class_colours(classes)
    return alt.Scale(domain=list(colours), range=list(colours.values()))


#: A sample's note by what the rows are: whole sentences, so each language orders its words.
SAMPLE_NOTES = {
    "rows": N_("a random {shown:,} of {total:,} rows"),
    "rows shown": N_("a random {shown:,} of {total:,} rows shown"),
    "test rows": N_("a random {shown:,} of {total:,} test rows"),
    "test rows shown": N_("a random {shown:,} of {total:,} test rows shown"),
    "training rows": N_("a random {shown:,} of {total:,} training rows"),
    "training rows shown": N_("a random {shown:,} of {total:,} training rows shown"),
}


def sample_note(shown: int, total: int, what: str = "rows", tr: Translator | None = None) -> str:
    """'' when nothing was left out, else 'a random 600 of 1,200 training rows' (``what`` is a
    key of :data:`SAMPLE_NOTES`), in ``tr``'s language."""
    if shown >= total:
        return ""
    return (tr or translator(DEFAULT))(SAMPLE_NOTES[what], shown=shown, total=total)


def chart_title(text: str, *notes: str) -> alt.TitleParams:
    subtitle = [n for n in notes if n]
    return alt.TitleParams(text, subtitle=subtitle or alt.Undefined, anchor="start")


def support_rings(table: pd.DataFrame, y: str, stroke_width: float, label: str) -> alt.Chart:
    """Open black rings around support vectors (columns x and ``y``), named ``label`` in the
    legend."""
    rings: alt.Chart = (
        alt.Chart(table.assign(kind=label))
        .mark_point(shape="circle", filled=False, size=110, strokeWidth=stroke_width, color="black")
        .encode(
            x="x:Q",
            y=f"{y}:Q",
            shape=alt.Shape("kind:N", scale=alt.Scale(range=["circle"]), title=None),
        )
    )
    return rings


def support_note(
    support: pd.DataFrame | None, n_support: int, sampled: str = "", tr: Translator | None = None
) -> str:
    """How many of the ``n_support`` support vectors the rings show (``sampled`` is added
    when a sample is drawn), in ``tr``'s language."""
    tr = tr or translator(DEFAULT)
    shown = 0 if support is None else len(support)
    if shown >= n_support:
        return tr("{n:,} support vectors ringed", n=n_support)
    return tr("{shown:,} of {n:,} support vectors ringed", shown=shown, n=n_support) + tr(sampled)


def bar_height(n: int) -> int:
    return CHROME + 26 * max(n, 1)


def number_axis(values: pd.Series) -> alt.Axis:
    """An axis for a feature's values: years (whole numbers from 1000 to 2999) are labelled
    without thousands separators, which drew sunspots.csv's YEAR as "1,700 … 2,020"."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    years = (
        len(numbers) > 0
        and bool((numbers % 1 == 0).all())
        and float(numbers.min()) >= 1000
        and float(numbers.max()) <= 2999
    )
    return alt.Axis(format="d", tickMinStep=1) if years else alt.Axis()


def domain(low: float, high: float) -> alt.Scale:
    return alt.Scale(domain=[float(low), float(high)], nice=False, zero=False)


def blend(colour: str, share: float) -> str:
    """``colour`` mixed with white: ``share`` 1 is the colour itself, 0 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 + (c - 255) * max(0.0, min(1.0, share))) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def layered(*charts: alt.Chart | alt.LayerChart) -> alt.LayerChart:
    """The charts drawn over one another. ``alt.layer`` is typed to return a FacetChart too
    (when every layer shares facet encodings); Glassbox's charts never facet, so this says the
    layer is what it always is: one LayerChart."""
    return alt.LayerChart(layer=list(charts))
