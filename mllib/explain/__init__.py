"""What a trained model learned, as tables: the views on the "See the model" page compute here.

Every function takes a :class:`~mllib.training.TrainedModel` (and the rows it was trained on)
and returns plain DataFrames or small dataclasses; :mod:`mllib.charts` draws them. Nothing here
refits the user's model: boundaries, curves and paths are computed with the fitted pipeline
itself. Tables meant for the browser are capped (sampled or binned, :mod:`~mllib.explain.limits`)
and say how many rows they stand for, so a chart never ships more than about 5,000 marks.

One module per topic: ``rows`` (the rows and columns a model saw), ``linear``, ``curve`` (a
one-feature model), ``tree``, ``boundary`` (with ``contours``), ``evaluation`` and
``inspection`` (permutation importance, partial dependence). Callers import from here.
"""

from mllib.explain.boundary import (
    Boundary,
    boundary_axes,
    decision_boundary,
    slice_defaults,
    suggest_axes,
)
from mllib.explain.contours import contour_segments
from mllib.explain.curve import CurveView, curve_view, one_numeric_feature
from mllib.explain.evaluation import (
    class_report,
    confusion_table,
    pr_table,
    regression_points,
    residual_bins,
    roc_table,
)
from mllib.explain.inspection import (
    dependence_features,
    partial_dependence_table,
    permutation_table,
)
from mllib.explain.limits import (
    BOUNDARY_POINTS,
    BOUNDARY_RESOLUTION,
    BOUNDARY_SUPPORT,
    CURVE_POINTS,
    DEPENDENCE_ROWS,
    KERNEL_PERMUTATION_ROWS,
    MAX_MARKS,
    PATH_FEATURES,
    PATH_ROWS,
    PERMUTATION_ROWS,
    ROC_POINTS,
    RULES_CHARS,
    SCATTER_POINTS,
)
from mllib.explain.linear import LinearFit, coefficient_path, has_coefficients, linear_fit
from mllib.explain.rows import (
    INFREQUENT,
    RARE_CATEGORY,
    ModelColumn,
    ModelData,
    category_label,
    category_options,
    model_columns,
    model_data,
    sample_rows,
    target_scale,
    transform,
)
from mllib.explain.tree import (
    decision_path,
    display_value,
    longest_path_row,
    path_steps,
    shown_depth,
    split_answer,
    split_question,
    tree_criterion,
    tree_importances,
    tree_rules,
    tree_table,
)

__all__ = [
    "BOUNDARY_POINTS",
    "BOUNDARY_RESOLUTION",
    "BOUNDARY_SUPPORT",
    "CURVE_POINTS",
    "DEPENDENCE_ROWS",
    "INFREQUENT",
    "KERNEL_PERMUTATION_ROWS",
    "MAX_MARKS",
    "PATH_FEATURES",
    "PATH_ROWS",
    "PERMUTATION_ROWS",
    "RARE_CATEGORY",
    "ROC_POINTS",
    "RULES_CHARS",
    "SCATTER_POINTS",
    "Boundary",
    "CurveView",
    "LinearFit",
    "ModelColumn",
    "ModelData",
    "boundary_axes",
    "category_label",
    "category_options",
    "class_report",
    "coefficient_path",
    "confusion_table",
    "contour_segments",
    "curve_view",
    "decision_boundary",
    "decision_path",
    "dependence_features",
    "display_value",
    "has_coefficients",
    "linear_fit",
    "longest_path_row",
    "model_columns",
    "model_data",
    "one_numeric_feature",
    "partial_dependence_table",
    "path_steps",
    "permutation_table",
    "pr_table",
    "regression_points",
    "residual_bins",
    "roc_table",
    "sample_rows",
    "shown_depth",
    "slice_defaults",
    "split_answer",
    "split_question",
    "suggest_axes",
    "target_scale",
    "transform",
    "tree_criterion",
    "tree_importances",
    "tree_rules",
    "tree_table",
]
