"""Where work runs: local cores through joblib, or a Dask cluster named by an environment
variable. The Dask tests start their own LocalCluster on loopback and check that searches and
cross-validation give exactly the local results."""

from __future__ import annotations

import socket
from typing import Any

import joblib
import pandas as pd
import pytest
from joblib.parallel import get_active_backend

from mllib import compare, curves, parallel, training, tuning
from mllib.errors import GlassboxError
from mllib.profile import Task, profile_table

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


@pytest.fixture
def no_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)


@pytest.fixture
def cluster(dask_cluster: str) -> str:
    return dask_cluster


@pytest.fixture
def on_cluster(cluster: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(parallel.SCHEDULER_ENV, cluster)
    return cluster


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- local -------------------------------------------------------------------------------------


def test_local_work_uses_every_core(no_cluster: None) -> None:
    cores = joblib.cpu_count()
    assert parallel.describe_backend() == f"Running on {cores} local core{'s' * (cores != 1)}"
    with parallel.execution_backend() as backend:
        active, n_jobs = get_active_backend()
        assert n_jobs == -1
        assert type(active).__name__ == "ThreadingBackend"
    assert backend == parallel.Backend("local", cores)


def test_long_work_can_ask_for_worker_processes(no_cluster: None) -> None:
    with parallel.execution_backend(processes=True):
        assert type(get_active_backend()[0]).__name__ == "LokyBackend"


def test_a_long_search_moves_to_processes_with_the_same_results(
    iris: pd.DataFrame, no_cluster: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[bool] = []
    real = tuning.evaluate

    def recording(*args: Any, processes: bool = False) -> list:
        used.append(processes)
        return real(*args, processes=processes)

    monkeypatch.setattr(tuning, "evaluate", recording)
    data = _iris_data(iris)
    monkeypatch.setattr(tuning, "PROCESS_SECONDS", float("inf"))
    threads = _grid_search(data)
    assert not any(used)
    monkeypatch.setattr(tuning, "PROCESS_SECONDS", 0.0)
    used.clear()
    processes = _grid_search(data)
    assert used[0] is False and all(used[1:]) and len(used) > 1  # threads first, then loky
    assert pd.DataFrame(processes.results)[["candidate", "score", "train"]].equals(
        pd.DataFrame(threads.results)[["candidate", "score", "train"]]
    )


def test_one_job_runs_locally_even_with_a_cluster_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.SCHEDULER_ENV, f"tcp://127.0.0.1:{_closed_port()}")
    with parallel.execution_backend(n_jobs=1) as backend:
        assert get_active_backend()[1] == 1
    assert backend.kind == "local"


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv(parallel.SCHEDULER_ENV, address)
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_SECONDS", 1.0)
    with pytest.raises(GlassboxError, match=f"Could not reach the Dask scheduler at {address}"):
        parallel.describe_backend()


def test_a_blank_variable_means_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parallel.SCHEDULER_ENV, "  ")
    assert parallel.scheduler_address() is None


class _FakeClient:
    def __init__(self, nthreads: dict[str, int], versions: dict[str, tuple]) -> None:
        self._nthreads, self._versions, self.closed = nthreads, versions, False

    def nthreads(self) -> dict[str, int]:
        return self._nthreads

    def run(self, fn: object) -> dict[str, tuple]:
        return self._versions

    def close(self) -> None:
        self.closed = True


def test_a_cluster_without_workers_is_refused() -> None:
    client = _FakeClient({}, {})
    with pytest.raises(GlassboxError, match="has no workers"):
        parallel.check_workers(client, "tcp://x:1")
    assert client.closed


def test_workers_with_another_scikit_learn_or_without_mllib_are_refused() -> None:
    import sklearn

    for versions in ({"w": ("0.24.2", True)}, {"w": (sklearn.__version__, False)}):
        client = _FakeClient({"w": 1}, versions)
        with pytest.raises(GlassboxError, match="cannot run Glassbox models"):
            parallel.check_workers(client, "tcp://x:1")
    parallel.check_workers(_FakeClient({"w": 1}, {"w": (sklearn.__version__, True)}), "x")


# --- Dask -------------------------------------------------------------------------------------


def test_the_page_line_names_the_cluster(on_cluster: str) -> None:
    text = parallel.describe_backend()
    assert text == f"Running on the Dask cluster at {on_cluster} (2 workers, 2 threads)"


def _iris_data(iris: pd.DataFrame) -> tuning.SplitData:
    config = training.TrainConfig.make("tree", Task.CLASSIFICATION, "species", FEATURES, seed=2)
    return tuning.split_data(iris, profile_table(iris), config)


def _grid_search(data: tuning.SplitData) -> tuning.SearchState:
    plan = tuning.plan_search(data, "grid", ["max_depth"], {}, folds=3)
    state = tuning.SearchState(plan)
    for _ in tuning.search(data, state, chunk_seconds=0.0):
        pass
    return state


def _search(iris: pd.DataFrame) -> tuple[tuning.SearchState, pd.DataFrame]:
    data = _iris_data(iris)
    curve = curves.validation_curve_table(data, {}, "min_samples_leaf", folds=3)
    return _grid_search(data), curve


def test_search_on_the_cluster_equals_the_local_search(
    iris: pd.DataFrame, cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from distributed import Client, get_task_stream

    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)
    local, local_curve = _search(iris)
    monkeypatch.setenv(parallel.SCHEDULER_ENV, cluster)
    with Client(cluster, set_as_default=False) as watcher, get_task_stream(watcher) as stream:
        remote, remote_curve = _search(iris)
    assert len(stream.data) >= local.plan.total_fits  # the fits really ran on the workers
    assert remote.status == local.status == "done"
    columns = ["candidate", "round", "rows", "score", "validation", "std", "train"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(remote.results)[columns], pd.DataFrame(local.results)[columns]
    )
    assert remote.best_test == local.best_test
    pd.testing.assert_frame_equal(remote_curve, local_curve)


def test_cross_validation_on_the_cluster_equals_local(
    iris: pd.DataFrame, cluster: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(parallel.SCHEDULER_ENV, raising=False)
    plans = compare.plan_comparison(iris, Task.CLASSIFICATION, "species", FEATURES, {})
    profile = profile_table(iris)
    local = [r.model for r in compare.run_comparison(iris, profile, plans)]
    monkeypatch.setenv(parallel.SCHEDULER_ENV, cluster)
    remote = [r.model for r in compare.run_comparison(iris, profile, plans)]
    for a, b in zip(local, remote, strict=True):
        assert a is not None and b is not None
        pd.testing.assert_frame_equal(a.cv, b.cv)
        assert a.test_scores == b.test_scores
