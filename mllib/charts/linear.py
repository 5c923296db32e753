"""Linear models drawn: a one-feature fit over its feature, weights, the α path."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from mllib.charts.theme import (
    EXTRA_LINE_COLOURS,
    FONT_SIZE,
    HEIGHT,
    LABEL_LIMIT,
    PALETTE,
    PATH_COLOUR,
    bar_height,
    chart_title,
    class_scale,
    domain,
    layered,
    number_axis,
    sample_note,
    support_note,
    support_rings,
)
from mllib.explain import CurveView
from mllib.i18n import DEFAULT, Translator, translator


def fitted_curve(
    view: CurveView, show_residuals: bool = False, tr: Translator | None = None
) -> alt.LayerChart | alt.VConcatChart:
    """One feature: the rows and the model's line or curve (or class probabilities), the
    words in ``tr``'s language (feature, target and classes are data)."""
    tr = tr or translator(DEFAULT)
    note = sample_note(len(view.points), view.n_rows, "rows shown", tr)
    x_scale = domain(view.curve["x"].min(), view.curve["x"].max())
    x = alt.X("x:Q", title=view.feature, scale=x_scale, axis=number_axis(view.points["x"]))
    if view.value_kind == "prediction":
        return _regression_curve(view, x, show_residuals, note, tr)
    classes = sorted(view.points["actual"].astype(str).unique())
    outputs = list(dict.fromkeys(view.curve["output"]))
    scale = class_scale(classes)
    y_title = (
        tr("probability of the class")
        if view.value_kind == "probability"
        else tr("decision score of the class")
    )
    lines = (
        alt.Chart(view.curve)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("output:N", scale=scale, title=tr("class")),
        )
    )
    layers: list[alt.Chart] = [lines]
    if view.value_kind == "decision score":  # the boundary (0) and, for one score, the margins
        layers.append(
            alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
        )
        if len(outputs) == 1:
            margins = alt.Chart(pd.DataFrame({"y": [-1.0, 1.0]}))
            layers.append(margins.mark_rule(color="black", strokeDash=[5, 3]).encode(y="y:Q"))
    if view.value_kind == "decision score":
        what = (
            tr("the decision score (above 0 → {name})", name=outputs[0])
            if len(outputs) == 1
            else tr("each class's decision score")
        )
    else:
        what = (
            tr("the probability of {name}", name=outputs[0])
            if len(outputs) == 1
            else tr("each class's probability")
        )
    says = tr("What the model says along {feature}: {what}", feature=view.feature, what=what)
    top = layered(*layers).properties(height=HEIGHT - 80, title=chart_title(says))
    strip = (
        alt.Chart(view.points.assign(actual=view.points["actual"].astype(str)))
        .mark_tick(thickness=1.5, opacity=0.7)
        .encode(
            x=x,
            y=alt.Y("actual:N", title=None),
            color=alt.Color("actual:N", scale=scale, legend=None),
        )
        .properties(
            height=max(40, 22 * len(classes)),
            title=chart_title(tr("the rows, by their actual class"), note),
        )
    )
    stacked: alt.VConcatChart = alt.vconcat(top, strip).resolve_scale(x="shared")
    return stacked


def _regression_curve(
    view: CurveView, x: alt.X, show_residuals: bool, note: str, tr: Translator
) -> alt.LayerChart:
    y_title = view.target
    # The legend names the two parts of the rows ("train"/"test" in the table).
    splits = {"train": tr("training rows"), "test": tr("test rows")}
    layers: list[alt.Chart] = []
    if view.tube:
        band = view.curve.assign(
            low=view.curve["value"] - view.tube, high=view.curve["value"] + view.tube
        )
        layers.append(
            alt.Chart(band)
            .mark_area(opacity=0.3, color=PALETTE[1])
            .encode(x=x, y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=False)), y2="high:Q")
        )
        for edge in ("low", "high"):
            layers.append(
                alt.Chart(band)
                .mark_line(color=PALETTE[1], strokeDash=[4, 3])
                .encode(x=x, y=f"{edge}:Q")
            )
    if show_residuals:
        layers.append(
            alt.Chart(view.points)
            .mark_rule(color=PATH_COLOUR, opacity=0.5)
            .encode(x=x, y="actual:Q", y2="fitted:Q")
        )
    layers.append(
        alt.Chart(view.points.assign(split=view.points["split"].map(splits)))
        .mark_circle(size=30, opacity=0.75)
        .encode(
            x=x,
            y=alt.Y("actual:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=list(splits.values()), range=[PALETTE[0], PALETTE[2]]),
                title=None,
            ),
            tooltip=[
                alt.Tooltip("x", title=view.feature),
                alt.Tooltip("actual", title=tr("actual")),
                alt.Tooltip("fitted", title=tr("fitted")),
                alt.Tooltip("residual", title=tr("residual")),
                alt.Tooltip("split", title=tr("part")),
            ],
        )
    )
    layers.append(
        alt.Chart(view.curve)
        .mark_line(color="black", strokeWidth=2.5)
        .encode(x=x, y=alt.Y("value:Q", title=y_title))
    )
    if view.support is not None and len(view.support):
        layers.append(support_rings(view.support, "actual", 1.3, tr("support vector")))
    notes = [note]
    if view.tube:
        notes.append(tr("shaded: the ε-tube, ± {tube:.4g} around the curve", tube=view.tube))
    if view.n_support is not None:
        notes.append(support_note(view.support, view.n_support, tr=tr))
    if show_residuals:
        notes.append(tr("red: residuals (actual − fitted)"))
    title = tr("{target} against {feature}", target=view.target, feature=view.feature)
    if view.line is not None:
        w, b = view.line
        sign = "−" if b < 0 else "+"
        title = f"{view.target} = {w:.4g} × {view.feature} {sign} {abs(b):.4g}"
    return layered(*layers).properties(
        height=HEIGHT, title=chart_title(title, " · ".join(n for n in notes if n))
    )


def coefficients(
    table: pd.DataFrame,
    output: str,
    units: str = "standardised",
    max_bars: int = 25,
    tr: Translator | None = None,
) -> alt.Chart:
    """Horizontal bars of one output's weights, largest magnitude first."""
    tr = tr or translator(DEFAULT)
    rows = table[table["output"] == output].assign(size=lambda t: t[units].abs())
    rows = rows.sort_values("size", ascending=False)
    note = (
        ""
        if len(rows) <= max_bars
        else tr("the {n} largest of {total} weights", n=max_bars, total=len(rows))
    )
    raises, lowers = tr("raises"), tr("lowers")
    rows = rows.head(max_bars).assign(sign=lambda t: np.where(t[units] >= 0, raises, lowers))
    per_sd = units == "standardised"
    label = (
        tr("change per standard deviation of the feature")
        if per_sd
        else tr("change per one unit of the feature")
    )
    chart: alt.Chart = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X(f"{units}:Q", title=label),
            y=alt.Y(
                "label:N",
                sort=list(rows["label"]),
                title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT),
            ),
            color=alt.Color(
                "sign:N",
                scale=alt.Scale(domain=[raises, lowers], range=[PALETTE[0], PALETTE[3]]),
                title=tr("the prediction"),
            ),
            tooltip=[
                alt.Tooltip("label", title=tr("term")),
                alt.Tooltip("raw:Q", format=".4g", title=tr("raw")),
                alt.Tooltip("standardised:Q", format=".4g", title=tr("standardised")),
            ],
        )
        .properties(
            height=bar_height(len(rows)),
            title=chart_title(
                tr("Weights per standard deviation")
                if per_sd
                else tr("Weights in the features' own units"),
                note,
            ),
        )
    )
    return chart


def coefficient_path(
    path: pd.DataFrame, alpha: float, note: str = "", tr: Translator | None = None
) -> alt.LayerChart:
    """Each weight as α grows (log scale), with the model's own α marked."""
    tr = tr or translator(DEFAULT)
    lines = (
        alt.Chart(path)
        .mark_line(strokeWidth=1.8)
        .encode(
            x=alt.X(
                "alpha:Q",
                scale=alt.Scale(type="log"),
                title=tr("α (regularisation strength)"),
                axis=alt.Axis(values=[10.0**k for k in range(-4, 4)], format="~g"),
            ),
            y=alt.Y("coefficient:Q", title=tr("weight per standard deviation")),
            color=alt.Color(
                "feature:N",
                title=tr("feature"),
                scale=alt.Scale(range=[*PALETTE, *EXTRA_LINE_COLOURS]),
            ),
            tooltip=[
                alt.Tooltip("feature", title=tr("feature")),
                alt.Tooltip("alpha:Q", format=".3g", title="α"),
                alt.Tooltip("coefficient:Q", format=".4g", title=tr("coefficient")),
            ],
        )
    )
    mark = alt.Chart(
        pd.DataFrame({"alpha": [alpha], "what": [tr("this model: α = {alpha:g}", alpha=alpha)]})
    )
    rule = mark.mark_rule(color="black", strokeDash=[5, 3]).encode(x="alpha:Q")
    text = mark.mark_text(align="left", dx=4, dy=-6, fontSize=FONT_SIZE).encode(
        x="alpha:Q", y=alt.value(8), text="what:N"
    )
    return layered(lines, rule, text).properties(
        height=HEIGHT,
        title=chart_title(tr("Coefficient path: how the weights shrink as α grows"), note),
    )
