"""The arithmetic of one tree split, as a textbook writes it.

A split's gain is the parent's impurity minus the children's impurities weighted by their share
of the parent's rows: IG(D, a) = H(D) − Σ_v |D_v|/|D| · H(D_v). With entropy (scikit-learn
measures it in bits, log₂) that is the information gain; with Gini it is the Gini decrease; for
regression with squared error it is the variance reduction. ``feature_importances_`` instead
sums N_t/N · gain per feature and normalises the total to 1: that is each split's *share of
importance*, a different number. :func:`mllib.explain.tree_table` holds both per node; this
module names them and fills in the formula for one node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mllib.i18n import N_
from mllib.vocab import data_number


@dataclass(frozen=True)
class Criterion:
    """How a scikit-learn split criterion reads in words: what a node's impurity is called,
    what its decrease is called, its unit and the formula of the impurity."""

    impurity: str
    gain: str
    unit: str
    formula: str

    @property
    def box_impurity(self) -> str:
        """The impurity's name in a diagram box, where every character widens the tree."""
        return {"Gini impurity": "Gini", "mean absolute deviation": "MAD"}.get(
            self.impurity, self.impurity.split()[-1]
        )

    @property
    def box_gain(self) -> str:
        """The gain's name in a diagram box, under the impurity ("reduction 2,013")."""
        return self.gain.split()[-1]


CRITERIA: dict[str, Criterion] = {
    "gini": Criterion(N_("Gini impurity"), N_("Gini decrease"), "", r"G(D) = 1 - \sum_k p_k^2"),
    "entropy": Criterion(
        N_("entropy"), N_("information gain"), N_("bits"), r"H(D) = -\sum_k p_k \log_2 p_k"
    ),
    "log_loss": Criterion(
        N_("entropy"), N_("information gain"), N_("bits"), r"H(D) = -\sum_k p_k \log_2 p_k"
    ),
    "squared_error": Criterion(
        N_("variance"),
        N_("variance reduction"),
        "",
        r"\operatorname{Var}(D) = \tfrac{1}{|D|} \sum_{i \in D} (y_i - \bar y_D)^2",
    ),
    "friedman_mse": Criterion(
        N_("variance"),
        N_("variance reduction"),
        "",
        r"\operatorname{Var}(D) = \tfrac{1}{|D|} \sum_{i \in D} (y_i - \bar y_D)^2",
    ),
    "absolute_error": Criterion(
        N_("mean absolute deviation"),
        N_("absolute error reduction"),
        "",
        r"\operatorname{MAD}(D) = \tfrac{1}{|D|} \sum_{i \in D} |y_i - \operatorname{median}_D|",
    ),
    "poisson": Criterion(
        N_("Poisson deviance"),
        N_("deviance reduction"),
        "",
        r"\tfrac{1}{|D|} \sum_{i \in D} \big(y_i \ln \tfrac{y_i}{\bar y_D} - y_i + \bar y_D\big)",
    ),
}


def criterion(name: str) -> Criterion:
    """The words for scikit-learn's ``criterion`` value (unknown ones keep their own name)."""
    return CRITERIA.get(name, Criterion(name, f"{name} decrease", "", ""))


def impurity_decrease(
    impurity: np.ndarray,
    weights: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """Per node: I(t) − N_L/N_t · I(L) − N_R/N_t · I(R) (0 for leaves), from ``tree_`` arrays."""
    gain = np.zeros(len(impurity))
    inner = np.flatnonzero(left != -1)
    l_idx, r_idx = left[inner], right[inner]
    gain[inner] = (
        impurity[inner]
        - weights[l_idx] / weights[inner] * impurity[l_idx]
        - weights[r_idx] / weights[inner] * impurity[r_idx]
    )
    return gain


def share_of_importance(
    gain: NDArray[np.float64], weights: NDArray[np.float64]
) -> NDArray[np.float64]:
    """N_t/N · gain normalised to sum to 1: per feature, these add up to
    ``feature_importances_``."""
    weighted: NDArray[np.float64] = gain * weights / weights[0]
    total = weighted.sum()
    return weighted / total if total > 0 else weighted


def split_table(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """One row per split of a :func:`~mllib.explain.tree_table`: the question, the parent's and
    children's impurities and rows, the gain and its share of importance."""
    words = criterion(name)
    inner = table[~table["leaf"]]
    left = table.loc[inner["left"].to_numpy()]
    right = table.loc[inner["right"].to_numpy()]
    gain_label = words.gain + (f" ({words.unit})" if words.unit else "")
    return pd.DataFrame(
        {
            N_("node"): inner["node"].to_numpy(),
            N_("question"): [question(row) for row in inner.itertuples(index=False)],
            N_("rows"): inner["samples"].to_numpy(),
            f"{words.impurity}": inner["impurity"].to_numpy(),
            N_("rows yes"): np.where(inner["one_hot"], right["samples"], left["samples"]),
            f"{words.impurity} yes": np.where(
                inner["one_hot"], right["impurity"], left["impurity"]
            ),
            N_("rows no"): np.where(inner["one_hot"], left["samples"], right["samples"]),
            f"{words.impurity} no": np.where(inner["one_hot"], left["impurity"], right["impurity"]),
            gain_label: inner["gain"].to_numpy(),
            N_("share of importance"): inner["share"].to_numpy(),
        }
    )


def question(row: Any) -> str:
    """The node's question in words (one-hot columns ask about the category)."""
    if row.one_hot:
        category = N_("a rare category") if row.category == "infrequent_sklearn" else row.category
        return f"{row.source} = {category}?"
    return f"{row.feature} ≤ {data_number(float(row.threshold))}?"


@dataclass(frozen=True)
class SplitNumbers:
    """One split's gain, the numbers that produce it, and (classes) each node's class counts."""

    node: int
    parent: float
    left: float
    right: float
    n: float
    n_left: float
    n_right: float
    gain: float
    counts: tuple[tuple[float, ...], ...] = ()  # parent, left, right (classification only)
    yes_is_left: bool = True  # "x ≤ t?" sends yes left; "column = category?" sends yes right


def _node(table: pd.DataFrame, node: int) -> pd.Series:
    row = table.loc[node]
    if not isinstance(row, pd.Series):  # node ids are the table's unique index
        raise ValueError(f"node {node} is not one row of the tree table")
    return row


def split_numbers(table: pd.DataFrame, node: int) -> SplitNumbers:
    """The numbers of one split of a :func:`~mllib.explain.tree_table`, by node id."""
    row = _node(table, node)
    if row["leaf"]:
        raise ValueError(f"node {node} is a leaf: it has no split")
    left, right = _node(table, int(row["left"])), _node(table, int(row["right"]))
    counts: tuple[tuple[float, ...], ...] = ()
    if "counts" in table.columns:
        counts = tuple(tuple(float(c) for c in r["counts"]) for r in (row, left, right))
    return SplitNumbers(
        node,
        float(row["impurity"]),
        float(left["impurity"]),
        float(right["impurity"]),
        float(row["weighted_samples"]),
        float(left["weighted_samples"]),
        float(right["weighted_samples"]),
        float(row["gain"]),
        counts,
        not bool(row["one_hot"]),
    )
