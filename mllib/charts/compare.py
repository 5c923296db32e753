"""Altair charts for the Compare & tune page, drawn from tables built in ``mllib.compare`` and
``mllib.tuning``. No model facts are computed here; every chart stays under ~5,000 marks.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from mllib.charts.theme import CURVE_HEIGHT, EMPHASIS, HEIGHT, PALETTE, REFERENCE, layered

_RUN_COLORS = (PALETTE[0], PALETTE[1])
_SPLIT_COLORS = alt.Scale(domain=["train", "validation"], range=[PALETTE[0], PALETTE[3]])


def scores_chart(table: pd.DataFrame, metric: str, higher_is_better: bool = True) -> alt.LayerChart:
    """Cross-validated ``metric`` per algorithm: a dot at the mean, a bar for ± one standard
    deviation across folds, and a tick at the held-out test score."""
    order = table.sort_values("mean", ascending=not higher_is_better)["algorithm"].tolist()
    y = alt.Y("algorithm:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    base = alt.Chart(table).encode(y=y)
    tooltip = [
        alt.Tooltip("algorithm:N"),
        alt.Tooltip("mean:Q", format=".3f", title=f"CV {metric} mean"),
        alt.Tooltip("std:Q", format=".3f", title="std across folds"),
    ]
    if "test" in table:
        tooltip.append(alt.Tooltip("test:Q", format=".3f", title=f"test {metric}"))
    x = alt.X(
        "mean:Q", title=f"{metric} (cross-validation mean ± std)", scale=alt.Scale(zero=False)
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
    better = "higher" if higher_is_better else "lower"
    subtitle = f"{better} is better; orange tick = score on the held-out test rows"
    return layered(*layers).properties(
        title=alt.TitleParams(f"{metric} by algorithm", subtitle=subtitle),
        height=alt.Step(36),
    )


def predicted_vs_actual_chart(table: pd.DataFrame, sampled: bool = False) -> alt.LayerChart:
    """Both runs' test predictions against the truth; the diagonal is a perfect model."""
    low = float(min(table["actual"].min(), table["predicted"].min()))
    high = float(max(table["actual"].max(), table["predicted"].max()))
    runs = list(dict.fromkeys(table["run"]))
    color = alt.Color("run:N", scale=alt.Scale(domain=runs, range=list(_RUN_COLORS)), title="run")
    shape = alt.Shape("run:N", scale=alt.Scale(domain=runs, range=["circle", "cross"]))
    points = (
        alt.Chart(table)
        .mark_point(size=45, opacity=0.75, filled=True)
        .encode(
            shape=shape,
            x=alt.X("actual:Q", title="actual", scale=alt.Scale(domain=[low, high])),
            y=alt.Y("predicted:Q", title="predicted", scale=alt.Scale(domain=[low, high])),
            color=color,
            tooltip=[
                "run:N",
                alt.Tooltip("actual:Q", format=".3g"),
                alt.Tooltip("predicted:Q", format=".3g"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"actual": [low, high], "predicted": [low, high]}))
        .mark_line(color=REFERENCE, strokeDash=[5, 4])
        .encode(x="actual:Q", y="predicted:Q")
    )
    title = "Predicted vs actual on the test rows" + (" (a random sample)" if sampled else "")
    return layered(diagonal, points).properties(
        title=alt.TitleParams(title, subtitle="points on the dashed line are predicted exactly"),
        height=HEIGHT,
    )


def titled(chart: alt.TopLevelMixin, title: str, subtitle: str = "") -> alt.TopLevelMixin:
    """``chart`` with its title replaced: one panel of a side-by-side pair names its run."""
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle))


def _curve(table: pd.DataFrame, x: alt.X, metric: str, title: str, subtitle: str) -> alt.LayerChart:
    """Mean lines with ± std bands; the y axis spans the means (bands that reach far beyond are
    clipped), so one terrible point cannot flatten the rest."""
    data = table.assign(low=table["mean"] - table["std"], high=table["mean"] + table["std"])
    low, high = float(data["mean"].min()), float(data["mean"].max())
    pad = (high - low) * 0.15 or 0.05
    y_scale = alt.Scale(zero=False, domain=[low - pad, high + pad])
    color = alt.Color("split:N", scale=_SPLIT_COLORS, title=None)
    base = alt.Chart(data).encode(x=x, color=color)
    band = base.mark_area(opacity=0.2, clip=True).encode(
        y=alt.Y("low:Q", title=metric, scale=y_scale), y2="high:Q"
    )
    line = base.mark_line(point=True, clip=True).encode(
        y=alt.Y("mean:Q", title=metric, scale=y_scale),
        tooltip=[
            "split:N",
            alt.Tooltip("mean:Q", format=".3f"),
            alt.Tooltip("std:Q", format=".3f"),
        ],
    )
    return layered(band, line).properties(
        title=alt.TitleParams(title, subtitle=subtitle), height=CURVE_HEIGHT
    )


def validation_curve_chart(table: pd.DataFrame, param_label: str, metric: str) -> alt.LayerChart:
    """Train and validation score against one parameter; the band is ± one std over folds."""
    order = table.sort_values("order")["value"].drop_duplicates().tolist()
    x = alt.X("value:O", sort=order, title=param_label, axis=alt.Axis(labelAngle=0))
    return _curve(
        table,
        x,
        metric,
        f"Validation curve: {metric} against {param_label}",
        "train far above validation: over-fitting; both low: under-fitting",
    )


def learning_curve_chart(table: pd.DataFrame, metric: str) -> alt.LayerChart:
    """Train and validation score against training rows: does more data help?"""
    x = alt.X("rows:Q", title="training rows")
    return _curve(
        table,
        x,
        metric,
        f"Learning curve: {metric} against training rows",
        "if validation still rises at the right, more data would help",
    )
