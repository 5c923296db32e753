"""Linear models: least squares, Ridge, Lasso and logistic regression."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge

from mllib.catalogue.params import (
    ALPHA,
    C_PENALTY,
    CLASS_WEIGHT,
    MAX_ITER,
    C,
    Param,
    R,
)
from mllib.catalogue.spec import ModelSpec
from mllib.i18n import N_

LINEAR = ModelSpec(
    key="linear",
    name=N_("Linear regression"),
    family="linear",
    sparse=True,
    estimators={R: LinearRegression},
    params=(
        Param(
            "fit_intercept",
            N_("Fit an intercept b"),
            "bool",
            True,
            N_(
                "Off forces the line through the origin (y = 0 when every x = 0; for a category, "
                "at its first category, the reference)."
            ),
            effect=N_(
                "Off forces the line (or plane) through the origin: on the one-feature chart "
                "it pivots about (0, 0) and the equation loses its constant b."
            ),
        ),
    ),
    summary=N_("A straight line (or flat plane) through the data: y = w·x + b."),
    explanation=N_(
        "Ordinary least squares picks the weights **w** and intercept **b** that make the sum of "
        "squared residuals (actual − predicted)² as small as possible. Each weight says how much "
        "the prediction moves when that feature grows by one unit, others held fixed. It has no "
        "knobs to tune: what you see is the single best straight fit."
    ),
    scale=False,
    # Dense input: on a sparse one-hot matrix LinearRegression solves with the iterative lsqr,
    # whose weights are off by ~1e-4 relative, so the OLS table would not match its own fit.
    dense=True,
    seconds_per_unit=2e-9,
    inference="ols",
    reference_category=True,
    formula=r"\hat y = b + w_1 x_1 + \dots + w_p x_p,\quad \min_{w,b} \sum_i (y_i - \hat y_i)^2",
    straight_line=True,
    search=("fit_intercept",),
)

RIDGE = ModelSpec(
    key="ridge",
    name=N_("Ridge regression"),
    family="linear",
    sparse=True,
    estimators={R: Ridge},
    params=(
        replace(
            ALPHA,
            help=N_(
                "Larger α shrinks all weights towards zero: a smoother, less over-fitted model."
            ),
            effect=N_(
                "Raise α and every bar in the weight chart shrinks towards zero, none exactly "
                "to it; on the coefficient path the dashed marker moves right, where all the lines "
                "flatten towards 0."
            ),
        ),
    ),
    summary=N_("Least squares plus a penalty α·Σw² that shrinks every weight."),
    explanation=N_(
        "Ridge minimises squared error **plus α times the sum of squared weights**. Features are "
        "standardised first so the penalty treats them fairly. Small α ≈ plain least squares; "
        "large α pulls all weights towards zero (but never exactly to zero), trading a little "
        "bias for much less variance when features are many or correlated."
    ),
    seconds_per_unit=3e-9,
    inference="penalised",
    formula=r"\min_{w,b} \sum_i (y_i - \hat y_i)^2 + \alpha \sum_j w_j^2",
    straight_line=True,
    coefficient_path=N_("Ridge weights shrink but never reach zero."),
    search=("alpha",),
)

LASSO = ModelSpec(
    key="lasso",
    name=N_("Lasso regression"),
    family="linear",
    sparse=True,
    estimators={R: Lasso},
    params=(
        replace(
            ALPHA,
            default=0.1,
            help=N_("Larger α sets more weights exactly to zero: a sparser model."),
            effect=N_(
                "Raise α and weights reach exactly zero one after another: on the coefficient "
                "path the lines join the zero axis and the equation loses terms."
            ),
        ),
        replace(MAX_ITER, help=N_("More iterations let the solver converge when α is tiny.")),
    ),
    summary=N_("Least squares plus a penalty α·Σ|w| that switches features off."),
    explanation=N_(
        "Lasso minimises squared error **plus α times the sum of absolute weights**. The "
        "absolute-value penalty drives some weights exactly to zero, so Lasso also selects "
        "features. Raise α and watch coefficients drop out one by one in the coefficient path."
    ),
    seconds_per_unit=2e-8,
    inference="penalised",
    formula=r"\min_{w,b} \tfrac{1}{2n}\sum_i (y_i - \hat y_i)^2 + \alpha \sum_j |w_j|",
    straight_line=True,
    coefficient_path=N_("Lasso weights reach exactly zero."),
    search=("alpha",),
)


def _logistic_solver(kwargs: dict[str, Any]) -> dict[str, Any]:
    # lbfgs is fastest for L2 but cannot do L1; saga can (features are standardised).
    return {**kwargs, "solver": "saga" if kwargs.get("l1_ratio", 0) > 0 else "lbfgs"}


LOGISTIC = ModelSpec(
    key="logistic",
    name=N_("Logistic regression"),
    family="linear",
    sparse=True,
    estimators={C: LogisticRegression},
    params=(
        replace(
            C_PENALTY,
            label=N_("Inverse regularisation C"),
            help=N_(
                "Smaller C = stronger penalty = simpler boundary; larger C fits the "
                "training data more closely."
            ),
            effect=N_(
                "Smaller C shrinks the weights: the probability curve flattens and the "
                "boundary map fades (the model is less sure everywhere). Larger C makes the change "
                "from one class to the other sharp."
            ),
        ),
        Param(
            "l1_ratio",
            N_("Penalty"),
            "choice",
            0.0,
            N_("L2 shrinks all weights; L1 can set weights exactly to zero (feature selection)."),
            choices=((N_("L2 (shrink all)"), 0.0), (N_("L1 (sparse)"), 1.0)),
            effect=N_(
                "L1 sets some weights to exactly zero: those bars vanish from the weight "
                "chart and those terms from the equation."
            ),
        ),
        CLASS_WEIGHT,
        replace(
            MAX_ITER,
            default=1000,
            help=N_("More iterations help the solver converge for large C or L1."),
            high=10000,
        ),
    ),
    summary=N_("A linear score w·x + b turned into a probability by the sigmoid 1/(1+e^−z)."),
    explanation=N_(
        "Logistic regression computes a linear score z = w·x + b for each class and turns it "
        "into a probability with the sigmoid (two classes) or softmax (more). The boundary, "
        "where the classes are equally likely, is a straight line or flat plane. The weights "
        "maximise the likelihood of the training labels minus a penalty set by **1/C**."
    ),
    resolve=_logistic_solver,
    seconds_per_unit=3e-8,
    formula=r"P(y = 1 \mid x) = \frac{1}{1 + e^{-(w \cdot x + b)}}",
    output_kind="log-odds",
    search=("C", "l1_ratio"),
)
