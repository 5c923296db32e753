"""Importance bars and partial dependence lines."""

from __future__ import annotations

import altair as alt
import pandas as pd

from mllib.charts.theme import (
    HEIGHT,
    LABEL_LIMIT,
    PALETTE,
    bar_height,
    chart_title,
    class_colours,
    layered,
    number_axis,
)
from mllib.i18n import DEFAULT, Translator, translator


def importance(
    table: pd.DataFrame,
    title: str,
    note: str = "",
    max_bars: int = 25,
    tr: Translator | None = None,
) -> alt.LayerChart:
    """Bars for ``importance`` (with ± ``std`` whiskers when the table has them); ``title``
    and ``note`` come already in the reader's language."""
    tr = tr or translator(DEFAULT)
    left = (
        ""
        if len(table) <= max_bars
        else tr("the {n} largest of {total}", n=max_bars, total=len(table))
    )
    rows = table.head(max_bars)
    order = list(rows["feature"])
    bars = (
        alt.Chart(rows)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("importance:Q", title=tr("importance")),
            y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=[
                alt.Tooltip("feature", title=tr("feature")),
                alt.Tooltip("importance:Q", format=".4f", title=tr("importance")),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if "std" in rows.columns:
        whiskers = rows.assign(
            low=rows["importance"] - rows["std"], high=rows["importance"] + rows["std"]
        )
        layers.append(
            alt.Chart(whiskers)
            .mark_rule(color="black")
            .encode(x="low:Q", x2="high:Q", y=alt.Y("feature:N", sort=order))
        )
    return layered(*layers).properties(
        height=bar_height(len(rows)), title=chart_title(title, note, left)
    )


def partial_dependence(
    table: pd.DataFrame,
    feature: str,
    numeric: bool,
    what: str,
    note: str = "",
    classes: list[str] | None = None,
    tr: Translator | None = None,
) -> alt.Chart:
    """How the average prediction (``what``, in the reader's language) moves with one
    feature, every row set to each of its values."""
    tr = tr or translator(DEFAULT)
    output_title = tr("class") if classes else tr("target")
    outputs = list(dict.fromkeys(table["output"]))
    if classes:
        colours = class_colours(classes)
        scale = alt.Scale(domain=outputs, range=[colours[o] for o in outputs])
    else:
        scale = alt.Scale(range=[PALETTE[0]])
    colour = alt.Color(
        "output:N",
        scale=scale,
        title=output_title if classes else None,
        legend=None if len(outputs) == 1 and not classes else alt.Legend(),
    )
    if numeric:
        chart = (
            alt.Chart(table)
            .mark_line(point=True, strokeWidth=2.2)
            .encode(
                x=alt.X(
                    "value:Q",
                    title=feature,
                    scale=alt.Scale(zero=False),
                    axis=number_axis(table["value"]),
                ),
                y=alt.Y("average:Q", title=what),
                color=colour,
                tooltip=[
                    alt.Tooltip("output", title=output_title),
                    alt.Tooltip("value:Q", format=".4g", title=feature),
                    alt.Tooltip("average:Q", format=".4g", title=what),
                ],
            )
        )
    else:
        chart = (
            alt.Chart(table)
            .mark_bar()
            .encode(
                x=alt.X("value:N", title=feature, axis=alt.Axis(labelAngle=-30)),
                xOffset="output:N",
                y=alt.Y("average:Q", title=what),
                color=colour,
                tooltip=[
                    alt.Tooltip("output", title=output_title),
                    alt.Tooltip("value", title=feature),
                    alt.Tooltip("average:Q", format=".4g", title=what),
                ],
            )
        )
    drawn: alt.Chart = chart.properties(
        height=HEIGHT - 40,
        title=chart_title(
            tr("Partial dependence on {feature}", feature=feature),
            tr("every row set to each value of {feature}, predictions averaged", feature=feature),
            note,
        ),
    )
    return drawn
