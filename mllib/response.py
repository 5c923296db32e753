"""Which numbers a classifier gives beside its labels, decided in one place (as scikit-learn's
``sklearn/utils/_response.py``): class probabilities when it has ``predict_proba``, else
decision scores from ``decision_function``, else none.

Training (ROC AUC), prediction, the explanations and the generated ``train.py`` (which copies
this module's functions) all ask here, so they never disagree about what a model's scores are.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import numpy as np

ScoreKind = Literal["probability", "decision score"]
PROBABILITY: Final = "probability"
DECISION: Final = "decision score"


def score_kind(estimator: Any) -> ScoreKind | None:
    """``"probability"``, ``"decision score"``, or ``None`` when the estimator gives neither."""
    if hasattr(estimator, "predict_proba"):
        return PROBABILITY
    if hasattr(estimator, "decision_function"):
        return DECISION
    return None


def class_scores(estimator: Any, X: Any) -> tuple[np.ndarray | None, ScoreKind | None]:
    """The estimator's scores for rows ``X`` (probabilities, else decision values) and their
    kind; ``(None, None)`` when it has neither."""
    kind = score_kind(estimator)
    if kind == PROBABILITY:
        return np.asarray(estimator.predict_proba(X)), kind
    if kind == DECISION:
        return np.asarray(estimator.decision_function(X)), kind
    return None, None
