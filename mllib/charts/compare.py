"""Altair charts for the Compare & tune page, drawn from tables built in ``mllib.compare`` and
``mllib.tuning``. No model facts are computed here; every chart stays under ~5,000 marks.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from mllib.charts.theme import CURVE_HEIGHT, EMPHASIS, HEIGHT, PALETTE, REFERENCE, layered
from mllib.i18n import DEFAULT, Translator, translator

_RUN_COLORS = (PALETTE[0], PALETTE[1])


def scores_chart(
    table: pd.DataFrame,
    metric: str,
    higher_is_better: bool = True,
    tr: Translator | None = None,
) -> alt.LayerChart:
    """Cross-validated ``metric`` per algorithm: a dot at the mean, a bar for ± one standard
    deviation across folds, and a tick at the held-out test score. Metric and algorithm names
    are Glassbox's words, shown in ``tr``'s language."""
    tr = tr or translator(DEFAULT)
    metric = tr.text(metric)
    table = table.assign(algorithm=table["algorithm"].map(tr.text))
    order = table.sort_values("mean", ascending=not higher_is_better)["algorithm"].tolist()
    y = alt.Y("algorithm:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    base = alt.Chart(table).encode(y=y)
    tooltip = [
        alt.Tooltip("algorithm:N", title=tr("algorithm")),
        alt.Tooltip("mean:Q", format=".3f", title=tr("CV {metric} mean", metric=metric)),
        alt.Tooltip("std:Q", format=".3f", title=tr("std across folds")),
    ]
    if "test" in table:
        tooltip.append(
            alt.Tooltip("test:Q", format=".3f", title=tr("test {metric}", metric=metric))
        )
    x = alt.X(
        "mean:Q",
        title=tr("{metric} (cross-validation mean ± std)", metric=metric),
        scale=alt.Scale(zero=False),
    )
    bars = base.mark_rule(strokeWidth=3, color=PALETTE[0]).encode(
        x=alt.X("low:Q", scale=alt.Scale(zero=False)), x2="high:Q", tooltip=tooltip
    )
    dots = base.mark_circle(size=110, color=EMPHASIS, opacity=1).encode(x=x, tooltip=tooltip)
    layers: list[alt.Chart] = [bars, dots]
    if "test" in table:
        layers.append(
            base.mark_tick(color=PALETTE[1], thickness=3, size=18).encode(
                x="test:Q", tooltip=tooltip
            )
        )
    subtitle = (
        tr("higher is better; orange tick = score on the held-out test rows")
        if higher_is_better
        else tr("lower is better; orange tick = score on the held-out test rows")
    )
    return layered(*layers).properties(
        title=alt.TitleParams(tr("{metric} by algorithm", metric=metric), subtitle=subtitle),
        height=alt.Step(36),
    )


def predicted_vs_actual_chart(
    table: pd.DataFrame, sampled: bool = False, tr: Translator | None = None
) -> alt.LayerChart:
    """Both runs' test predictions against the truth; the diagonal is a perfect model."""
    tr = tr or translator(DEFAULT)
    table = table.assign(run=table["run"].map(tr.text))  # algorithm names are Glassbox's words
    low = float(min(table["actual"].min(), table["predicted"].min()))
    high = float(max(table["actual"].max(), table["predicted"].max()))
    runs = list(dict.fromkeys(table["run"]))
    color = alt.Color(
        "run:N", scale=alt.Scale(domain=runs, range=list(_RUN_COLORS)), title=tr("run")
    )
    shape = alt.Shape("run:N", scale=alt.Scale(domain=runs, range=["circle", "cross"]))
    points = (
        alt.Chart(table)
        .mark_point(size=45, opacity=0.75, filled=True)
        .encode(
            shape=shape,
            x=alt.X("actual:Q", title=tr("actual"), scale=alt.Scale(domain=[low, high])),
            y=alt.Y("predicted:Q", title=tr("predicted"), scale=alt.Scale(domain=[low, high])),
            color=color,
            tooltip=[
                alt.Tooltip("run:N", title=tr("run")),
                alt.Tooltip("actual:Q", format=".3g", title=tr("actual")),
                alt.Tooltip("predicted:Q", format=".3g", title=tr("predicted")),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"actual": [low, high], "predicted": [low, high]}))
        .mark_line(color=REFERENCE, strokeDash=[5, 4])
        .encode(x="actual:Q", y="predicted:Q")
    )
    title = (
        tr("Predicted vs actual on the test rows (a random sample)")
        if sampled
        else tr("Predicted vs actual on the test rows")
    )
    subtitle = tr("points on the dashed line are predicted exactly")
    return layered(diagonal, points).properties(
        title=alt.TitleParams(title, subtitle=subtitle), height=HEIGHT
    )


def titled(chart: alt.TopLevelMixin, title: str, subtitle: str = "") -> alt.TopLevelMixin:
    """``chart`` with its title replaced: one panel of a side-by-side pair names its run
    (``title`` and ``subtitle`` come in the reader's language)."""
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle))


def _curve(
    table: pd.DataFrame, x: alt.X, metric: str, title: str, subtitle: str, tr: Translator
) -> alt.LayerChart:
    """Mean lines with ± std bands; the y axis spans the means (bands that reach far beyond are
    clipped), so one terrible point cannot flatten the rest."""
    splits = {"train": tr("train"), "validation": tr("validation")}
    data = table.assign(
        low=table["mean"] - table["std"],
        high=table["mean"] + table["std"],
        split=table["split"].map(splits),
    )
    low, high = float(data["mean"].min()), float(data["mean"].max())
    pad = (high - low) * 0.15 or 0.05
    y_scale = alt.Scale(zero=False, domain=[low - pad, high + pad])
    split_colours = alt.Scale(domain=list(splits.values()), range=[PALETTE[0], PALETTE[3]])
    color = alt.Color("split:N", scale=split_colours, title=None)
    base = alt.Chart(data).encode(x=x, color=color)
    band = base.mark_area(opacity=0.2, clip=True).encode(
        y=alt.Y("low:Q", title=metric, scale=y_scale), y2="high:Q"
    )
    line = base.mark_line(point=True, clip=True).encode(
        y=alt.Y("mean:Q", title=metric, scale=y_scale),
        tooltip=[
            alt.Tooltip("split:N", title=tr("part")),
            alt.Tooltip("mean:Q", format=".3f", title=tr("mean")),
            alt.Tooltip("std:Q", format=".3f", title=tr("std")),
        ],
    )
    return layered(band, line).properties(
        title=alt.TitleParams(title, subtitle=subtitle), height=CURVE_HEIGHT
    )


def validation_curve_chart(
    table: pd.DataFrame, param_label: str, metric: str, tr: Translator | None = None
) -> alt.LayerChart:
    """Train and validation score against one parameter; the band is ± one std over folds.
    The parameter's label, its special values and the metric are Glassbox's words, shown in
    ``tr``'s language."""
    tr = tr or translator(DEFAULT)
    metric, param_label = tr.text(metric), tr.text(param_label)
    # Values are numbers or the catalogue's words for special values ("unlimited", "on").
    table = table.assign(value=table["value"].astype(str).map(tr.text))
    order = table.sort_values("order")["value"].drop_duplicates().tolist()
    x = alt.X("value:O", sort=order, title=param_label, axis=alt.Axis(labelAngle=0))
    return _curve(
        table,
        x,
        metric,
        tr("Validation curve: {metric} against {param}", metric=metric, param=param_label),
        tr("train far above validation: over-fitting; both low: under-fitting"),
        tr,
    )


def learning_curve_chart(
    table: pd.DataFrame, metric: str, tr: Translator | None = None
) -> alt.LayerChart:
    """Train and validation score against training rows: does more data help?"""
    tr = tr or translator(DEFAULT)
    metric = tr.text(metric)
    x = alt.X("rows:Q", title=tr("training rows"))
    return _curve(
        table,
        x,
        metric,
        tr("Learning curve: {metric} against training rows", metric=metric),
        tr("if validation still rises at the right, more data would help"),
        tr,
    )
