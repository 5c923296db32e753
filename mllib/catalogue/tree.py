"""The decision tree."""

from __future__ import annotations

from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mllib.catalogue.params import (
    C,
    Param,
    R,
)
from mllib.catalogue.spec import ModelSpec
from mllib.i18n import N_

_CRITERION_EFFECT = N_(
    "Changes which question each node asks; the impurity in each box switches between Gini, "
    "entropy or error, and the gains are measured in that unit."
)

TREE = ModelSpec(
    key="tree",
    name=N_("Decision tree"),
    family="tree",
    estimators={C: DecisionTreeClassifier, R: DecisionTreeRegressor},
    params=(
        Param(
            "criterion",
            N_("Split criterion"),
            "choice",
            "gini",
            N_(
                "How a split's quality is measured: Gini impurity, or entropy / log-loss, whose "
                "decrease is the information gain."
            ),
            choices=(
                (N_("Gini impurity"), "gini"),
                (N_("Entropy (information gain)"), "entropy"),
                (N_("Log loss"), "log_loss"),
            ),
            tasks=frozenset({C}),
            effect=_CRITERION_EFFECT,
        ),
        Param(
            "criterion",
            N_("Split criterion"),
            "choice",
            "squared_error",
            N_(
                "Squared error splits to reduce variance; absolute error is robust to outliers "
                "but much slower; Poisson suits counts (the target must not be negative)."
            ),
            # No "friedman_mse": scikit-learn 1.9 deprecated it as identical to squared error.
            choices=(
                (N_("Squared error"), "squared_error"),
                (N_("Absolute error"), "absolute_error"),
                (N_("Poisson"), "poisson"),
            ),
            tasks=frozenset({R}),
            effect=_CRITERION_EFFECT,
        ),
        Param(
            "max_depth",
            N_("Max depth"),
            "int",
            5,
            N_(
                "How many questions deep the tree may go. Deeper trees fit more detail, and "
                "more noise."
            ),
            low=1,
            high=30,
            specials=((N_("unlimited"), None),),
            effect=N_(
                "The number of levels in the diagram. On the boundary map every extra level "
                "can split a rectangle in two: more, smaller boxes."
            ),
        ),
        Param(
            "min_samples_split",
            N_("Min samples to split"),
            "int",
            2,
            N_("A node with fewer rows than this becomes a leaf."),
            low=2,
            high=200,
            effect=N_(
                "A node with fewer samples stays a leaf: fewer, larger boxes in the diagram "
                "and on the boundary map."
            ),
        ),
        Param(
            "min_samples_leaf",
            N_("Min samples per leaf"),
            "int",
            1,
            N_("Every leaf keeps at least this many rows: larger values smooth the model."),
            low=1,
            high=100,
            effect=N_(
                "Every leaf in the diagram keeps at least this many samples, so the boundary "
                "map has no tiny islands around single rows."
            ),
        ),
        Param(
            "max_features",
            N_("Features tried per split"),
            "choice",
            None,
            N_("Trying fewer features at each split adds randomness and speed."),
            choices=((N_("all"), None), ("√n", "sqrt"), ("log₂ n", "log2")),
            effect=N_(
                "Each node looks at a random subset of features, so the questions in the "
                "diagram change with the seed."
            ),
        ),
        Param(
            "ccp_alpha",
            N_("Pruning α (cost-complexity)"),
            "float",
            0.0,
            N_("Prunes branches whose gain is below α after growing: larger α, smaller tree."),
            low=0.0,
            high=0.05,
            step=0.001,
            effect=N_(
                "Branches whose information gain is worth less than α are pruned: the "
                "diagram loses its low-gain bottom splits."
            ),
        ),
    ),
    summary=N_("A flowchart of yes/no questions, each chosen for the largest impurity decrease."),
    explanation=N_(
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
    card_note=N_("Tree probabilities are leaf class shares: coarse and not calibrated."),
)
