"""Fit costs learned on this machine: every timed fit makes the next estimate better.

The catalogue's cost model (:meth:`mllib.catalogue.ModelSpec.modelled_fit_seconds` plus
preparation) says how a fit *scales* with rows and columns; how fast this machine is, and how
much an algorithm's settings cost here (an RBF SVM with a large C), only a measurement says.
Each timed fit (the Train page's, each search candidate's, a calibration fit) records the
ratio of its measured seconds to the model's; estimates are the model times the median of an
algorithm's recent ratios. One store per process: every session on a server teaches it.
"""

from __future__ import annotations

import statistics
import threading
from collections import deque

# Fits the model puts under this many seconds are mostly fixed overhead (a 150-row table):
# they would teach a meaningless ratio, so they are not recorded.
MIN_MODELLED_SECONDS = 0.01
KEEP = 9  # recent ratios per algorithm: the median follows this machine and these settings

_ratios: dict[str, deque[float]] = {}
_lock = threading.Lock()


def record(algorithm: str, modelled: float, seconds: float) -> None:
    """One fit of ``algorithm`` took ``seconds`` where the cost model said ``modelled``."""
    if modelled < MIN_MODELLED_SECONDS or not seconds > 0:
        return
    with _lock:
        _ratios.setdefault(algorithm, deque(maxlen=KEEP)).append(seconds / modelled)


def factor(algorithm: str) -> float | None:
    """Measured / modelled seconds for ``algorithm`` here, or ``None`` before any fit."""
    with _lock:
        ratios = list(_ratios.get(algorithm, ()))
    return statistics.median(ratios) if ratios else None


def recorded(algorithm: str) -> list[float]:
    """The ratios kept for ``algorithm`` (a worker process sends them back)."""
    with _lock:
        return list(_ratios.get(algorithm, ()))


def extend(algorithm: str, ratios: list[float]) -> None:
    """Add ratios measured elsewhere (in a worker process) for ``algorithm``."""
    with _lock:
        _ratios.setdefault(algorithm, deque(maxlen=KEEP)).extend(r for r in ratios if r > 0)


def forget() -> None:
    """Drop everything learned (tests)."""
    with _lock:
        _ratios.clear()
