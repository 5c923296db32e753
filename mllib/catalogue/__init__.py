"""Every algorithm Glassbox offers, declared once as data.

A :class:`ModelSpec` names the estimator for each task and its hyperparameters as
:class:`Param` records (range, default, scale, help, when it applies). Pages render widgets from
these records and the training code builds estimators from them, so adding an algorithm means
adding one spec here. ``tests/test_catalogue.py`` holds every spec against scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mllib.profile import Task

Kind = Literal["int", "float", "choice", "bool"]
R, C = Task.REGRESSION, Task.CLASSIFICATION
BOTH = frozenset({R, C})


@dataclass(frozen=True)
class Param:
    """One hyperparameter, described well enough to draw its widget and validate its value.

    ``choices`` are ``(label, value)`` pairs. ``specials`` are extra ``(label, value)`` options
    around a numeric range, e.g. ``("unlimited", None)`` for ``max_depth``. ``when`` maps another
    parameter's name to the values under which this one matters (``degree`` only for ``poly``).
    A parameter several algorithms share (``C``, ``alpha``, ``class_weight``) is declared once
    below and specialised with :func:`dataclasses.replace` where its wording differs.
    """

    name: str
    label: str
    kind: Kind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    specials: tuple[tuple[str, Any], ...] = ()
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    tasks: frozenset[Task] = BOTH
    # The number a text special stands for, from facts about the model's input ("columns":
    # input columns after preprocessing), so a slider can place it where it belongs.
    special_values: Callable[[Mapping[str, float]], Mapping[Any, float]] | None = None
    # What changing it does to the pictures on the "See the model" page ("How it works").
    effect: str = ""

    def options(self, facts: Mapping[str, float] | None = None) -> list[Any]:
        """Every value the widget offers, in order (numeric grids include the specials).

        Text specials come first unless ``facts`` let :attr:`special_values` place them
        among the numbers: a slider must grow monotonically (γ "auto" is about 1/columns, so
        it sits between 0.2 and 0.5 for four columns, not before 0.0001).
        """
        if self.kind == "choice":
            return [value for _, value in self.choices]
        if self.kind == "bool":
            return [False, True]
        assert self.low is not None and self.high is not None
        if self.log:
            grid = log_grid(self.low, self.high)
        elif self.kind == "int":
            step = int(self.step or 1)
            grid = list(range(int(self.low), int(self.high) + 1, step))
        else:
            step = self.step or (self.high - self.low) / 100
            count = round((self.high - self.low) / step)
            grid = [round(self.low + i * step, 10) for i in range(count + 1)]
        specials = [value for _, value in self.specials]
        texts = [v for v in specials if isinstance(v, str)]
        rest = [v for v in specials if not isinstance(v, str)]
        if facts is None or self.special_values is None or not texts:
            return texts + grid + rest
        numbers = self.special_values(facts)
        placed: list[Any] = list(grid)
        for text in texts:
            value = numbers.get(text)
            at = (
                0
                if value is None
                else sum(1 for v in placed if isinstance(v, float | int) and v <= value)
            )
            placed.insert(at, text)
        return placed + rest

    def label_of(self, value: Any) -> str:
        for label, v in (*self.choices, *self.specials):
            if v == value and type(v) is type(value):
                return label
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def applies(self, task: Task, values: Mapping[str, Any]) -> bool:
        if task not in self.tasks:
            return False
        return all(values.get(other) in allowed for other, allowed in self.when.items())

    def validate(self, value: Any) -> Any:
        """Return ``value`` if allowed, else raise ``ValueError`` naming the range."""
        if any(value == v and type(value) is type(v) for _, v in self.specials):
            return value
        if self.kind == "choice":
            if value not in self.options():
                raise ValueError(f"{self.label} must be one of {self.options()}, not {value!r}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.label} must be true or false, not {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValueError(f"{self.label} must be a number, not {value!r}")
        assert self.low is not None and self.high is not None
        if not self.low <= value <= self.high:
            raise ValueError(f"{self.label} must be between {self.low:g} and {self.high:g}")
        if self.kind == "int" and not float(value).is_integer():
            raise ValueError(f"{self.label} must be a whole number, not {value!r}")
        return int(value) if self.kind == "int" else float(value)


def log_grid(low: float, high: float) -> list[float]:
    """1-2-5 steps per decade: a slider that spans decades without losing resolution."""
    values = []
    exponent = math.floor(math.log10(low))
    while True:
        for mantissa in (1, 2, 5):
            value = float(f"{mantissa}e{exponent}")
            if value > high * (1 + 1e-9):
                return values
            if value >= low * (1 - 1e-9):
                values.append(value)
        exponent += 1


@dataclass(frozen=True)
class ModelSpec:
    """One algorithm: its estimators per task, hyperparameters, a plain-language story, and
    every per-algorithm fact the pages, the search and the export need (adding an algorithm is
    adding one spec)."""

    key: str
    name: str
    family: Literal["linear", "tree", "svm"]
    estimators: Mapping[Task, type[BaseEstimator]]
    params: tuple[Param, ...]
    summary: str
    explanation: str
    scale: bool = True
    dense: bool = False
    scale_target: bool = False
    fixed: Mapping[str, Any] = field(default_factory=dict)
    fixed_for: Mapping[Task, Mapping[str, Any]] = field(default_factory=dict)  # per task
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    seconds_per_unit: float = 1e-8
    cost_exponent: float = 1.0
    # What statistical inference the fitted weights support: "ols" (standard errors, t, p),
    # "penalised" (none: the penalty biases the weights; the page says why), or None.
    inference: Literal["ols", "penalised"] | None = None
    # --- what the pages show, so that no page or engine module branches on an algorithm's key:
    # The "Model" tab: the weights and equation, the tree diagram, or the SVM's dual form (which
    # draws the boundary or curve itself, so SVMs get no separate boundary tab).
    model_view: Literal["weights", "diagram", "dual"] = "weights"
    formula: str = ""  # LaTeX on the "How it works" tab
    # What a classifier's linear score w·x + b is: the log-odds of a class or a margin score.
    output_kind: Literal["log-odds", "score"] = "score"
    margins: bool = False  # ±1 margins on the boundary map, the ε-tube on a one-feature curve
    straight_line: bool = False  # a regression y = w·x + b: the one-feature view writes it out
    gain_importance: bool = False  # impurity-decrease importances (a tree's own ranking)
    # The caption's last sentence when the Ridge/Lasso-style coefficient path is drawn.
    coefficient_path: str = ""
    search: tuple[str, ...] = ()  # parameters a search varies unless the user picks others
    card_note: str = ""  # a classifier's caveat about its scores, for the model card
    slow_note: str = ""  # why a fit on many rows is slow, added to the Train page's warning
    # A faster algorithm to offer when this one would be slow: (key, button label).
    faster: tuple[str, str] | None = None

    @property
    def tasks(self) -> frozenset[Task]:
        return frozenset(self.estimators)

    def params_for(self, task: Task) -> tuple[Param, ...]:
        return tuple(p for p in self.params if task in p.tasks)

    def defaults(self, task: Task) -> dict[str, Any]:
        return {p.name: p.default for p in self.params_for(task)}

    def clean(self, task: Task, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validated values for ``task``: defaults filled in, inapplicable ones dropped."""
        merged = {**self.defaults(task), **{k: v for k, v in values.items()}}
        unknown = set(values) - {p.name for p in self.params_for(task)}
        if unknown:
            raise ValueError(f"{self.name} has no parameter(s) {', '.join(sorted(unknown))}")
        return {
            p.name: p.validate(merged[p.name])
            for p in self.params_for(task)
            if p.applies(task, merged)
        }

    def describe_settings(self, task: Task, values: Mapping[str, Any]) -> str:
        """The settings that differ from the defaults, as people read them
        (``"C = 10, kernel = sigmoid"``), or ``"defaults"``: what a leaderboard row used."""
        defaults = self.defaults(task)
        changed = [
            f"{p.label} = {p.label_of(values[p.name])}"
            for p in self.params_for(task)
            if p.name in values
            and not (
                values[p.name] == defaults[p.name]
                and type(values[p.name]) is type(defaults[p.name])
            )
        ]
        return ", ".join(changed) or "defaults"

    def build(self, task: Task, values: Mapping[str, Any], seed: int = 0) -> BaseEstimator:
        if task not in self.estimators:
            raise ValueError(f"{self.name} does not do {task.value}")
        kwargs = {**self.fixed, **self.fixed_for.get(task, {}), **self.clean(task, values)}
        if self.resolve is not None:
            kwargs = self.resolve(kwargs)
        cls = self.estimators[task]
        accepted = cls().get_params()
        if "random_state" in accepted:
            kwargs["random_state"] = seed
        estimator = cls(**{k: v for k, v in kwargs.items() if k in accepted})
        if self.scale_target and task == Task.REGRESSION:
            # ε and C are relative to the target's scale; standardising y makes the slider
            # ranges mean the same on every dataset. Predictions come back in real units.
            return TransformedTargetRegressor(regressor=estimator, transformer=StandardScaler())
        return estimator

    def estimate_seconds(self, n_rows: int, n_columns: int) -> float:
        """A rough fit time on this machine kind, to warn before a slow fit (see bench/)."""
        return self.seconds_per_unit * (n_rows**self.cost_exponent) * max(n_columns, 1)


# --- parameters several algorithms share, declared once ---------------------------------------

_SOLVER_NOTE = (
    "Changes the picture only when the solver stopped early (a warning on the Train page)."
)
ALPHA = Param(
    "alpha",
    "Regularisation strength α",
    "float",
    1.0,
    "Larger α shrinks the weights.",
    low=1e-4,
    high=1e3,
    log=True,
)
C_PENALTY = Param(
    "C",
    "C (penalty for errors)",
    "float",
    1.0,
    "Large C: fewer training errors, narrower margin.",
    low=1e-3,
    high=1e3,
    log=True,
)
CLASS_WEIGHT = Param(
    "class_weight",
    "Class weights",
    "choice",
    None,
    "“balanced” gives rare classes as much total weight as common ones.",
    choices=(("equal", None), ("balanced", "balanced")),
    tasks=frozenset({C}),
    effect="“balanced” moves the boundary into the common class's territory, so the rare "
    "class's coloured region grows; its recall in the confusion matrix rises.",
)
EPSILON = Param(
    "epsilon",
    "ε (tube width)",
    "float",
    0.1,
    "Errors smaller than ε (in standard deviations of the target) cost nothing: a wider tube, "
    "fewer support vectors.",
    low=0.0,
    high=2.0,
    step=0.05,
    tasks=frozenset({R}),
)


# --- the catalogue ------------------------------------------------------------------------------

LINEAR = ModelSpec(
    key="linear",
    name="Linear regression",
    family="linear",
    estimators={R: LinearRegression},
    params=(
        Param(
            "fit_intercept",
            "Fit an intercept b",
            "bool",
            True,
            "Off forces the line through the origin (y = 0 when every x = 0).",
            effect="Off forces the line (or plane) through the origin: on the one-feature chart "
            "it pivots about (0, 0) and the equation loses its constant b.",
        ),
    ),
    summary="A straight line (or flat plane) through the data: y = w·x + b.",
    explanation=(
        "Ordinary least squares picks the weights **w** and intercept **b** that make the sum of "
        "squared residuals (actual − predicted)² as small as possible. Each weight says how much "
        "the prediction moves when that feature grows by one unit, others held fixed. It has no "
        "knobs to tune: what you see is the single best straight fit."
    ),
    scale=False,
    seconds_per_unit=2e-9,
    inference="ols",
    formula=r"\hat y = b + w_1 x_1 + \dots + w_p x_p,\quad \min_{w,b} \sum_i (y_i - \hat y_i)^2",
    straight_line=True,
    search=("fit_intercept",),
)

RIDGE = ModelSpec(
    key="ridge",
    name="Ridge regression",
    family="linear",
    estimators={R: Ridge},
    params=(
        replace(
            ALPHA,
            help="Larger α shrinks all weights towards zero: a smoother, less over-fitted model.",
            effect="Raise α and every bar in the weight chart shrinks towards zero, none exactly "
            "to it; on the coefficient path the dashed marker moves right, where all the lines "
            "flatten towards 0.",
        ),
    ),
    summary="Least squares plus a penalty α·Σw² that shrinks every weight.",
    explanation=(
        "Ridge minimises squared error **plus α times the sum of squared weights**. Features are "
        "standardised first so the penalty treats them fairly. Small α ≈ plain least squares; "
        "large α pulls all weights towards zero (but never exactly to zero), trading a little "
        "bias for much less variance when features are many or correlated."
    ),
    seconds_per_unit=3e-9,
    inference="penalised",
    formula=r"\min_{w,b} \sum_i (y_i - \hat y_i)^2 + \alpha \sum_j w_j^2",
    straight_line=True,
    coefficient_path="Ridge weights shrink but never reach zero.",
    search=("alpha",),
)

LASSO = ModelSpec(
    key="lasso",
    name="Lasso regression",
    family="linear",
    estimators={R: Lasso},
    params=(
        replace(
            ALPHA,
            default=0.1,
            help="Larger α sets more weights exactly to zero: a sparser model.",
            effect="Raise α and weights reach exactly zero one after another: on the coefficient "
            "path the lines join the zero axis and the equation loses terms.",
        ),
        Param(
            "max_iter",
            "Max iterations",
            "int",
            2000,
            "More iterations let the solver converge when α is tiny.",
            low=100,
            high=20000,
            step=100,
            effect=_SOLVER_NOTE,
        ),
    ),
    summary="Least squares plus a penalty α·Σ|w| that switches features off.",
    explanation=(
        "Lasso minimises squared error **plus α times the sum of absolute weights**. The "
        "absolute-value penalty drives some weights exactly to zero, so Lasso also selects "
        "features. Raise α and watch coefficients drop out one by one in the coefficient path."
    ),
    seconds_per_unit=2e-8,
    inference="penalised",
    formula=r"\min_{w,b} \tfrac{1}{2n}\sum_i (y_i - \hat y_i)^2 + \alpha \sum_j |w_j|",
    straight_line=True,
    coefficient_path="Lasso weights reach exactly zero.",
    search=("alpha",),
)


def _logistic_solver(kwargs: dict[str, Any]) -> dict[str, Any]:
    # lbfgs is fastest for L2 but cannot do L1; saga can (features are standardised).
    return {**kwargs, "solver": "saga" if kwargs.get("l1_ratio", 0) > 0 else "lbfgs"}


LOGISTIC = ModelSpec(
    key="logistic",
    name="Logistic regression",
    family="linear",
    estimators={C: LogisticRegression},
    params=(
        replace(
            C_PENALTY,
            label="Inverse regularisation C",
            help="Smaller C = stronger penalty = simpler boundary; larger C fits the "
            "training data more closely.",
            effect="Smaller C shrinks the weights: the probability curve flattens and the "
            "boundary map fades (the model is less sure everywhere). Larger C makes the change "
            "from one class to the other sharp.",
        ),
        Param(
            "l1_ratio",
            "Penalty",
            "choice",
            0.0,
            "L2 shrinks all weights; L1 can set weights exactly to zero (feature selection).",
            choices=(("L2 (shrink all)", 0.0), ("L1 (sparse)", 1.0)),
            effect="L1 sets some weights to exactly zero: those bars vanish from the weight "
            "chart and those terms from the equation.",
        ),
        CLASS_WEIGHT,
        Param(
            "max_iter",
            "Max iterations",
            "int",
            1000,
            "More iterations help the solver converge for large C or L1.",
            low=100,
            high=10000,
            step=100,
            effect=_SOLVER_NOTE,
        ),
    ),
    summary="A linear score w·x + b turned into a probability by the sigmoid 1/(1+e^−z).",
    explanation=(
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

_CRITERION_EFFECT = (
    "Changes which question each node asks; the impurity in each box switches between Gini, "
    "entropy or error, and the gains are measured in that unit."
)

TREE = ModelSpec(
    key="tree",
    name="Decision tree",
    family="tree",
    estimators={C: DecisionTreeClassifier, R: DecisionTreeRegressor},
    params=(
        Param(
            "criterion",
            "Split criterion",
            "choice",
            "gini",
            "How a split's quality is measured: Gini impurity, or entropy / log-loss, whose "
            "decrease is the information gain.",
            choices=(
                ("Gini impurity", "gini"),
                ("Entropy (information gain)", "entropy"),
                ("Log loss", "log_loss"),
            ),
            tasks=frozenset({C}),
            effect=_CRITERION_EFFECT,
        ),
        Param(
            "criterion",
            "Split criterion",
            "choice",
            "squared_error",
            "Squared error splits to reduce variance; absolute error is robust to outliers "
            "but much slower; Poisson suits counts (the target must not be negative).",
            # No "friedman_mse": scikit-learn 1.9 deprecated it as identical to squared error.
            choices=(
                ("Squared error", "squared_error"),
                ("Absolute error", "absolute_error"),
                ("Poisson", "poisson"),
            ),
            tasks=frozenset({R}),
            effect=_CRITERION_EFFECT,
        ),
        Param(
            "max_depth",
            "Max depth",
            "int",
            5,
            "How many questions deep the tree may go. Deeper trees fit more detail, and "
            "more noise.",
            low=1,
            high=30,
            specials=(("unlimited", None),),
            effect="The number of levels in the diagram. On the boundary map every extra level "
            "can split a rectangle in two: more, smaller boxes.",
        ),
        Param(
            "min_samples_split",
            "Min samples to split",
            "int",
            2,
            "A node with fewer rows than this becomes a leaf.",
            low=2,
            high=200,
            effect="A node with fewer samples stays a leaf: fewer, larger boxes in the diagram "
            "and on the boundary map.",
        ),
        Param(
            "min_samples_leaf",
            "Min samples per leaf",
            "int",
            1,
            "Every leaf keeps at least this many rows: larger values smooth the model.",
            low=1,
            high=100,
            effect="Every leaf in the diagram keeps at least this many samples, so the boundary "
            "map has no tiny islands around single rows.",
        ),
        Param(
            "max_features",
            "Features tried per split",
            "choice",
            None,
            "Trying fewer features at each split adds randomness and speed.",
            choices=(("all", None), ("√n", "sqrt"), ("log₂ n", "log2")),
            effect="Each node looks at a random subset of features, so the questions in the "
            "diagram change with the seed.",
        ),
        Param(
            "ccp_alpha",
            "Pruning α (cost-complexity)",
            "float",
            0.0,
            "Prunes branches whose gain is below α after growing: larger α, smaller tree.",
            low=0.0,
            high=0.05,
            step=0.001,
            effect="Branches whose information gain is worth less than α are pruned: the "
            "diagram loses its low-gain bottom splits.",
        ),
    ),
    summary="A flowchart of yes/no questions, each chosen for the largest impurity decrease.",
    explanation=(
        "A decision tree asks one question per node (“is petal_length ≤ 2.45?”). At each node "
        "it tries every feature and threshold and keeps the split with the largest **information "
        "gain**: the parent's impurity minus the weighted impurity of its two children (Gini or "
        "entropy for classes, squared error for numbers). Leaves predict the majority class or "
        "the mean. Depth and leaf-size limits stop it from memorising noise."
    ),
    scale=False,
    dense=True,
    seconds_per_unit=3e-7,
    model_view="diagram",
    formula=r"\text{gain}(t) = \frac{N_t}{N}\Big(I(t) - \frac{N_L}{N_t} I(L) - "
    r"\frac{N_R}{N_t} I(R)\Big),\quad I_{\text{gini}} = 1 - \sum_k p_k^2",
    gain_importance=True,
    search=("max_depth", "min_samples_leaf", "criterion"),
    card_note="Tree probabilities are leaf class shares: coarse and not calibrated.",
)

_KERNELS = (
    ("RBF (Gaussian)", "rbf"),
    ("linear", "linear"),
    ("polynomial", "poly"),
    ("sigmoid", "sigmoid"),
)
_SVM_CARD_NOTE = "This SVM gives decision scores, not probabilities."

SVM = ModelSpec(
    key="svm",
    name="Support vector machine",
    family="svm",
    estimators={C: SVC, R: SVR},
    params=(
        Param(
            "kernel",
            "Kernel",
            "choice",
            "rbf",
            "The similarity measure: linear draws a straight boundary; RBF and polynomial bend it.",
            choices=_KERNELS,
            effect="Linear draws a straight boundary with parallel margins; RBF and polynomial "
            "kernels bend them around the data.",
        ),
        replace(
            C_PENALTY,
            help="Large C: few training errors, narrow margin, risk of over-fitting. Small C: "
            "wide margin, more errors tolerated.",
            effect="Larger C narrows the margins (the dashed lines move in), rings fewer support "
            "vectors and lets the boundary wiggle; smaller C widens the margins and rings more.",
        ),
        Param(
            "gamma",
            "γ (kernel width)",
            "float",
            "scale",
            "How far one training point's influence reaches: large γ = very local, wiggly "
            "boundary. “auto” uses 1 / (input columns × their variance), about 1 / columns "
            "since features are standardised; the slider places it there.",
            low=1e-4,
            high=1e2,
            log=True,
            specials=(("auto", "scale"),),
            special_values=lambda facts: {"scale": 1.0 / max(facts.get("columns", 1.0), 1.0)},
            when={"kernel": ("rbf", "poly", "sigmoid")},
            effect="Larger γ makes each support vector's influence local: the boundary wraps "
            "tightly around clusters and islands appear. Smaller γ smooths it.",
        ),
        Param(
            "degree",
            "Polynomial degree",
            "int",
            3,
            "The power of the polynomial kernel.",
            low=2,
            high=6,
            when={"kernel": ("poly",)},
            effect="A higher degree lets the polynomial boundary bend more times.",
        ),
        replace(
            EPSILON,
            effect="Widens the shaded ε-tube around the fitted curve; rows inside it are not "
            "support vectors, so fewer are ringed.",
        ),
        CLASS_WEIGHT,
    ),
    summary="The widest possible margin between classes, bent by a kernel.",
    explanation=(
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
    slow_note="kernel SVMs grow with the square of the rows",
    faster=("linear_svm", "Switch to the linear SVM"),
)

LINEAR_SVM = ModelSpec(
    key="linear_svm",
    name="Linear SVM (large data)",
    family="svm",
    estimators={C: LinearSVC, R: LinearSVR},
    params=(
        replace(
            C_PENALTY,
            effect="Larger C fits the training rows harder: the margins (dashed lines) move "
            "closer to the boundary and the weights grow.",
        ),
        replace(
            EPSILON,
            default=0.0,
            help="Errors smaller than ε (in target standard deviations) cost nothing.",
            effect="Errors inside ± ε cost nothing: a wider ε lets the line ignore more rows.",
        ),
        CLASS_WEIGHT,
        Param(
            "max_iter",
            "Max iterations",
            "int",
            2000,
            "Raise it if the solver reports that it did not converge.",
            low=500,
            high=20000,
            step=500,
            effect=_SOLVER_NOTE,
        ),
    ),
    summary="A maximum-margin straight boundary, fast on hundreds of thousands of rows.",
    explanation=(
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

CATALOGUE: dict[str, ModelSpec] = {
    spec.key: spec for spec in (LINEAR, RIDGE, LASSO, LOGISTIC, TREE, SVM, LINEAR_SVM)
}


def specs_for(task: Task) -> list[ModelSpec]:
    return [spec for spec in CATALOGUE.values() if task in spec.tasks]


def get_spec(key: str) -> ModelSpec:
    try:
        return CATALOGUE[key]
    except KeyError:
        raise KeyError(f"No algorithm called {key!r}; known: {', '.join(CATALOGUE)}") from None
