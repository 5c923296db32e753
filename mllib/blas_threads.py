"""One BLAS thread per computation in Glassbox's servers.

A Glassbox server runs many small computations at once: several browser sessions, a search's
fits on threads, the prediction service's requests. OpenBLAS (numpy's and scipy's linear
algebra) starts a team of threads as large as the machine's cores for each call, and on a busy
machine those teams wait on each other: on a 2-core machine with two other busy processes, the
See the model page's coefficient path (31 ridge fits on 5,000 × 73) took 2.5-5.0 s with two
BLAS threads per call against 0.13-0.20 s with one. Parallel work comes from the searches'
workers instead, one fit each (as joblib's process workers already do). :func:`limit` sets it
once per process; the Streamlit app and the service call it at start.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_limited = False


def limit() -> None:
    """One thread per BLAS call in this process (and the processes it forks), once."""
    global _limited
    with _lock:
        if _limited:
            return
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        _limited = True
