"""The SVM's dual form, with the model's own numbers: f(x) = Σ αᵢ yᵢ K(xᵢ, x) + b.

A kernel SVM stores its support vectors xᵢ, the products αᵢ yᵢ (``dual_coef_``) and b
(``intercept_``); nothing else. This module reads them back as tables a person can check:
which training rows are support vectors, their αᵢ and class yᵢ ∈ {−1, +1}, whether each sits on
the margin (0 < αᵢ < C) or inside it / on the wrong side (αᵢ = C); for the linear kernel
w = Σ αᵢ yᵢ xᵢ and the margin width 2/‖w‖; and one row's decision value written out term by
term. Everything is in the space the SVM works in: the rows *after* Glassbox's preprocessing
(numeric features standardised to mean 0 and SD 1, categories one-hot), so xᵢ are scaled values,
not the numbers in the table you loaded. With more than two classes scikit-learn trains one SVM
per pair of classes (one-vs-one); the tables describe one chosen pair.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import (
    linear_kernel,
    polynomial_kernel,
    rbf_kernel,
    sigmoid_kernel,
)

from mllib.errors import GlassboxError
from mllib.i18n import N_, Translator, msg, translator
from mllib.training import TrainedModel
from mllib.vocab import Task

# αᵢ within this fraction of its bound C counts as "at the bound" (libsvm stops at tolerance 1e-3).
BOUND_TOLERANCE = 1e-6
#: Where a support vector sits (the ``where`` column; translated where it is shown).
ON_TUBE_EDGE, OUTSIDE_TUBE = N_("on the tube's edge"), N_("outside the ε-tube")
ON_MARGIN = N_("on the margin (0 < αᵢ < C)")
INSIDE_MARGIN, WRONG_SIDE = N_("inside the margin (αᵢ = C)"), N_("wrong side (αᵢ = C)")
PLACES = (ON_TUBE_EDGE, OUTSIDE_TUBE, ON_MARGIN, INSIDE_MARGIN, WRONG_SIDE)
#: Column names of the support-vector tables that are words (translated where shown).
WORDS = (N_("training row"), N_("class"), N_("where"), N_("input (scaled)"))
SCALED = N_("{feature} (scaled)")


def has_dual(model: TrainedModel) -> bool:
    """True for kernel SVMs (SVC/SVR), which keep support vectors and dual coefficients."""
    return getattr(model.estimator, "dual_coef_", None) is not None


@dataclass(frozen=True)
class DualMachine:
    """One binary machine of a fitted SVC (the only one for two classes), or the SVR.

    ``index``: positions of its support vectors in ``support_vectors_`` (and ``support_``);
    ``coef``: αᵢ yᵢ for each (αᵢ − αᵢ* for regression); ``bound``: C per support vector
    (C × class weight); ``positive``/``negative``: the class f(x) > 0 / < 0 predicts.
    """

    index: np.ndarray
    coef: np.ndarray
    intercept: float
    bound: np.ndarray
    positive: str | None
    negative: str | None
    pair: int  # column of scikit-learn's one-vs-one decision function (0 for two classes)


def class_pairs(model: TrainedModel) -> list[tuple[str, str]]:
    """The pairs of classes with a machine each, in scikit-learn's one-vs-one order."""
    classes = [str(c) for c in model.estimator.classes_]
    return [(a, b) for i, a in enumerate(classes) for b in classes[i + 1 :]]


def machine(model: TrainedModel, pair: tuple[str, str] | None = None) -> DualMachine:
    """The binary machine for ``pair`` (classification with > 2 classes) or the only one."""
    est = model.estimator
    if not has_dual(model):
        raise GlassboxError(msg("Only kernel SVMs keep support vectors and dual coefficients."))
    C = float(est.C)
    if model.task == Task.REGRESSION:
        n = len(est.support_)
        return DualMachine(
            np.arange(n),
            est.dual_coef_[0].copy(),
            float(est.intercept_[0]),
            np.full(n, C),
            None,
            None,
            0,
        )
    classes = [str(c) for c in est.classes_]
    weights = np.asarray(est.class_weight_, dtype=float)
    starts = np.concatenate([[0], np.cumsum(est.n_support_)])
    if len(classes) == 2:
        n = len(est.support_)
        labels = np.repeat([0, 1], est.n_support_)
        # scikit-learn flips the binary machine so that f(x) > 0 means classes_[1].
        return DualMachine(
            np.arange(n),
            est.dual_coef_[0].copy(),
            float(est.intercept_[0]),
            C * weights[labels],
            classes[1],
            classes[0],
            0,
        )
    pairs = class_pairs(model)
    if pair is None:
        pair = pairs[0]
    if pair not in pairs:
        raise GlassboxError(
            msg("No machine for the classes {first} and {second}.", first=pair[0], second=pair[1])
        )
    i, j = classes.index(pair[0]), classes.index(pair[1])
    rows_i = np.arange(starts[i], starts[i + 1])
    rows_j = np.arange(starts[j], starts[j + 1])
    coef = np.concatenate([est.dual_coef_[j - 1, rows_i], est.dual_coef_[i, rows_j]])
    keep = coef != 0  # a vector of class i may support another pair only
    index = np.concatenate([rows_i, rows_j])[keep]
    bound = np.concatenate(
        [np.full(len(rows_i), C * weights[i]), np.full(len(rows_j), C * weights[j])]
    )
    # libsvm's one-vs-one machine for (i, j) says i when f(x) > 0.
    return DualMachine(
        index,
        coef[keep],
        float(est.intercept_[pairs.index(pair)]),
        bound[keep],
        classes[i],
        classes[j],
        pairs.index(pair),
    )


def kernel(model: TrainedModel, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """K(a, b) for every row pair, with the fitted model's kernel and its actual γ."""
    est = model.estimator
    kernel_name = est.kernel
    if kernel_name == "linear":
        return np.asarray(linear_kernel(A, B))
    gamma = float(est._gamma)  # "scale"/"auto" resolved at fit time
    if kernel_name == "rbf":
        return np.asarray(rbf_kernel(A, B, gamma=gamma))
    if kernel_name == "poly":
        return np.asarray(
            polynomial_kernel(A, B, degree=int(est.degree), gamma=gamma, coef0=float(est.coef0))
        )
    if kernel_name == "sigmoid":
        return np.asarray(sigmoid_kernel(A, B, gamma=gamma, coef0=float(est.coef0)))
    raise GlassboxError(msg("The {kernel} kernel cannot be written out.", kernel=kernel_name))


def kernel_formula(model: TrainedModel) -> str:
    """The kernel in LaTeX with its fitted constants."""
    est = model.estimator
    if est.kernel == "linear":
        return r"K(x_i, x) = x_i \cdot x"
    gamma = f"{float(est._gamma):.4g}"
    if est.kernel == "rbf":
        return rf"K(x_i, x) = e^{{-\gamma \lVert x_i - x \rVert^2}},\quad \gamma = {gamma}"
    if est.kernel == "poly":
        return (
            rf"K(x_i, x) = (\gamma\, x_i \cdot x + r)^{{{int(est.degree)}}},\quad "
            rf"\gamma = {gamma},\ r = {float(est.coef0):g}"
        )
    r = f"{float(est.coef0):g}"
    return rf"K(x_i, x) = \tanh(\gamma\, x_i \cdot x + r),\quad \gamma = {gamma},\ r = {r}"


def support_table(model: TrainedModel, m: DualMachine, columns: list[str]) -> pd.DataFrame:
    """One row per support vector of machine ``m``: its training row, class, αᵢ, yᵢ f(xᵢ)
    and where it sits, then its (scaled) input values."""
    est = model.estimator
    X = est.support_vectors_[m.index]
    f = decision_values(model, X, m)  # libsvm's own loop: no n × n kernel matrix in memory
    alpha = np.abs(m.coef)
    at_bound = alpha >= m.bound * (1 - BOUND_TOLERANCE)
    table = pd.DataFrame({"training row": est.support_[m.index]})
    if model.task == Task.REGRESSION:
        table["αᵢ − αᵢ*"] = m.coef
        table["where"] = np.where(at_bound, OUTSIDE_TUBE, ON_TUBE_EDGE)
    else:
        y = np.sign(m.coef)
        labels = np.array([m.negative, m.positive])  # what f(x) < 0 and f(x) > 0 predict
        table["class"] = labels[(y > 0).astype(int)]
        table["yᵢ"] = y.astype(int)
        table["αᵢ"] = alpha
        table["yᵢ f(xᵢ)"] = y * f
        table["where"] = np.select(
            [~at_bound, y * f < 0],
            [ON_MARGIN, WRONG_SIDE],
            INSIDE_MARGIN,
        )
    for k, name in enumerate(columns):
        table[SCALED.format(feature=name)] = X[:, k]
    return table


@dataclass(frozen=True)
class Primal:
    """For the linear kernel: w = Σ αᵢ yᵢ xᵢ, scikit-learn's ``coef_`` and the margin."""

    w: np.ndarray
    coef: np.ndarray
    margin: float


def primal(model: TrainedModel, m: DualMachine) -> Primal:
    """w rebuilt from the support vectors, beside ``coef_``; margin width 2/‖w‖."""
    est = model.estimator
    if est.kernel != "linear":
        raise GlassboxError(msg("Only the linear kernel has a weight vector w."))
    w = m.coef @ est.support_vectors_[m.index]
    coef = np.atleast_2d(np.asarray(est.coef_))[m.pair]
    return Primal(w, coef, float(2 / np.linalg.norm(w)))


@dataclass(frozen=True)
class Expansion:
    """One row's decision value as a sum: terms (support vector, αᵢyᵢ, K, product), b, f."""

    terms: pd.DataFrame
    intercept: float
    value: float
    x: np.ndarray


def expand(model: TrainedModel, m: DualMachine, z: np.ndarray) -> Expansion:
    """f(x) = Σ αᵢ yᵢ K(xᵢ, x) + b for one preprocessed row ``z`` (terms largest first)."""
    est = model.estimator
    k = kernel(model, est.support_vectors_[m.index], z.reshape(1, -1))[:, 0]
    product = m.coef * k
    terms = pd.DataFrame(
        {
            "training row": est.support_[m.index],
            "αᵢ yᵢ": m.coef,
            "K(xᵢ, x)": k,
            "αᵢ yᵢ K(xᵢ, x)": product,
        }
    )
    order = np.argsort(-np.abs(product), kind="stable")
    terms = terms.iloc[order].reset_index(drop=True)
    return Expansion(terms, m.intercept, float(product.sum() + m.intercept), z)


def decision_values(model: TrainedModel, Z: np.ndarray, m: DualMachine) -> np.ndarray:
    """scikit-learn's own decision value of machine ``m`` for preprocessed rows ``Z``."""
    est = model.estimator
    if model.task == Task.REGRESSION:
        return np.asarray(est.predict(Z), dtype=float)  # SVR: f in standardised target units
    if len(est.classes_) == 2:
        return np.asarray(est.decision_function(Z), dtype=float)
    ovo = copy.copy(est)
    ovo.decision_function_shape = "ovo"
    return np.asarray(ovo.decision_function(Z))[:, m.pair]


def expansion_latex(
    e: Expansion,
    max_terms: int = 6,
    what: str = r"\alpha_i y_i",
    tr: Translator | None = None,
) -> str:
    """f(x) written out: the largest terms with their numbers, the rest summed, then b (the
    words under the summed rest in ``tr``'s language, English by default)."""
    tr = tr or translator("en")
    shown = e.terms.head(max_terms)
    rest = e.terms.iloc[max_terms:]
    parts = [
        rf"({_num(a)})({_num(k)})" for a, k in zip(shown["αᵢ yᵢ"], shown["K(xᵢ, x)"], strict=True)
    ]
    if len(rest):
        others = _num(rest["αᵢ yᵢ K(xᵢ, x)"].sum())
        more = tr("{n} more", n=tr.number(len(rest)))
        parts.append(rf"\underbrace{{\dots}}_{{\text{{{more}}}\ =\ {others}}}")
    parts.append(f"({_num(e.intercept)})")
    # Three terms a line (aligned), so the sum fits a narrow page.
    rows = [" + ".join(parts[i : i + 3]) for i in range(0, len(parts), 3)]
    body = r" \\ &\quad + ".join(rows)
    return (
        rf"\begin{{aligned}} f(x) &= \sum_i {what}\, K(x_i, x) + b \\ &= {body} \\"
        rf" &= \mathbf{{{_num(e.value)}}} \end{{aligned}}"
    )


def _num(value: float) -> str:
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text
