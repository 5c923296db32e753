"""How long training will take: the cost model scaled by what this machine measured.

The catalogue's cost model (:meth:`mllib.catalogue.ModelSpec.modelled_fit_seconds` plus
preparation per row and column) says how a fit scales; :mod:`mllib.costs` keeps what timed fits
measured here. The Train page's gate, Compare's plan and the searches' estimates all read these
functions (re-exported by :mod:`mllib.training`, whose ``calibrate`` times a sample fit).
"""

from __future__ import annotations

from mllib import costs
from mllib.catalogue import ModelSpec
from mllib.profile import TableProfile
from mllib.vocab import Role

SLOW_FIT_SECONDS = 3.0
KERNEL_SVM_SAMPLE = 10_000
CALIBRATION_ROWS = 2_000  # a calibration fit's sample: a fraction of a second even for an SVM
CALIBRATION_SECONDS = 0.25  # larger samples for fast models, while the model puts them under this

# Preprocessing per row and column, measured on this machine kind (1M rows, ridge, fit included:
# 12 number columns 0.26 s, 5 text columns 0.25 s). Text columns are cleaned into category codes
# and encoded by code (mllib.summary_fit, mllib.matrix_fill); they cost 1.9e-6 s per row when
# scikit-learn's encoder counted them in Python, 19 times a number, which skewed every estimate
# learned on one mix of columns and used for another.
PREP_SECONDS_TEXT = 5e-8
PREP_SECONDS_NUMBER = 2e-8


def count_text(profile: TableProfile, features: tuple[str, ...] | list[str]) -> int:
    """How many of ``features`` are categorical or boolean (one-hot encoded: the costly ones)."""
    text = {c.name for c in profile.columns if c.role in (Role.CATEGORICAL, Role.BOOLEAN)}
    return sum(f in text for f in features)


def model_seconds(spec: ModelSpec, n_rows: int, n_features: int, n_text: int = 0) -> float:
    """The cost model's seconds for one fit on ``n_rows`` (how it scales, not how fast this
    machine is: :mod:`mllib.costs` learns that). ``n_text`` of the ``n_features`` are
    categorical/boolean columns (the costly ones to prepare)."""
    prep = n_rows * (n_text * PREP_SECONDS_TEXT + (n_features - n_text) * PREP_SECONDS_NUMBER)
    return spec.modelled_fit_seconds(n_rows, n_features) + prep


def training_seconds(
    spec: ModelSpec, n_rows: int, n_features: int, cv_folds: int = 0, n_text: int = 0
) -> float:
    """Wall time of training on ``n_rows`` (fit, scores and ``cv_folds`` more fits): the cost
    model times what fits of this algorithm measured on this machine, when any did."""
    fits = 1 + (cv_folds or 0)
    learned = costs.factor(spec.key) or 1.0
    return model_seconds(spec, n_rows, n_features, n_text) * learned * fits


def is_measured(spec: ModelSpec) -> bool:
    """Whether estimates for ``spec`` come from fits timed on this machine."""
    return costs.factor(spec.key) is not None


def calibration_rows(
    spec: ModelSpec, n_features: int, n_text: int = 0, budget: float = CALIBRATION_SECONDS
) -> int:
    """The largest round sample (at least :data:`CALIBRATION_ROWS`) that the cost model puts
    under ``budget`` seconds. On a few thousand rows a fast model's time is mostly fixed
    overhead, which extrapolated to a million rows made the 1M-row ridge estimate about 4×
    too high; a larger sample makes that overhead a small share."""
    rows = CALIBRATION_ROWS
    for candidate in (5_000, 10_000, 20_000, 50_000):
        if model_seconds(spec, candidate, n_features, n_text) <= budget:
            rows = candidate
    return rows


def affordable_rows(
    spec: ModelSpec,
    n_features: int,
    cv_folds: int = 0,
    n_text: int = 0,
    budget: float = SLOW_FIT_SECONDS,
    floor: int = KERNEL_SVM_SAMPLE,
) -> int:
    """The largest round sample (at least ``floor``) whose fit fits in ``budget`` seconds."""
    rows = floor
    for candidate in (20_000, 50_000, 100_000, 200_000, 500_000):
        if training_seconds(spec, candidate, n_features, cv_folds, n_text) <= budget:
            rows = candidate
    return rows
