"""scikit-learn's parallel tasks leave the process-wide warning filters alone in this process
(mllib.task_filters), keep scikit-learn's configuration, and still carry the caller's filters
to worker processes. The race this removes is checked in tests/test_parallel_warnings.py."""

from __future__ import annotations

import warnings

import joblib
import pytest
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.parallel import Parallel, _FuncWrapper, delayed

from mllib import parallel, task_filters


def _filters_seen() -> tuple[int, bool, bool]:
    """In a task: which filter list it runs with, whether it ignores ConvergenceWarning, and
    scikit-learn's ``assume_finite`` setting."""
    ignored = any(f[0] == "ignore" and f[2] is ConvergenceWarning for f in warnings.filters)
    return id(warnings.filters), ignored, sklearn.get_config()["assume_finite"]


@pytest.fixture
def no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)


def test_importing_mllib_parallel_patches_this_scikit_learn() -> None:
    """Fails when a scikit-learn upgrade renames what the patch replaces: then look again at
    whether its tasks still reset the process-wide filters (scikit-learn#32631)."""
    assert task_filters.applies()
    assert task_filters.install()
    assert getattr(_FuncWrapper, "_glassbox_patched", False)


@pytest.mark.parametrize("n_jobs", [2, 1])  # worker threads, and the calling thread
def test_tasks_in_this_process_keep_the_filters_in_place_and_the_configuration(
    no_cluster: None, n_jobs: int
) -> None:
    with warnings.catch_warnings(), sklearn.config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        here = id(warnings.filters)
        with parallel.execution_backend(n_jobs):
            seen = Parallel()(delayed(_filters_seen)() for _ in range(6))
    assert seen == [(here, True, True)] * 6  # scikit-learn's own tasks ran on a copy


@pytest.mark.slow
def test_worker_processes_still_get_the_callers_filters_and_configuration(
    no_cluster: None,
) -> None:
    with warnings.catch_warnings(), sklearn.config_context(assume_finite=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        with parallel.execution_backend(2, processes=True):
            seen = Parallel()(delayed(_filters_seen)() for _ in range(4))
    assert [s[1:] for s in seen] == [(True, True)] * 4


def test_a_task_without_the_configuration_still_warns(no_cluster: None) -> None:
    """``delayed`` with a plain ``joblib.Parallel``: scikit-learn's warning is genuine then."""
    with pytest.warns(UserWarning, match="should be used with `sklearn.utils.parallel.Parallel`"):
        joblib.Parallel(n_jobs=2, backend="threading")(delayed(_filters_seen)() for _ in range(2))
