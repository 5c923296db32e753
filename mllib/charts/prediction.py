"""One row's prediction drawn: its class probabilities or decision scores as bars."""

from __future__ import annotations

import altair as alt
import pandas as pd

from mllib.charts.theme import MUTED, PALETTE, layered
from mllib.i18n import DEFAULT, N_, Translator, translator

SCORE_KINDS = (N_("probability"), N_("decision score"))  # the value axis, by Prediction.score_kind


def probability_chart(
    table: pd.DataFrame, kind: str = "probability", tr: Translator | None = None
) -> alt.LayerChart:
    """Horizontal bars of one row's class probabilities (0–1) or decision scores (signed), in
    the table's order (:func:`mllib.predict.class_score_table` sorts it, highest first); the winner
    is darker."""
    is_probability = kind == "probability"
    scale = alt.Scale(domain=[0, 1]) if is_probability else alt.Scale(zero=True)
    tr = tr or translator(DEFAULT)
    title = (
        tr("Class probabilities") if is_probability else tr("Decision scores (not probabilities)")
    )
    fmt = ".1%" if is_probability else ".3f"
    top = float(table["value"].max()) if len(table) else 0.0
    base = alt.Chart(table).encode(
        y=alt.Y("class:N", sort=None, title=None),
        x=alt.X(
            "value:Q",
            scale=scale,
            title=tr(kind),
            axis=alt.Axis(format=".0%" if is_probability else fmt, tickCount=5),
        ),
        tooltip=[
            alt.Tooltip("class:N", title=tr("class")),
            alt.Tooltip("value:Q", format=fmt, title=tr(kind)),
        ],
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        color=alt.condition(alt.datum.value == top, alt.value(PALETTE[0]), alt.value(MUTED))
    )
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("value:Q", format=fmt))
    return layered(bars, labels).properties(title=title, height=alt.Step(28))
