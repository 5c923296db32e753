"""Altair charts, DOT diagrams and LaTeX built from the tables in :mod:`mllib.explain`,
:mod:`mllib.compare`, :mod:`mllib.tuning` and :mod:`mllib.predict`.

Builders only draw: every number they show was computed before (compute, then draw). Each
takes a small table (already sampled or binned below about 5,000 rows) and returns an
``alt.Chart``/``alt.LayerChart`` or text; the page passes them to Streamlit unchanged. When a
table stands for more rows than it holds, the chart's subtitle says so.

One module per topic, one look: colours, fonts and sizes live only in ``theme``. The others are
``boundary_map``, ``linear``, ``latex``, ``evaluation``, ``inspection``, ``tree`` (the DOT
diagram), ``compare`` (the Compare & tune page) and ``prediction``; ``text`` prints numbers.
Callers import from here.
"""

from mllib.charts.boundary_map import boundary
from mllib.charts.compare import (
    learning_curve_chart,
    predicted_vs_actual_chart,
    scores_chart,
    titled,
    validation_curve_chart,
)
from mllib.charts.evaluation import (
    confusion,
    precision_recall,
    predicted_vs_actual,
    residual_histogram,
    residuals_vs_predicted,
    roc,
)
from mllib.charts.inspection import importance, partial_dependence
from mllib.charts.latex import equation_latex, split_latex
from mllib.charts.linear import coefficient_path, coefficients, fitted_curve
from mllib.charts.prediction import probability_chart
from mllib.charts.theme import (
    CHROME,
    HEIGHT,
    LABEL_LIMIT,
    PALETTE,
    PATH_COLOUR,
    class_colours,
    sample_note,
)
from mllib.charts.tree import WIDE_TREE_LEVEL, tree_dot

__all__ = [
    "CHROME",
    "HEIGHT",
    "LABEL_LIMIT",
    "PALETTE",
    "PATH_COLOUR",
    "WIDE_TREE_LEVEL",
    "boundary",
    "class_colours",
    "coefficient_path",
    "coefficients",
    "confusion",
    "equation_latex",
    "fitted_curve",
    "importance",
    "learning_curve_chart",
    "partial_dependence",
    "precision_recall",
    "predicted_vs_actual",
    "predicted_vs_actual_chart",
    "probability_chart",
    "residual_histogram",
    "residuals_vs_predicted",
    "roc",
    "sample_note",
    "scores_chart",
    "split_latex",
    "titled",
    "tree_dot",
    "validation_curve_chart",
]
