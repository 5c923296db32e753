"""The decision boundary map: predictions as a heatmap, contours, rows, support vectors."""

from __future__ import annotations

import altair as alt
import numpy as np

from mllib.charts.theme import (
    BOUNDARY_HEIGHT,
    OUTLINE,
    PALETTE,
    blend,
    chart_title,
    class_colours,
    class_scale,
    domain,
    layered,
    number_axis,
    support_note,
    support_rings,
)
from mllib.explain import Boundary
from mllib.i18n import DEFAULT, N_, Translator, translator


def value_range(b: Boundary) -> tuple[float, float]:
    """The colours' range on a prediction map: every predicted cell and the middle 90 % of the
    rows' actual values. With the rows' full range, a few outliers (fair.csv's affairs reach 57
    where the model predicts 0 to 3) left the whole map one colour."""
    low, high = float(b.grid["label"].min()), float(b.grid["label"].max())
    if len(b.points):
        actual = b.points["label"].astype(float)
        low, high = min(low, float(actual.quantile(0.05))), max(high, float(actual.quantile(0.95)))
    return low, high


def boundary(
    b: Boundary, classes: list[str] | None, target: str, tr: Translator | None = None
) -> alt.LayerChart:
    """The model's predictions as a heatmap, its decision function's contours, training rows
    on top and support vectors ringed."""
    tr = tr or translator(DEFAULT)
    x_scale = domain(b.grid["x"].min(), b.grid["x2"].max())
    y_scale = domain(b.grid["y"].min(), b.grid["y2"].max())
    x = alt.X("x:Q", title=b.x, scale=x_scale, axis=number_axis(b.points["x"]))
    y = alt.Y("y:Q", title=b.y, scale=y_scale, axis=number_axis(b.points["y"]))
    beyond = False
    if b.value_kind == "class":
        colour_scale = class_scale(classes or sorted(b.grid["label"].unique()))
        dots = alt.Color("label:N", scale=colour_scale, title=target)
        colours = class_colours(colour_scale.domain)
        cells = b.grid.assign(
            fill=[
                blend(colours.get(str(label), PALETTE[0]), 0.12 + 0.5 * strength)
                for label, strength in zip(b.grid["label"], b.grid["strength"], strict=True)
            ]
        )
        # Opaque cells whose stroke is their own fill leave no anti-aliasing seams.
        fill = alt.Color("fill:N", scale=None)
        edge = alt.Stroke("fill:N", scale=None)
    else:
        low, high = value_range(b)
        beyond = bool(((b.points["label"] < low) | (b.points["label"] > high)).any())
        # clamp: a few extreme rows take the end colours instead of flattening the map
        colour_scale = alt.Scale(scheme="viridis", domain=[low, high], clamp=True)
        cells = b.grid
        fill = alt.Color(
            "label:Q", scale=colour_scale, title=target, legend=alt.Legend(type="gradient")
        )
        dots = fill
        edge = alt.Stroke("label:Q", scale=colour_scale, title=target)
    heat = (
        alt.Chart(cells)
        .mark_rect(strokeWidth=0.6)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="y2:Q",
            color=fill,
            stroke=edge,
            tooltip=[alt.Tooltip("label", title=tr("prediction"))],
        )
    )
    layers: list[alt.Chart] = [heat]
    if len(b.contours):
        line, margins = tr("boundary (f = 0)"), tr("margins (f = ±1)")
        lines = b.contours.assign(line=np.where(b.contours["level"] == 0, line, margins))
        # The legend lists only what is drawn: logistic regression has no margins.
        dashes = {line: [1, 0], margins: [5, 3]}
        drawn = [name for name in dashes if name in set(lines["line"])]
        layers.append(
            alt.Chart(lines)
            .mark_rule(color="black", strokeWidth=1.7)
            .encode(
                x="x:Q",
                y="y:Q",
                x2="x2:Q",
                y2="y2:Q",
                strokeDash=alt.StrokeDash(
                    "line:N",
                    title=tr("decision function"),
                    scale=alt.Scale(domain=drawn, range=[dashes[name] for name in drawn]),
                ),
            )
        )
    layers.append(
        alt.Chart(b.points)
        .mark_circle(size=40, stroke=OUTLINE, strokeWidth=0.7, opacity=0.95)
        .encode(
            x="x:Q",
            y="y:Q",
            color=dots,
            tooltip=[
                alt.Tooltip("label", title=tr("{target} (actual)", target=target)),
                alt.Tooltip("x", title=b.x),
                alt.Tooltip("y", title=b.y),
            ],
        )
    )
    if b.support is not None and len(b.support):
        layers.append(support_rings(b.support, "y", 1.4, tr("support vector")))
    points = len(b.points)
    notes = [
        tr("exact: the model uses only these two features")
        if b.exact
        else tr("a slice: every other feature held at the values listed below the chart"),
        tr("{cells:,} grid cells predicted by the trained model", cells=len(b.grid)),
        tr("a random {shown:,} of {total:,} training rows shown", shown=points, total=b.n_train)
        if points < b.n_train
        else tr("all training rows shown"),
    ]
    # on a line of its own: appended to the others it ran past the chart's width and was cut
    colour_note = tr("rows beyond the colour range take its end colour") if beyond else ""
    if b.n_support is not None:
        notes.append(support_note(b.support, b.n_support, N_(" (a random sample)"), tr))
    title = (
        tr("Decision boundary")
        if b.value_kind == "class"
        else tr("Predicted {target}", target=target)
    )
    chart: alt.LayerChart = (
        layered(*layers)
        .resolve_scale(color="shared")
        .properties(
            title=chart_title(title, " · ".join(notes), colour_note), height=BOUNDARY_HEIGHT
        )
    )
    return chart
