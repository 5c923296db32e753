"""Support vector machines: the kernel SVM and the linear SVM for large data."""

from __future__ import annotations

from dataclasses import replace

from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR

from mllib.catalogue.params import (
    C_PENALTY,
    CLASS_WEIGHT,
    EPSILON,
    MAX_ITER,
    C,
    Param,
    R,
)
from mllib.catalogue.spec import ModelSpec
from mllib.i18n import N_

_KERNELS = (
    (N_("RBF (Gaussian)"), "rbf"),
    (N_("linear"), "linear"),
    (N_("polynomial"), "poly"),
    (N_("sigmoid"), "sigmoid"),
)
_SVM_CARD_NOTE = N_("This SVM gives decision scores, not probabilities.")

SVM = ModelSpec(
    key="svm",
    name=N_("Support vector machine"),
    family="svm",
    estimators={C: SVC, R: SVR},
    params=(
        Param(
            "kernel",
            N_("Kernel"),
            "choice",
            "rbf",
            N_(
                "The similarity measure: linear draws a straight boundary; RBF and polynomial "
                "bend it."
            ),
            choices=_KERNELS,
            effect=N_(
                "Linear draws a straight boundary with parallel margins; RBF and polynomial "
                "kernels bend them around the data."
            ),
        ),
        replace(
            C_PENALTY,
            help=N_(
                "Large C: few training errors, narrow margin, risk of over-fitting. Small C: "
                "wide margin, more errors tolerated."
            ),
            effect=N_(
                "Larger C narrows the margins (the dashed lines move in), rings fewer support "
                "vectors and lets the boundary wiggle; smaller C widens the margins and rings more."
            ),
        ),
        Param(
            "gamma",
            N_("γ (kernel width)"),
            "float",
            "scale",
            N_(
                "How far one training point's influence reaches: large γ = very local, wiggly "
                "boundary. “auto” uses 1 / (input columns × their variance), about 1 / columns "
                "since features are standardised; the slider places it there."
            ),
            low=1e-4,
            high=1e2,
            log=True,
            specials=((N_("auto"), "scale"),),
            special_values=lambda facts: {"scale": 1.0 / max(facts.get("columns", 1.0), 1.0)},
            when={"kernel": ("rbf", "poly", "sigmoid")},
            effect=N_(
                "Larger γ makes each support vector's influence local: the boundary wraps "
                "tightly around clusters and islands appear. Smaller γ smooths it."
            ),
        ),
        Param(
            "degree",
            N_("Polynomial degree"),
            "int",
            3,
            N_("The power of the polynomial kernel."),
            low=2,
            high=6,
            when={"kernel": ("poly",)},
            effect=N_("A higher degree lets the polynomial boundary bend more times."),
        ),
        replace(
            EPSILON,
            effect=N_(
                "Widens the shaded ε-tube around the fitted curve; rows inside it are not "
                "support vectors, so fewer are ringed."
            ),
        ),
        CLASS_WEIGHT,
    ),
    summary=N_("The widest possible margin between classes, bent by a kernel."),
    explanation=N_(
        "A support vector machine looks for the boundary with the **widest margin** to the "
        "nearest training points, the *support vectors*. The boundary is w·x + b = 0 with "
        "w = Σ αᵢ yᵢ xᵢ: only support vectors have αᵢ > 0. A kernel measures similarity in a "
        "richer space, so the boundary can curve. C trades margin width against training "
        "errors; γ sets how local each point's influence is. For regression (SVR) the model "
        "fits a tube of width ε and ignores errors inside it. Fit time grows with the square "
        "of the rows, so large tables use the linear SVM."
    ),
    fixed={"cache_size": 500, "max_iter": 1_000_000},
    scale_target=True,
    seconds_per_unit=1e-9,
    cost_exponent=2.0,
    model_view="dual",
    formula=r"f(x) = \sum_i \alpha_i y_i K(x_i, x) + b,\quad w = \sum_i \alpha_i y_i x_i,"
    r"\quad \text{margin} = \frac{2}{\lVert w \rVert}",
    margins=True,
    # Kernel SVMs keep their kernel in a default search (poly on some data takes seconds a fit).
    search=("C", "gamma"),
    card_note=_SVM_CARD_NOTE,
    slow_note=N_("kernel SVMs grow with the square of the rows"),
    faster=("linear_svm", N_("Switch to the linear SVM")),
)

LINEAR_SVM = ModelSpec(
    key="linear_svm",
    name=N_("Linear SVM (large data)"),
    family="svm",
    estimators={C: LinearSVC, R: LinearSVR},
    params=(
        replace(
            C_PENALTY,
            effect=N_(
                "Larger C fits the training rows harder: the margins (dashed lines) move "
                "closer to the boundary and the weights grow."
            ),
        ),
        replace(
            EPSILON,
            default=0.0,
            help=N_("Errors smaller than ε (in target standard deviations) cost nothing."),
            effect=N_("Errors inside ± ε cost nothing: a wider ε lets the line ignore more rows."),
        ),
        CLASS_WEIGHT,
        replace(MAX_ITER, low=500, step=500),
    ),
    summary=N_("A maximum-margin straight boundary, fast on hundreds of thousands of rows."),
    explanation=N_(
        "The linear SVM solves the same widest-margin problem as the kernel SVM but only with "
        "a straight boundary w·x + b = 0, using a solver (liblinear) whose time grows linearly "
        "with the rows. Errors are squared (squared hinge; for regression the squared "
        "ε-insensitive loss), which keeps the solver fast and convergent. Use it when the data "
        "is large or the classes are roughly separable by a plane."
    ),
    fixed={"dual": "auto"},
    # The squared ε-insensitive loss (like LinearSVC's squared hinge) lets liblinear solve the
    # primal: the plain ε-insensitive loss needs the dual solver, which stopped at 2,000
    # iterations without converging on 2,000 noisy rows (0.02 s) where this takes 3 (0.001 s).
    fixed_for={R: {"loss": "squared_epsilon_insensitive"}},
    scale_target=True,
    seconds_per_unit=2e-8,
    model_view="dual",
    formula=r"f(x) = w \cdot x + b,\quad \min_{w,b} \tfrac12 \lVert w \rVert^2 + "
    r"C \sum_i \max(0, 1 - y_i f(x_i))",
    margins=True,
    search=("C",),
    card_note=_SVM_CARD_NOTE,
)
