"""Altair charts, DOT diagrams and LaTeX built from the tables in :mod:`mllib.explain`.

Builders only draw: every number they show was computed before (compute, then draw). Each
takes a small table (already sampled or binned below about 5,000 rows) and returns an
``alt.Chart``/``alt.LayerChart`` or text; the page passes them to Streamlit unchanged. When a
table stands for more rows than it holds, the chart's subtitle says so.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from mllib.explain import Boundary, CurveView, LinearFit, category_label
from mllib.splits import Criterion, SplitNumbers

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
PATH_COLOUR = "#d62728"
WIDE_TREE_LEVEL = 4  # boxes side by side that still fit the page at their own size
HEIGHT = 380
LABEL_LIMIT = 280
# Streamlit sizes charts to fit: a chart's height includes its title, axes and padding.
CHROME = 130


def class_colours(classes: list[str]) -> dict[str, str]:
    """One fixed colour per class, shared by every chart and the tree diagram."""
    return {str(c): PALETTE[i % len(PALETTE)] for i, c in enumerate(classes)}


def _class_scale(classes: list[str]) -> alt.Scale:
    colours = class_colours(classes)
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def sample_note(shown: int, total: int, what: str = "rows") -> str:
    """'' when nothing was left out, else 'a random 600 of 1,200 training rows'."""
    if shown >= total:
        return ""
    return f"a random {shown:,} of {total:,} {what}"


def _title(text: str, *notes: str) -> alt.TitleParams:
    subtitle = [n for n in notes if n]
    return alt.TitleParams(text, subtitle=subtitle or alt.Undefined, anchor="start")


def _bar_height(n: int) -> int:
    return CHROME + 26 * max(n, 1)


def _domain(low: float, high: float) -> alt.Scale:
    return alt.Scale(domain=[float(low), float(high)], nice=False, zero=False)


# --- decision boundary --------------------------------------------------------------------------


def boundary(b: Boundary, classes: list[str] | None, target: str) -> alt.LayerChart:
    """The model's predictions as a heatmap, its decision function's contours, training rows
    on top and support vectors ringed."""
    x_scale = _domain(b.grid["x"].min(), b.grid["x2"].max())
    y_scale = _domain(b.grid["y"].min(), b.grid["y2"].max())
    x = alt.X("x:Q", title=b.x, scale=x_scale)
    y = alt.Y("y:Q", title=b.y, scale=y_scale)
    if b.value_kind == "class":
        colour_scale = _class_scale(classes or sorted(b.grid["label"].unique()))
        dots = alt.Color("label:N", scale=colour_scale, title=target)
        colours = class_colours(colour_scale.domain)  # type: ignore[arg-type]
        cells = b.grid.assign(
            fill=[
                _blend(colours.get(str(label), PALETTE[0]), 0.12 + 0.5 * strength)
                for label, strength in zip(b.grid["label"], b.grid["strength"], strict=True)
            ]
        )
        # Opaque cells whose stroke is their own fill leave no anti-aliasing seams.
        fill = alt.Color("fill:N", scale=None)
        edge = alt.Stroke("fill:N", scale=None)
    else:
        low = float(min(b.grid["label"].min(), b.points["label"].min() if len(b.points) else 0))
        high = float(max(b.grid["label"].max(), b.points["label"].max() if len(b.points) else 0))
        colour_scale = alt.Scale(scheme="viridis", domain=[low, high])
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
            tooltip=[alt.Tooltip("label", title="prediction")],
        )
    )
    layers: list[alt.Chart] = [heat]
    if len(b.contours):
        lines = b.contours.assign(
            line=np.where(b.contours["level"] == 0, "boundary (f = 0)", "margins (f = ±1)")
        )
        # The legend lists only what is drawn: logistic regression has no margins.
        dashes = {"boundary (f = 0)": [1, 0], "margins (f = ±1)": [5, 3]}
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
                    title="decision function",
                    scale=alt.Scale(domain=drawn, range=[dashes[name] for name in drawn]),
                ),
            )
        )
    layers.append(
        alt.Chart(b.points)
        .mark_circle(size=40, stroke="#222222", strokeWidth=0.7, opacity=0.95)
        .encode(
            x="x:Q",
            y="y:Q",
            color=dots,
            tooltip=[alt.Tooltip("label", title=f"{target} (actual)"), "x", "y"],
        )
    )
    if b.support is not None and len(b.support):
        layers.append(
            alt.Chart(b.support.assign(kind="support vector"))
            .mark_point(shape="circle", filled=False, size=110, strokeWidth=1.4, color="black")
            .encode(
                x="x:Q",
                y="y:Q",
                shape=alt.Shape("kind:N", scale=alt.Scale(range=["circle"]), title=None),
            )
        )
    notes = [
        "exact: the model uses only these two features"
        if b.exact
        else "a slice: every other feature held at the values listed below the chart",
        f"{len(b.grid):,} grid cells predicted by the trained model",
        sample_note(len(b.points), b.n_train, "training rows shown") or "all training rows shown",
    ]
    if b.n_support is not None:
        shown = 0 if b.support is None else len(b.support)
        notes.append(
            f"{b.n_support:,} support vectors ringed"
            if shown >= b.n_support
            else f"{shown:,} of {b.n_support:,} support vectors ringed (a random sample)"
        )
    title = "Decision boundary" if b.value_kind == "class" else f"Predicted {target}"
    return (
        alt.layer(*layers)
        .resolve_scale(color="shared")
        .properties(title=_title(title, " · ".join(notes)), height=460)
    )


# --- linear models ------------------------------------------------------------------------------


def fitted_curve(view: CurveView, show_residuals: bool = False) -> alt.Chart | alt.LayerChart:
    """One feature: the rows and the model's line or curve (or class probabilities)."""
    note = sample_note(len(view.points), view.n_rows, "rows shown")
    x_scale = _domain(view.curve["x"].min(), view.curve["x"].max())
    x = alt.X("x:Q", title=view.feature, scale=x_scale)
    if view.value_kind == "prediction":
        return _regression_curve(view, x, show_residuals, note)
    classes = sorted(view.points["actual"].astype(str).unique())
    outputs = list(dict.fromkeys(view.curve["output"]))
    scale = _class_scale(classes)
    y_title = "probability" if view.value_kind == "probability" else "decision score"
    lines = (
        alt.Chart(view.curve)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("value:Q", title=f"{y_title} of the class"),
            color=alt.Color("output:N", scale=scale, title="class"),
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
    what = f"the probability of {outputs[0]}" if len(outputs) == 1 else "each class's probability"
    if view.value_kind == "decision score":
        what = (
            "the decision score (above 0 → " + outputs[0] + ")"
            if len(outputs) == 1
            else ("each class's decision score")
        )
    top = alt.layer(*layers).properties(
        height=HEIGHT - 80, title=_title(f"What the model says along {view.feature}: {what}")
    )
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
            title=_title("the rows, by their actual class", note),
        )
    )
    return alt.vconcat(top, strip).resolve_scale(x="shared")


def _regression_curve(view: CurveView, x: alt.X, show_residuals: bool, note: str) -> alt.LayerChart:
    y_title = view.target
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
        alt.Chart(view.points)
        .mark_circle(size=30, opacity=0.75)
        .encode(
            x=x,
            y=alt.Y("actual:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "split:N",
                scale=alt.Scale(domain=["train", "test"], range=[PALETTE[0], PALETTE[2]]),
                title="rows",
            ),
            tooltip=["x", "actual", "fitted", "residual", "split"],
        )
    )
    layers.append(
        alt.Chart(view.curve)
        .mark_line(color="black", strokeWidth=2.5)
        .encode(x=x, y=alt.Y("value:Q", title=y_title))
    )
    if view.support is not None and len(view.support):
        layers.append(
            alt.Chart(view.support.assign(kind="support vector"))
            .mark_point(shape="circle", filled=False, size=110, strokeWidth=1.3, color="black")
            .encode(
                x="x:Q",
                y="actual:Q",
                shape=alt.Shape("kind:N", scale=alt.Scale(range=["circle"]), title=None),
            )
        )
    notes = [note]
    if view.tube:
        notes.append(f"shaded: the ε-tube, ± {view.tube:.4g} around the curve")
    if view.n_support is not None:
        shown = 0 if view.support is None else len(view.support)
        notes.append(
            f"{view.n_support:,} support vectors ringed"
            if shown >= view.n_support
            else f"{shown:,} of {view.n_support:,} support vectors ringed"
        )
    if show_residuals:
        notes.append("red: residuals (actual − fitted)")
    title = f"{view.target} against {view.feature}"
    if view.line is not None:
        w, b = view.line
        sign = "−" if b < 0 else "+"
        title = f"{view.target} = {w:.4g} × {view.feature} {sign} {abs(b):.4g}"
    return alt.layer(*layers).properties(
        height=HEIGHT, title=_title(title, " · ".join(n for n in notes if n))
    )


def coefficients(
    table: pd.DataFrame, output: str, units: str = "standardised", max_bars: int = 25
) -> alt.Chart:
    """Horizontal bars of one output's weights, largest magnitude first."""
    rows = table[table["output"] == output].assign(size=lambda t: t[units].abs())
    rows = rows.sort_values("size", ascending=False)
    note = "" if len(rows) <= max_bars else f"the {max_bars} largest of {len(rows)} weights"
    rows = rows.head(max_bars).assign(sign=lambda t: np.where(t[units] >= 0, "raises", "lowers"))
    label = (
        "change per standard deviation of the feature"
        if units == "standardised"
        else "change per one unit of the feature"
    )
    return (
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
                scale=alt.Scale(domain=["raises", "lowers"], range=[PALETTE[0], PALETTE[3]]),
                title="the prediction",
            ),
            tooltip=[
                "label",
                alt.Tooltip("raw:Q", format=".4g"),
                alt.Tooltip("standardised:Q", format=".4g"),
            ],
        )
        .properties(
            height=_bar_height(len(rows)),
            title=_title(
                "Weights "
                + (
                    "per standard deviation"
                    if units == "standardised"
                    else "in the features' own units"
                ),
                note,
            ),
        )
    )


def coefficient_path(path: pd.DataFrame, alpha: float, note: str = "") -> alt.LayerChart:
    """Each weight as α grows (log scale), with the model's own α marked."""
    lines = (
        alt.Chart(path)
        .mark_line(strokeWidth=1.8)
        .encode(
            x=alt.X(
                "alpha:Q",
                scale=alt.Scale(type="log"),
                title="α (regularisation strength)",
                axis=alt.Axis(values=[10.0**k for k in range(-4, 4)], format="~g"),
            ),
            y=alt.Y("coefficient:Q", title="weight per standard deviation"),
            color=alt.Color(
                "feature:N",
                title="feature",
                scale=alt.Scale(
                    range=[*list(PALETTE), "#333333", "#8c6d31", "#637939", "#843c39", "#7b4173"]
                ),
            ),
            tooltip=[
                "feature",
                alt.Tooltip("alpha:Q", format=".3g"),
                alt.Tooltip("coefficient:Q", format=".4g"),
            ],
        )
    )
    mark = alt.Chart(pd.DataFrame({"alpha": [alpha], "what": [f"this model: α = {alpha:g}"]}))
    rule = mark.mark_rule(color="black", strokeDash=[5, 3]).encode(x="alpha:Q")
    text = mark.mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
        x="alpha:Q", y=alt.value(8), text="what:N"
    )
    return alt.layer(lines, rule, text).properties(
        height=HEIGHT, title=_title("Coefficient path: how the weights shrink as α grows", note)
    )


def equation_latex(fit: LinearFit, output: str, max_terms: int = 8) -> tuple[str, str]:
    """The fitted equation in LaTeX with real weights, largest (per SD) first.

    Returns (latex, note); the note says how many smaller terms were left out.
    """
    rows = fit.table[fit.table["output"] == output]
    rows = rows.reindex(rows["standardised"].abs().sort_values(ascending=False).index)
    shown = rows.head(max_terms)
    if fit.kind == "value":
        left = _tex_text(fit.target)
    elif fit.kind == "log-odds":
        left = (
            rf"\log\dfrac{{P({_tex_text(output)})}}{{1 - P({_tex_text(output)})}}"
            if len(fit.intercepts) == 1
            else rf"z_{{{_tex_text(output)}}}"
        )
    else:
        left = rf"f_{{{_tex_text(output)}}}(x)"
    terms = [_number(fit.intercepts[output], first=True)]
    for _, row in shown.iterrows():
        terms.append(rf"{_number(row['raw'])}\,{_tex_text(_term_name(row['label']))}")
    left_out = len(rows) - len(shown)
    if left_out:
        terms.append(r"+ \dots")
    lines, per_line = [], 3
    for i in range(0, len(terms), per_line):
        lines.append(" ".join(terms[i : i + per_line]))
    body = r" \\ & ".join(lines)
    latex = rf"\begin{{aligned}} {left} = {{}} & {body} \end{{aligned}}"
    note = (
        f"{left_out} smaller term(s) not shown; the chart below lists every weight."
        if left_out
        else ""
    )
    return latex, note


def _term_name(label: str) -> str:
    return f"[{label}]" if " = " in label else label


def _number(value: float, first: bool = False) -> str:
    text = f"{abs(value):.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if first:
        return f"-{text}" if value < 0 else text
    return f"- {text}" if value < 0 else f"+ {text}"


def split_latex(numbers: SplitNumbers, words: Criterion, max_terms: int = 6) -> str:
    """One split's gain with its numbers filled in (KaTeX ``aligned``): each node's impurity
    from its class counts (Gini or entropy), then gain = parent − weighted children."""
    left = (numbers.n_left, numbers.left, 1)
    right = (numbers.n_right, numbers.right, 2)
    (n_yes, i_yes, k_yes), (n_no, i_no, k_no) = (
        (left, right) if numbers.yes_is_left else (right, left)
    )
    symbol = {"Gini impurity": "G", "entropy": "H", "variance": r"\operatorname{Var}"}.get(
        words.impurity, "I"
    )
    lines = []
    if numbers.counts and symbol in ("G", "H"):
        for name, k, value in (
            ("D", 0, numbers.parent),
            (r"D_\text{yes}", k_yes, i_yes),
            (r"D_\text{no}", k_no, i_no),
        ):
            lines.append(_impurity_line(symbol, name, numbers.counts[k], value, max_terms))
    unit = rf"\ \text{{{words.unit}}}" if words.unit else ""
    total = _count(numbers.n)
    lines.append(
        rf"\text{{{words.gain}}} &= {symbol}(D) - \Big(\tfrac{{|D_\text{{yes}}|}}{{|D|}}"
        rf"\,{symbol}(D_\text{{yes}}) + \tfrac{{|D_\text{{no}}|}}{{|D|}}"
        rf"\,{symbol}(D_\text{{no}})\Big) \\"
    )
    lines.append(
        rf"&= {_num(numbers.parent)} - \Big(\tfrac{{{_count(n_yes)}}}{{{total}}} \cdot "
        rf"{_num(i_yes)} + \tfrac{{{_count(n_no)}}}{{{total}}} \cdot {_num(i_no)}\Big) \\"
    )
    lines.append(rf"&= \mathbf{{{_num(numbers.gain)}}}{unit}")  # own line: fits 800 px
    if symbol == "I":
        lines.insert(0, rf"&\text{{I = {words.impurity}}} \\")
    return r"\begin{aligned}" + "\n".join(lines) + r"\end{aligned}"


def _impurity_line(
    symbol: str, name: str, counts: tuple[float, ...], value: float, max_terms: int
) -> str:
    total = sum(counts)
    present = [c for c in counts if c > 0]
    shown = present[:max_terms]
    more = r" + \dots" if len(present) > len(shown) else ""
    fractions = [rf"\tfrac{{{_count(c)}}}{{{_count(total)}}}" for c in shown]
    if symbol == "H":
        terms = " + ".join(rf"{f} \log_2 {f}" for f in fractions)
        body = rf"-\big({terms}{more}\big)"
    else:
        terms = " + ".join(rf"\big({f}\big)^2" for f in fractions)
        body = rf"1 - \big({terms}{more}\big)"
    return rf"{symbol}({name}) &= {body} = {_num(value)} \\"


def _num(value: float) -> str:
    """Numbers in formulas: four significant digits, 0 for (rounding-level) zero."""
    if abs(value) < 5e-13:
        return "0"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _tex_text(text: str) -> str:
    escaped = str(text)
    for char, repl in (
        ("\\", r"\textbackslash "),
        ("{", r"\{"),
        ("}", r"\}"),
        ("_", r"\_"),
        ("#", r"\#"),
        ("$", r"\$"),
        ("%", r"\%"),
        ("&", r"\&"),
        ("^", r"\^{}"),
        ("~", r"\~{}"),
    ):
        escaped = escaped.replace(char, repl)
    return rf"\text{{{escaped}}}"


# --- regression evaluation ----------------------------------------------------------------------


def predicted_vs_actual(points: pd.DataFrame, n_total: int, target: str) -> alt.LayerChart:
    low = float(min(points["actual"].min(), points["predicted"].min()))
    high = float(max(points["actual"].max(), points["predicted"].max()))
    scale = _domain(low, high)
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
    return alt.layer(dots, diagonal).properties(
        height=HEIGHT,
        title=_title(
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
    return alt.layer(dots, zero).properties(
        height=HEIGHT,
        title=_title(
            "Residuals against predictions (test rows)",
            "a pattern (curve, funnel) means the model misses structure",
            sample_note(len(points), n_total, "test rows shown"),
        ),
    )


def residual_histogram(bins: pd.DataFrame) -> alt.Chart:
    return (
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
            title=_title("Residuals (all test rows, binned)", "centred on 0 and narrow is good"),
        )
    )


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
    text = base.mark_text(fontSize=14).encode(
        text=alt.Text(f"{field}:Q", format=fmt),
        color=alt.condition(f"datum.{field} > {peak / 2}", alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, text).properties(
        height=CHROME + max(120, min(480, 60 * len(order))) + (60 if angle else 0),
        title=_title(
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
    interpolate: str,
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
        "linear",
    )
    chance = (
        alt.Chart(pd.DataFrame({"fpr": [0, 1], "tpr": [0, 1]}))
        .mark_line(color="grey", strokeDash=[4, 4])
        .encode(x="fpr:Q", y="tpr:Q")
    )
    return alt.layer(lines, chance, *_operating_point(point, "fpr", "tpr")).properties(
        height=height,
        title=_title(
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
        "step-before",
    )
    return alt.layer(lines, *_operating_point(point, "recall", "precision")).properties(
        height=height,
        title=_title(
            "Precision-recall curve (test rows)",
            "up and right is better; the area under the steps is the average precision",
            _thinned_note(curves, areas),
        ),
    )


# --- importance -------------------------------------------------------------------------------


def importance(table: pd.DataFrame, title: str, note: str = "", max_bars: int = 25) -> alt.Chart:
    """Bars for ``importance`` (with ± ``std`` whiskers when the table has them)."""
    left = "" if len(table) <= max_bars else f"the {max_bars} largest of {len(table)}"
    rows = table.head(max_bars)
    order = list(rows["feature"])
    bars = (
        alt.Chart(rows)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("importance:Q", title="importance"),
            y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            tooltip=["feature", alt.Tooltip("importance:Q", format=".4f")],
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
    return alt.layer(*layers).properties(
        height=_bar_height(len(rows)), title=_title(title, note, left)
    )


def partial_dependence(
    table: pd.DataFrame,
    feature: str,
    numeric: bool,
    what: str,
    note: str = "",
    classes: list[str] | None = None,
) -> alt.Chart:
    outputs = list(dict.fromkeys(table["output"]))
    if classes:
        colours = class_colours(classes)
        scale = alt.Scale(domain=outputs, range=[colours[o] for o in outputs])
    else:
        scale = alt.Scale(range=[PALETTE[0]])
    colour = alt.Color(
        "output:N",
        scale=scale,
        title="class" if classes else None,
        legend=None if len(outputs) == 1 and not classes else alt.Legend(),
    )
    if numeric:
        chart = (
            alt.Chart(table)
            .mark_line(point=True, strokeWidth=2.2)
            .encode(
                x=alt.X("value:Q", title=feature, scale=alt.Scale(zero=False)),
                y=alt.Y("average:Q", title=what),
                color=colour,
                tooltip=[
                    "output",
                    alt.Tooltip("value:Q", format=".4g"),
                    alt.Tooltip("average:Q", format=".4g"),
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
                tooltip=["output", "value", alt.Tooltip("average:Q", format=".4g")],
            )
        )
    return chart.properties(
        height=HEIGHT - 40,
        title=_title(
            f"Partial dependence on {feature}",
            f"every row set to each value of {feature}, predictions averaged",
            note,
        ),
    )


# --- decision tree diagram ----------------------------------------------------------------------


def tree_dot(
    table: pd.DataFrame,
    depth: int,
    classes: list[str] | None = None,
    path: list[int] | None = None,
    criterion: Criterion | None = None,
) -> str:
    """DOT text for the top ``depth`` levels of a tree (from :func:`explain.tree_table`).

    Each split node shows its question, impurity, the gain of its split in the criterion's
    words (information gain in bits, Gini decrease, variance reduction), samples and class
    counts (or mean); nodes are filled with their majority class's colour, stronger when purer.
    Deeper subtrees become a "… N more nodes" stub. ``path`` nodes and edges are highlighted.
    """
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
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, '
        'color="#777777", penwidth=1, margin="0.05,0.03"];',
        '  edge [fontname="Helvetica", fontsize=11, color="#777777", arrowsize=0.6];',
    ]
    shown = table[table["depth"] <= depth]
    for row in shown.itertuples(index=False):
        node = int(row.node)
        cut = (not row.leaf) and row.depth == depth
        # Short lines keep boxes narrow, so the diagram is drawn near its own size.
        parts = _question(row).split("\n") if not row.leaf else []
        words = criterion or Criterion("impurity", "gain", "", "")
        unit = f" {words.unit}" if words.unit else ""
        parts.append(f"{words.box_impurity} {_short(row.impurity)}{unit}")
        if not row.leaf:
            parts.append(f"{words.box_gain} {_short(row.gain)}{unit}")
        if classes is not None:
            counts = ", ".join(_count(c) for c in row.counts)
            parts.append(f"{int(row.samples):,} samples")
            parts.append(f"[{counts}]")
            parts.append(f"class: {row.prediction}")
            k = max(len(classes), 2)
            strength = (row.purity - 1 / k) / (1 - 1 / k)
            fill = colours.get(str(row.prediction), PALETTE[0]) + _alpha(0.12 + 0.6 * strength)
        else:
            parts.append(f"{int(row.samples):,} samples")
            parts.append(f"value: {_short(row.prediction)}")
            strength = 0.5 if high == low else (row.prediction - low) / (high - low)
            fill = PALETTE[0] + _alpha(0.08 + 0.65 * strength)
        attrs = [f'label="{_dot_escape(chr(10).join(parts))}"', f'fillcolor="{fill}"']
        if node in on_path:
            attrs.append(f'color="{PATH_COLOUR}", penwidth=3')
        lines.append(f"  {node} [{', '.join(attrs)}];")
        if row.parent >= 0:
            lines.append(_edge(table, int(row.parent), node, on_path))
        if cut:
            stub = f"more{node}"
            below = node in on_path and path is not None and node != path[-1]
            style = f'color="{PATH_COLOUR}", fontcolor="{PATH_COLOUR}", ' if below else ""
            lines.append(
                f'  {stub} [label="… {int(row.descendants):,} more nodes", shape=plaintext, '
                f'style="", {style}fontsize=11];'
            )
            lines.append(f"  {node} -> {stub} [style=dashed];")
    lines.append("}")
    return "\n".join(lines)


def _question(row: Any, wrap: int = 16) -> str:
    """The node's question; a long one is broken before its operator."""
    if row.one_hot:
        name, rest = str(row.source), f"= {category_label(row.category)}?"
    else:
        name, rest = str(row.feature), f"≤ {row.threshold:.4g}"
    joined = f"{name} {rest}"
    return joined if len(joined) <= wrap else f"{name}\n{rest}"


def _edge(table: pd.DataFrame, parent: int, child: int, on_path: set[int]) -> str:
    info = table.iloc[parent]
    went_left = int(info["left"]) == child
    if info["one_hot"]:
        answer = "no" if went_left else "yes"
    else:
        answer = "yes" if went_left else "no"
    attrs = [f'label=" {answer}"']
    if parent in on_path and child in on_path:
        attrs.append(f'color="{PATH_COLOUR}", penwidth=3, fontcolor="{PATH_COLOUR}"')
    return f"  {parent} -> {child} [{', '.join(attrs)}];"


def _short(value: float) -> str:
    """Three significant digits, without scientific notation for everyday sizes."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 0.001:
        return f"{value:.3g}"
    return f"{value:.2e}"


def _count(value: float) -> str:
    return f"{round(value)}" if math.isclose(value, round(value), abs_tol=1e-6) else f"{value:.1f}"


def _blend(colour: str, share: float) -> str:
    """``colour`` mixed with white: ``share`` 1 is the colour itself, 0 is white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 + (c - 255) * max(0.0, min(1.0, share))) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _alpha(share: float) -> str:
    return f"{max(0, min(255, round(share * 255))):02x}"


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
