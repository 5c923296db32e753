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
from mllib.i18n import DEFAULT, Translator, translator

# --- regression evaluation ----------------------------------------------------------------------


def _point_tooltip(tr: Translator) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("actual", title=tr("actual")),
        alt.Tooltip("predicted", title=tr("predicted")),
        alt.Tooltip("residual", title=tr("residual")),
    ]


def predicted_vs_actual(
    points: pd.DataFrame, n_total: int, target: str, tr: Translator | None = None
) -> alt.LayerChart:
    tr = tr or translator(DEFAULT)
    low = float(min(points["actual"].min(), points["predicted"].min()))
    high = float(max(points["actual"].max(), points["predicted"].max()))
    scale = domain(low, high)
    dots = (
        alt.Chart(points)
        .mark_circle(size=30, opacity=0.7, color=PALETTE[0])
        .encode(
            x=alt.X("actual:Q", title=tr("actual {target}", target=target), scale=scale),
            y=alt.Y("predicted:Q", title=tr("predicted {target}", target=target), scale=scale),
            tooltip=_point_tooltip(tr),
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
            tr("Predicted vs actual (test rows)"),
            tr("dashed: y = x, where a perfect model's points would lie"),
            sample_note(len(points), n_total, "test rows shown", tr),
        ),
    )


def residuals_vs_predicted(
    points: pd.DataFrame, n_total: int, tr: Translator | None = None
) -> alt.LayerChart:
    tr = tr or translator(DEFAULT)
    dots = (
        alt.Chart(points)
        .mark_circle(size=30, opacity=0.7, color=PALETTE[0])
        .encode(
            x=alt.X("predicted:Q", title=tr("predicted"), scale=alt.Scale(zero=False)),
            y=alt.Y("residual:Q", title=tr("residual (actual − predicted)")),
            tooltip=_point_tooltip(tr),
        )
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    return layered(dots, zero).properties(
        height=HEIGHT,
        title=chart_title(
            tr("Residuals against predictions (test rows)"),
            tr("a pattern (curve, funnel) means the model misses structure"),
            sample_note(len(points), n_total, "test rows shown", tr),
        ),
    )


def residual_histogram(bins: pd.DataFrame, tr: Translator | None = None) -> alt.Chart:
    tr = tr or translator(DEFAULT)
    chart: alt.Chart = (
        alt.Chart(bins)
        .mark_bar(color=PALETTE[0], opacity=0.85)
        .encode(
            x=alt.X("start:Q", title=tr("residual (actual − predicted)"), bin="binned"),
            x2="end:Q",
            y=alt.Y("count:Q", title=tr("test rows")),
            tooltip=[
                alt.Tooltip("start:Q", format=".4g", title=tr("from")),
                alt.Tooltip("end:Q", format=".4g", title=tr("to")),
                alt.Tooltip("count", title=tr("test rows")),
            ],
        )
        .properties(
            height=HEIGHT - 60,
            title=chart_title(
                tr("Residuals (all test rows, binned)"), tr("centred on 0 and narrow is good")
            ),
        )
    )
    return chart


# --- classification evaluation ------------------------------------------------------------------


def confusion(
    table: pd.DataFrame, normalised: bool = False, tr: Translator | None = None
) -> alt.LayerChart:
    tr = tr or translator(DEFAULT)
    field, fmt = ("share", ".0%") if normalised else ("count", "d")
    order = list(dict.fromkeys(table["actual"]))
    # Class names side by side under narrow cells overlap ("benign"/"malignant" at 800 px):
    # turn them upright once any is longer than a few characters.
    angle = -90 if max((len(str(c)) for c in order), default=0) > 4 else 0
    base = alt.Chart(table).encode(
        x=alt.X(
            "predicted:N",
            sort=order,
            title=tr("predicted class"),
            axis=alt.Axis(labelAngle=angle, labelLimit=140),
        ),
        y=alt.Y("actual:N", sort=order, title=tr("actual class"), axis=alt.Axis(labelLimit=140)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{field}:Q",
            scale=alt.Scale(scheme="blues"),
            title=tr("share of the actual class") if normalised else tr("rows"),
        ),
        tooltip=[
            alt.Tooltip("actual", title=tr("actual class")),
            alt.Tooltip("predicted", title=tr("predicted class")),
            alt.Tooltip("count", title=tr("rows")),
            alt.Tooltip("share:Q", format=".1%", title=tr("share of the actual class")),
        ],
    )
    peak = float(table[field].max()) or 1.0
    text = base.mark_text(fontSize=CELL_FONT_SIZE).encode(
        text=alt.Text(f"{field}:Q", format=fmt),
        color=alt.condition(f"datum.{field} > {peak / 2}", alt.value("white"), alt.value("black")),
    )
    return layered(cells, text).properties(
        height=CHROME + max(120, min(480, 60 * len(order))) + (60 if angle else 0),
        title=chart_title(
            tr("Confusion matrix (test rows)"),
            tr("each row sums to 100%: the share of that class predicted as each")
            if normalised
            else tr("the diagonal counts correct predictions"),
        ),
    )


def _curve_legend(areas: pd.DataFrame, column: str, name: str) -> dict[str, str]:
    """Each class's curve named with its area (``column`` of ``areas``, called ``name``)."""
    return {
        row["class"]: f"{row['class']} ({name} {row[column]:.3f})" for _, row in areas.iterrows()
    }


def _thinned_note(curves: pd.DataFrame, areas: pd.DataFrame, tr: Translator) -> str:
    """Says when a curve is drawn with fewer points than it has (its area is then approximate)."""
    if "points" not in areas.columns or not len(areas):
        return ""
    drawn = curves.groupby("class").size()
    thinned = [
        tr(
            "{name}: {drawn:,} of {points:,}",
            name=row["class"],
            drawn=int(drawn.get(row["class"], 0)),
            points=int(row["points"]),
        )
        for _, row in areas.iterrows()
        if drawn.get(row["class"], 0) < row["points"]
    ]
    if not thinned:
        return ""
    return tr(
        "drawn with evenly spaced points ({counts}): the area is approximate",
        counts="; ".join(thinned),
    )


def _curves(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    area: tuple[str, str],
    x: alt.X,
    y: alt.Y,
    interpolate: Literal["linear", "step-before"],
    tr: Translator,
) -> tuple[alt.Chart, int]:
    """One-vs-rest curve lines in class colours, the legend naming each curve's area.

    Points are joined in the table's ``order``: a line mark otherwise sorts them by x, which
    scrambles points that share an x (a ROC curve's vertical steps).
    """
    names = _curve_legend(areas, *area)
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
                title=tr("one vs rest"),
                scale=alt.Scale(domain=list(names.values()), range=[colours[c] for c in names]),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=LABEL_LIMIT),
            ),
        )
    )
    return lines, HEIGHT + 20 * len(names)


def _operating_point(
    point: pd.DataFrame | None, x: tuple[str, str], y: tuple[str, str], tr: Translator
) -> list[alt.Chart]:
    """The chosen threshold's point on a curve, ringed, with its coordinates in the tooltip."""
    if point is None or not len(point):
        return []
    return [
        alt.Chart(point)
        .mark_point(shape="circle", size=160, filled=True, color="black", opacity=0.9)
        .encode(
            x=f"{x[0]}:Q",
            y=f"{y[0]}:Q",
            tooltip=[  # no legend: it would squeeze the plot; the page's caption explains
                alt.Tooltip("threshold:Q", format=".3f", title=tr("threshold")),
                alt.Tooltip(f"{x[0]}:Q", format=".3f", title=x[1]),
                alt.Tooltip(f"{y[0]}:Q", format=".3f", title=y[1]),
            ],
        )
    ]


def roc(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    point: pd.DataFrame | None = None,
    tr: Translator | None = None,
) -> alt.LayerChart:
    """ROC curves joined by straight lines (their trapezoids sum to the AUC), the chance
    diagonal and, when given, the chosen threshold's point (columns fpr, tpr, threshold)."""
    tr = tr or translator(DEFAULT)
    fpr, tpr = ("fpr", tr("false positive rate")), ("tpr", tr("true positive rate"))
    lines, height = _curves(
        curves,
        areas,
        classes,
        ("AUC", "AUC"),
        alt.X("fpr:Q", title=fpr[1], scale=alt.Scale(domain=[0, 1])),
        alt.Y("tpr:Q", title=tpr[1], scale=alt.Scale(domain=[0, 1])),
        interpolate="linear",
        tr=tr,
    )
    chance = (
        alt.Chart(pd.DataFrame({"fpr": [0, 1], "tpr": [0, 1]}))
        .mark_line(color="grey", strokeDash=[4, 4])
        .encode(x="fpr:Q", y="tpr:Q")
    )
    return layered(lines, chance, *_operating_point(point, fpr, tpr, tr)).properties(
        height=height,
        title=chart_title(
            tr("ROC curve (test rows)"),
            tr("dashed: a coin toss; up and left is better"),
            _thinned_note(curves, areas, tr),
        ),
    )


def precision_recall(
    curves: pd.DataFrame,
    areas: pd.DataFrame,
    classes: list[str],
    point: pd.DataFrame | None = None,
    tr: Translator | None = None,
) -> alt.LayerChart:
    """Precision-recall steps: each gain in recall at the precision reached there, so the
    area under the steps is the average precision; optionally the chosen threshold's point
    (columns recall, precision, threshold)."""
    tr = tr or translator(DEFAULT)
    recall, precision = ("recall", tr("recall")), ("precision", tr("precision"))
    lines, height = _curves(
        curves,
        areas,
        classes,
        ("average precision", tr("average precision")),
        alt.X("recall:Q", title=recall[1], scale=alt.Scale(domain=[0, 1])),
        alt.Y("precision:Q", title=precision[1], scale=alt.Scale(domain=[0, 1.02])),
        interpolate="step-before",
        tr=tr,
    )
    return layered(lines, *_operating_point(point, recall, precision, tr)).properties(
        height=height,
        title=chart_title(
            tr("Precision-recall curve (test rows)"),
            tr("up and right is better; the area under the steps is the average precision"),
            _thinned_note(curves, areas, tr),
        ),
    )
