"""Test-row results drawn: predicted vs actual, residuals, confusion, ROC and PR curves."""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

from mllib.charts.theme import (
    CELL_FONT_SIZE,
    CHROME,
    HEIGHT,
    LABEL_LIMIT,
    PALETTE,
    chart_title,
    class_colours,
    domain,
    layered,
    sample_note,
)

# --- regression evaluation ----------------------------------------------------------------------


def predicted_vs_actual(points: pd.DataFrame, n_total: int, target: str) -> alt.LayerChart:
    low = float(min(points["actual"].min(), points["predicted"].min()))
    high = float(max(points["actual"].max(), points["predicted"].max()))
    scale = domain(low, high)
    dots = (
        alt.Chart(points)
        .mark_circle(size=30, opacity=0.7, color=PALETTE[0])
        .encode(
            x=alt.X("actual:Q", title=f"actual {target}", scale=scale),
            y=alt.Y("predicted:Q", title=f"predicted {target}", scale=scale),
            tooltip=["actual", "predicted", "residual"],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"actual": [low, high], "predicted": [low, high]}))
        .mark_line(color="black", strokeDash=[5, 3])
        .encode(x="actual:Q", y="predicted:Q")
    )
    return layered(dots, diagonal).properties(
        height=HEIGHT,
        title=chart_title(
            "Predicted vs actual (test rows)",
            "dashed: y = x, where a perfect model's points would lie",
            sample_note(len(points), n_total, "test rows shown"),
        ),
    )


def residuals_vs_predicted(points: pd.DataFrame, n_total: int) -> alt.LayerChart:
    dots = (
        alt.Chart(points)
        .mark_circle(size=30, opacity=0.7, color=PALETTE[0])
        .encode(
            x=alt.X("predicted:Q", title="predicted", scale=alt.Scale(zero=False)),
            y=alt.Y("residual:Q", title="residual (actual − predicted)"),
            tooltip=["actual", "predicted", "residual"],
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return layered(dots, zero).properties(
        height=HEIGHT,
        title=chart_title(
            "Residuals against predictions (test rows)",
            "a pattern (curve, funnel) means the model misses structure",
            sample_note(len(points), n_total, "test rows shown"),
        ),
    )


def residual_histogram(bins: pd.DataFrame) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(bins)
        .mark_bar(color=PALETTE[0], opacity=0.85)
        .encode(
            x=alt.X("start:Q", title="residual (actual − predicted)", bin="binned"),
            x2="end:Q",
            y=alt.Y("count:Q", title="test rows"),
            tooltip=[
                alt.Tooltip("start:Q", format=".4g"),
                alt.Tooltip("end:Q", format=".4g"),
                "count",
            ],
        )
        .properties(
            height=HEIGHT - 60,
            title=chart_title(
                "Residuals (all test rows, binned)", "centred on 0 and narrow is good"
            ),
        )
    )
    return chart


# --- classification evaluation ------------------------------------------------------------------


def confusion(table: pd.DataFrame, normalised: bool = False) -> alt.LayerChart:
    field, fmt = ("share", ".0%") if normalised else ("count", "d")
    order = list(dict.fromkeys(table["actual"]))
    # Class names side by side under narrow cells overlap ("benign"/"malignant" at 800 px):
    # turn them upright once any is longer than a few characters.
    angle = -90 if max((len(str(c)) for c in order), default=0) > 4 else 0
    base = alt.Chart(table).encode(
        x=alt.X(
            "predicted:N",
            sort=order,
            title="predicted class",
            axis=alt.Axis(labelAngle=angle, labelLimit=140),
        ),
        y=alt.Y("actual:N", sort=order, title="actual class", axis=alt.Axis(labelLimit=140)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{field}:Q",
            scale=alt.Scale(scheme="blues"),
            title="share of the actual class" if normalised else "rows",
        ),
        tooltip=["actual", "predicted", "count", alt.Tooltip("share:Q", format=".1%")],
    )
    peak = float(table[field].max()) or 1.0
    text = base.mark_text(fontSize=CELL_FONT_SIZE).encode(
        text=alt.Text(f"{field}:Q", format=fmt),
        color=alt.condition(f"datum.{field} > {peak / 2}", alt.value("white"), alt.value("black")),
    )
    return layered(cells, text).properties(
        height=CHROME + max(120, min(480, 60 * len(order))) + (60 if angle else 0),
        title=chart_title(
            "Confusion matrix (test rows)",
            "each row sums to 100%: the share of that class predicted as each"
            if normalised
            else "the diagonal counts correct predictions",
        ),
    )


def _curve_legend(areas: pd.DataFrame, column: str) -> dict[str, str]:
    return {
        row["class"]: f"{row['class']} ({column} {row[column]:.3f})" for _, row in areas.iterrows()
    }


def _thinned_note(curves: pd.DataFrame, areas: pd.DataFrame) -> str:
    """Says when a curve is drawn with fewer points than it has (its area is then approximate)."""
    if "points" not in areas.columns or not len(areas):
        return ""
    drawn = curves.groupby("class").size()
    thinned = [
        f"{row['class']}: {int(drawn.get(row['class'], 0)):,} of {int(row['points']):,}"
        for _, row in areas.iterrows()
        if drawn.get(row["class"], 0) < row["points"]
    ]
    if not thinned:
        return ""
    return "drawn with evenly spaced points (" + "; ".join(thinned) + "): the area is approximate"


def _curves(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    area_name: str,
    x: alt.X,
    y: alt.Y,
    interpolate: Literal["linear", "step-before"],
) -> tuple[alt.Chart, int]:
    """One-vs-rest curve lines in class colours, the legend naming each curve's area.

    Points are joined in the table's ``order``: a line mark otherwise sorts them by x, which
    scrambles points that share an x (a ROC curve's vertical steps).
    """
    names = _curve_legend(areas, area_name)
    colours = class_colours(classes)
    lines = (
        alt.Chart(curves.assign(curve=curves["class"].map(names)))
        .mark_line(strokeWidth=2.2, interpolate=interpolate)
        .encode(
            x=x,
            y=y,
            order=alt.Order("order:Q"),
            color=alt.Color(
                "curve:N",
                title="one vs rest",
                scale=alt.Scale(domain=list(names.values()), range=[colours[c] for c in names]),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=LABEL_LIMIT),
            ),
        )
    )
    return lines, HEIGHT + 20 * len(names)


def _operating_point(point: pd.DataFrame | None, x: str, y: str) -> list[alt.Chart]:
    """The chosen threshold's point on a curve, ringed, with its coordinates in the tooltip."""
    if point is None or not len(point):
        return []
    return [
        alt.Chart(point)
        .mark_point(shape="circle", size=160, filled=True, color="black", opacity=0.9)
        .encode(
            x=f"{x}:Q",
            y=f"{y}:Q",
            tooltip=[  # no legend: it would squeeze the plot; the page's caption explains
                alt.Tooltip("threshold:Q", format=".3f"),
                alt.Tooltip(f"{x}:Q", format=".3f"),
                alt.Tooltip(f"{y}:Q", format=".3f"),
            ],
        )
    ]


def roc(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    point: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """ROC curves joined by straight lines (their trapezoids sum to the AUC), the chance
    diagonal and, when given, the chosen threshold's point (columns fpr, tpr, threshold)."""
    lines, height = _curves(
        curves,
        areas,
        classes,
        "AUC",
        alt.X("fpr:Q", title="false positive rate", scale=alt.Scale(domain=[0, 1])),
        alt.Y("tpr:Q", title="true positive rate", scale=alt.Scale(domain=[0, 1])),
        interpolate="linear",
    )
    chance = (
        alt.Chart(pd.DataFrame({"fpr": [0, 1], "tpr": [0, 1]}))
        .mark_line(color="grey", strokeDash=[4, 4])
        .encode(x="fpr:Q", y="tpr:Q")
    )
    return layered(lines, chance, *_operating_point(point, "fpr", "tpr")).properties(
        height=height,
        title=chart_title(
            "ROC curve (test rows)",
            "dashed: a coin toss; up and left is better",
            _thinned_note(curves, areas),
        ),
    )


def precision_recall(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    point: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Precision-recall steps: each gain in recall at the precision reached there, so the
    area under the steps is the average precision; optionally the chosen threshold's point
    (columns recall, precision, threshold)."""
    lines, height = _curves(
        curves,
        areas,
        classes,
        "average precision",
        alt.X("recall:Q", title="recall", scale=alt.Scale(domain=[0, 1])),
        alt.Y("precision:Q", title="precision", scale=alt.Scale(domain=[0, 1.02])),
        interpolate="step-before",
    )
    return layered(lines, *_operating_point(point, "recall", "precision")).properties(
        height=height,
        title=chart_title(
            "Precision-recall curve (test rows)",
            "up and right is better; the area under the steps is the average precision",
            _thinned_note(curves, areas),
        ),
    )
