"""Searches and cross-validation on threads say nothing about ``delayed``.

scikit-learn's ``Parallel`` tasks reset the process-wide warning filters and put back the ones
they captured; when a task on one thread captured them while a task on another thread had just
reset them, it warned "``sklearn.utils.parallel.delayed`` should be used with
``sklearn.utils.parallel.Parallel``" (scikit-learn#32631). Glassbox's preprocessing no longer
starts a ``Parallel`` of its own inside those tasks (mllib.summary_fit.StackedColumns). The race
is rare at Python's usual thread switch interval, so the test switches threads every
microsecond: before the fix, this test saw the warning 4 times in one run."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from mllib import parallel, training, tuning
from mllib.profile import Task, profile_table

MESSAGE = "should be used with `sklearn.utils.parallel.Parallel`"


@pytest.fixture
def busy_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[warnings.WarningMessage]]:
    """Local threads, switched as often as Python allows; yields the warnings as they come."""
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)
    monkeypatch.setattr(parallel, "LOCAL_BACKEND", "threading")
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
    finally:
        sys.setswitchinterval(interval)


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 240
    frame = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(list("pqrs"), n),
            "d": rng.choice(["x", "y"], n),
        }
    )
    frame["y"] = np.where(frame["a"] + (frame["c"] == "p") > 0.3, "hi", "lo")
    return frame


@pytest.mark.slow
def test_threaded_search_and_cross_validation_do_not_warn_about_delayed(
    busy_threads: list[warnings.WarningMessage],
) -> None:
    frame = _table()
    profile = profile_table(frame)
    features = ["a", "b", "c", "d"]
    config = training.TrainConfig.make("tree", Task.CLASSIFICATION, "y", features, {})
    data = tuning.split_data(frame, profile, config)
    plan = tuning.plan_search(data, "grid", ["max_depth", "min_samples_leaf"], {}, folds=4)
    for _ in tuning.search(data, tuning.SearchState(plan), chunk_seconds=0.0):
        pass
    X, y, *_ = training.split_rows(frame, config)
    for _ in range(3):
        training.cross_validate_model(
            training.TrainConfig.make("logistic", Task.CLASSIFICATION, "y", features, cv_folds=5),
            profile,
            X,
            y,
        )
    assert not [w for w in busy_threads if MESSAGE in str(w.message)]
