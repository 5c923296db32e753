"""Work that runs beside the page: a thread the page polls.

A Streamlit script is interrupted by every click, so long work done inside it can be cut off
or thrown away by an unrelated rerun. A :class:`Job` runs its function on a daemon thread
instead: the page draws, then polls it; a click (Stop, a second curve) is handled at once, and
nothing already started is discarded. Jobs never touch Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


class Job:
    """``work()`` running on its own thread; ``done``, ``result()`` and ``error`` when over."""

    def __init__(self, work: Callable[[], Any], name: str = "glassbox-job") -> None:
        self._work = work
        self._result: Any = None
        self.error: BaseException | None = None
        self.started = time.perf_counter()
        self.finished: float | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._work()
        except BaseException as err:  # kept for the page to explain, never lost
            self.error = err
        finally:
            self.finished = time.perf_counter()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds; whether the job is over."""
        self._thread.join(timeout)
        return self.done

    def result(self) -> Any:
        """The function's return value (re-raising its error); only once ``done``."""
        if not self.done:
            raise RuntimeError("The job is still running.")
        if self.error is not None:
            raise self.error
        return self._result
