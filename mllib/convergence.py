"""Whether a fitted model's solver stopped at its iteration limit, read from the model.

The Train page says when a solver stopped before it converged. scikit-learn says it with a
``ConvergenceWarning``, which :func:`mllib.training._fit_model` records around the fit; but
before Python 3.14 the warning filters and the recording hook are process-wide, and other
threads' ``catch_warnings`` (a search's, and pandas' own inside every fit) swap them in and out
in any order. With two sessions searching beside it, 16 of 74 such fits lost their note (43 of
68 before :mod:`mllib.task_filters`). The iteration count the solver keeps (``n_iter_`` against
``max_iter``) belongs to the model, so it holds whatever runs on other threads.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np


def hit_iteration_limit(model: Any) -> bool:
    """Whether ``model`` (or the regressor a ``TransformedTargetRegressor`` wraps) used every
    iteration it was allowed: Lasso, logistic regression, linear and kernel SVMs."""
    model = getattr(model, "regressor_", model)
    limit = getattr(model, "max_iter", None)
    done = getattr(model, "n_iter_", None)
    if not isinstance(limit, Integral) or limit <= 0 or done is None:
        return False
    return int(np.max(done)) >= limit
