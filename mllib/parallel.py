"""Where searches and cross-validation run: all local cores, or a Dask cluster.

Everything Glassbox parallelises goes through joblib, so one context manager decides where the
work goes. :func:`execution_backend` picks the local backend with ``n_jobs`` workers, or, when
the environment variable ``GLASSBOX_DASK_SCHEDULER`` holds a scheduler address such as
``tcp://10.0.0.5:8786``, joblib's Dask backend on that cluster. Dask is imported only then:
the app works without it. See ``docs/dask.md``.

Importing this module makes scikit-learn's tasks leave the process-wide warning filters alone
when they run in this process (:mod:`mllib.task_filters`): two searches at once on threads
otherwise race on them and warn about ``delayed`` for nothing.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import joblib

from mllib import task_filters
from mllib.errors import GlassboxError
from mllib.i18n import DEFAULT, Translator, msg, translator

task_filters.install()

SCHEDULER_ENV = "GLASSBOX_DASK_SCHEDULER"
CONNECT_TIMEOUT_SECONDS = 10.0
# On one machine: threads for short work (they start at once and share the data; the tree,
# SVM and linear solvers release the GIL), worker processes (loky) for long searches, where the
# Python parts of each fit (preprocessing, scoring) would otherwise queue for the GIL. On two
# cores bench/search.py measured about 1.5x with threads and 1.7x with processes on the same
# search. ``LOCAL_BACKEND`` forces one of them (benchmarks, tests); ``None`` lets callers choose.
LOCAL_BACKEND: Literal["threading", "loky"] | None = None

_clients: dict[str, Any] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Backend:
    """Where joblib sends work: ``kind`` is "local" or "dask"; ``workers`` counts cores or
    Dask worker threads available to one search."""

    kind: Literal["local", "dask"]
    workers: int
    address: str | None = None
    machines: int = 1

    def describe(self, tr: Translator | None = None) -> str:
        """Where work runs, in ``tr``'s language (English by default)."""
        tr = tr or translator(DEFAULT)
        if self.kind == "dask":
            machines = (
                tr("1 worker")
                if self.machines == 1
                else tr("{n} workers", n=tr.number(self.machines))
            )
            return tr(
                "Running on the Dask cluster at {address} ({machines}, {threads} threads)",
                address=self.address,
                machines=machines,
                threads=tr.number(self.workers),
            )
        if self.workers == 1:
            return tr("Running on 1 local core")
        return tr("Running on {n} local cores", n=tr.number(self.workers))


def scheduler_address() -> str | None:
    """The Dask scheduler named by ``GLASSBOX_DASK_SCHEDULER``, or ``None`` for local work."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    return address or None


def local_cores() -> int:
    return max(1, int(joblib.cpu_count(only_physical_cores=False)))


def dask_client(address: str) -> Any:
    """A connected ``distributed.Client`` for ``address``, created once and reused.

    Raises :class:`GlassboxError` when Dask is not installed, the scheduler cannot be reached
    within ``CONNECT_TIMEOUT_SECONDS``, or the workers lack what a Glassbox model needs.
    """
    with _lock:
        client = _clients.get(address)
        if client is not None and client.status == "running":
            return client
        try:
            from distributed import Client
        except ImportError as err:
            raise GlassboxError(
                msg("{variable} is set, but Dask is not installed here.", variable=SCHEDULER_ENV),
                msg(
                    "Install it with `pip install 'dask[distributed]'`, or unset the variable "
                    "to run on this machine."
                ),
            ) from err
        try:
            # distributed's Client.__init__ has no annotations
            client = Client(  # type: ignore[no-untyped-call]
                address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as err:
            raise GlassboxError(
                msg(
                    "Could not reach the Dask scheduler at {address} ({error}).",
                    address=address,
                    error=type(err).__name__,
                ),
                msg(
                    "Check that it is running and reachable, or unset {variable} to run on "
                    "this machine.",
                    variable=SCHEDULER_ENV,
                ),
            ) from err
        check_workers(client, address)
        _clients[address] = client
        return client


def check_workers(client: Any, address: str) -> None:
    """Refuse a cluster whose workers would fail or disagree: no workers, no ``mllib`` on
    their path, or another scikit-learn version (pickled models would differ)."""
    import sklearn

    nthreads = client.nthreads()
    if not nthreads:
        client.close()
        raise GlassboxError(
            msg("The Dask scheduler at {address} has no workers.", address=address),
            msg("Start at least one `dask worker` pointed at it."),
        )
    try:
        versions = client.run(_worker_versions)
    except Exception:  # a worker without mllib cannot even unpickle the check
        versions = {"?": (None, False)}
    wrong = sorted({v for v in versions.values() if v != (sklearn.__version__, True)}, key=repr)
    if wrong:
        client.close()
        raise GlassboxError(
            msg(
                "The Dask workers at {address} cannot run Glassbox models: they report "
                "scikit-learn/mllib {wrong}, this app has scikit-learn {version}.",
                address=address,
                wrong=str(wrong),
                version=sklearn.__version__,
            ),
            msg(
                "Start the workers from the same environment (requirements.txt) with the "
                "Glassbox folder on PYTHONPATH; see docs/dask.md."
            ),
        )


def _worker_versions() -> tuple[str | None, bool]:
    """Run on each worker: its scikit-learn version and whether it can import ``mllib``."""
    import importlib.util

    try:
        import sklearn

        version: str | None = sklearn.__version__
    except ImportError:
        version = None
    return version, importlib.util.find_spec("mllib") is not None


def current_backend() -> Backend:
    """Describe where work would run now, connecting to the cluster if one is configured."""
    address = scheduler_address()
    if address is None:
        return Backend("local", local_cores())
    client = dask_client(address)
    nthreads = client.nthreads()
    return Backend("dask", max(1, sum(nthreads.values())), address, len(nthreads))


def describe_backend(tr: Translator | None = None) -> str:
    """One line for the page: "Running on 2 local cores" or the Dask cluster's address."""
    return current_backend().describe(tr)


@contextmanager
def execution_backend(n_jobs: int = -1, processes: bool = False) -> Iterator[Backend]:
    """Send joblib work (searches, ``cross_validate``, curves) to the configured place.

    Inside the block, scikit-learn calls that leave ``n_jobs=None`` use ``n_jobs`` workers of
    the chosen backend: local threads, or local processes when ``processes`` (worth their
    start-up only for many slow fits), or the Dask cluster. ``n_jobs=1`` runs locally and
    serially even when a cluster is set, so a benchmark can measure one worker against all.
    """
    address = scheduler_address()
    if address is None or n_jobs == 1:
        backend = Backend("local", local_cores() if n_jobs == -1 else abs(n_jobs))
        local = LOCAL_BACKEND or ("loky" if processes else "threading")
        with joblib.parallel_config(backend=local, n_jobs=n_jobs):
            yield backend
        return
    client = dask_client(address)
    nthreads = client.nthreads()
    backend = Backend("dask", max(1, sum(nthreads.values())), address, len(nthreads))
    with joblib.parallel_config(backend="dask", n_jobs=-1, client=client):
        yield backend


def start_workers(n_jobs: int = -1, modules: tuple[str, ...] = ("mllib.tuning",)) -> None:
    """Start the local worker processes now and import ``modules`` in each (joblib keeps them
    for the next calls), so that their start-up is not mistaken for the cost of the first
    fits. Nothing to do on Dask."""
    with execution_backend(n_jobs, processes=True) as backend:
        if backend.kind == "local" and backend.workers > 1:
            joblib.Parallel()(joblib.delayed(_import)(modules) for _ in range(backend.workers))


def _import(modules: tuple[str, ...]) -> None:
    """Run in a worker process: import what its first task would."""
    for name in modules:
        importlib.import_module(name)


def close_clients() -> None:
    """Close every cached Dask client (tests and shutdown)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
