"""Every algorithm Glassbox offers, declared once as data.

A :class:`ModelSpec` names the estimator for each task and its hyperparameters as
:class:`Param` records (range, default, scale, help, when it applies). Pages render widgets from
these records and the training code builds estimators from them, so adding an algorithm means
adding one spec (in ``linear``, ``tree`` or ``svm``, then in :data:`CATALOGUE` below). A spec
also carries every fact the pages, the search and the export need about its algorithm (formula,
views, default search, card note, what each parameter does to the pictures): no module outside
this package names an algorithm key (``tests/test_algorithm_keys.py``). ``params`` holds
:class:`Param` and the parameters several algorithms share; ``spec`` holds :class:`ModelSpec`.
``tests/test_catalogue.py`` holds every spec against scikit-learn.
"""

from __future__ import annotations

from mllib.catalogue.linear import LASSO, LINEAR, LOGISTIC, RIDGE
from mllib.catalogue.params import (
    ALPHA,
    BOTH,
    C_PENALTY,
    CLASS_WEIGHT,
    EPSILON,
    MAX_ITER,
    Kind,
    Param,
    log_grid,
)
from mllib.catalogue.spec import ModelSpec
from mllib.catalogue.svm import LINEAR_SVM, SVM
from mllib.catalogue.tree import TREE
from mllib.vocab import Task

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


__all__ = [
    "ALPHA",
    "BOTH",
    "CATALOGUE",
    "CLASS_WEIGHT",
    "C_PENALTY",
    "EPSILON",
    "LASSO",
    "LINEAR",
    "LINEAR_SVM",
    "LOGISTIC",
    "MAX_ITER",
    "RIDGE",
    "SVM",
    "TREE",
    "Kind",
    "ModelSpec",
    "Param",
    "get_spec",
    "log_grid",
    "specs_for",
]
