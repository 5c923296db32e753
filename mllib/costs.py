"""Fit costs learned on this machine: every timed fit makes the next estimate better.

The catalogue's cost model (:meth:`mllib.catalogue.ModelSpec.modelled_fit_seconds` plus
preparation) says how a fit *scales* with rows and columns; how fast this machine is, and how
much an algorithm's settings cost here (an RBF SVM with a large C), only a measurement says.
Each timed fit (the Train page's, each search candidate's, a calibration fit) records the
ratio of its measured seconds to the model's; estimates are the model times an algorithm's
recent ratios' median, each weighted by its fit's modelled size: a small fit is mostly fixed
overhead, and with equal weights a calibration fit on 50k rows put a million-row ridge at 6 s
when a 200k-row fit already showed it would take 2.3 s. One store per process: every session
on a server teaches it.
"""

from __future__ import annotations

import threading
from collections import deque

# Fits the model puts under this many seconds are mostly fixed overhead (a 150-row table):
# they would teach a meaningless ratio, so they are not recorded.
MIN_MODELLED_SECONDS = 0.01
KEEP = 9  # recent ratios per algorithm: the median follows this machine and these settings

# per algorithm: (measured / modelled seconds, modelled seconds) of its recent fits
_ratios: dict[str, deque[tuple[float, float]]] = {}
_lock = threading.Lock()


def record(algorithm: str, modelled: float, seconds: float) -> None:
    """One fit of ``algorithm`` took ``seconds`` where the cost model said ``modelled``."""
    if modelled < MIN_MODELLED_SECONDS or not seconds > 0:
        return
    with _lock:
        _ratios.setdefault(algorithm, deque(maxlen=KEEP)).append((seconds / modelled, modelled))


def factor(algorithm: str) -> float | None:
    """Measured / modelled seconds for ``algorithm`` here, or ``None`` before any fit: the
    median of the recent ratios, each counted as often as its fit was large (the larger fits
    say more about the next large one)."""
    with _lock:
        kept = sorted(_ratios.get(algorithm, ()))
    if not kept:
        return None
    half = sum(weight for _, weight in kept) / 2
    total = 0.0
    for ratio, weight in kept:
        total += weight
        if total >= half:
            return ratio
    return kept[-1][0]  # not reached: the weights add up to more than their half


def recorded(algorithm: str) -> list[tuple[float, float]]:
    """The (ratio, modelled seconds) pairs kept for ``algorithm`` (a worker sends them back)."""
    with _lock:
        return list(_ratios.get(algorithm, ()))


def extend(algorithm: str, measured: list[tuple[float, float]]) -> None:
    """Add (ratio, modelled seconds) pairs measured elsewhere (a worker process)."""
    with _lock:
        _ratios.setdefault(algorithm, deque(maxlen=KEEP)).extend(
            (ratio, modelled) for ratio, modelled in measured if ratio > 0 and modelled > 0
        )


def forget() -> None:
    """Drop everything learned (tests)."""
    with _lock:
        _ratios.clear()
