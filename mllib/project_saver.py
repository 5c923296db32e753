"""Saving in the background: project writes run on one worker thread, so saving is not felt
while sliders move; repeated writes of the same kind coalesce to the newest."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

from mllib.errors import GlassboxError
from mllib.i18n import msg

log = logging.getLogger("glassbox.projects")


class BackgroundSaver:
    """One worker thread that runs save jobs in order, keeping only the newest job per
    ``(project, kind)``: while a slider moves, only the last model is written.

    ``delay`` holds a job back so a burst of changes is written once. :meth:`flush` runs
    what is pending now (a reload calls it before reading a project back).
    """

    def __init__(self) -> None:
        self._jobs: dict[tuple[str, str], tuple[float, Callable[[], None]]] = {}
        self._running: tuple[str, str] | None = None
        self._cond = threading.Condition()
        self.errors: dict[str, str] = {}
        self._thread = threading.Thread(target=self._work, name="glassbox-saver", daemon=True)
        self._thread.start()
        atexit.register(self.flush, None, 30.0)  # a stopping server writes what is pending

    def submit(
        self, project_id: str, kind: str, job: Callable[[], None], delay: float = 0.0
    ) -> None:
        with self._cond:
            self._jobs.pop((project_id, kind), None)  # the newer job replaces the older one
            self._jobs[(project_id, kind)] = (time.monotonic() + delay, job)
            self._cond.notify_all()

    def pending(self, project_id: str | None = None) -> bool:
        with self._cond:
            keys = [*self._jobs, *([self._running] if self._running else [])]
            return any(project_id is None or k[0] == project_id for k in keys)

    def flush(self, project_id: str | None = None, timeout: float = 120.0) -> bool:
        """Run pending jobs now and wait for them; True when nothing is left."""
        deadline = time.monotonic() + timeout
        with self._cond:
            for key, (_, job) in list(self._jobs.items()):
                if project_id is None or key[0] == project_id:
                    self._jobs[key] = (0.0, job)
            self._cond.notify_all()
            while time.monotonic() < deadline:
                busy = [*self._jobs, *([self._running] if self._running else [])]
                if not any(project_id is None or k[0] == project_id for k in busy):
                    return True
                self._cond.wait(0.05)
        return False

    def _next(self) -> tuple[tuple[str, str], Callable[[], None]]:
        with self._cond:
            while True:
                now = time.monotonic()
                due = [(k, v) for k, v in self._jobs.items() if v[0] <= now]
                if due:
                    key, (_, job) = due[0]
                    del self._jobs[key]
                    self._running = key
                    return key, job
                waits = [v[0] - now for v in self._jobs.values()]
                self._cond.wait(min(waits) if waits else None)

    def _work(self) -> None:
        while True:
            key, job = self._next()
            try:
                job()
                self.errors.pop(key[0], None)
            except GlassboxError as err:
                message, hint = err.parts  # a Message is said in the reader's language
                self.errors[key[0]] = message if hint is None else str(err)
            except Exception as err:  # a failed save must never kill the saver
                log.exception("Saving project %s (%s) failed", key[0][:6], key[1])
                self.errors[key[0]] = msg(
                    "Saving failed ({kind}); work continues.", kind=type(err).__name__
                )
            finally:
                with self._cond:
                    self._running = None
                    self._cond.notify_all()


_SAVER: BackgroundSaver | None = None
_SAVER_LOCK = threading.Lock()


def shared_saver() -> BackgroundSaver:
    """The process's one saver thread (every session and store shares it)."""
    global _SAVER
    with _SAVER_LOCK:
        if _SAVER is None:
            _SAVER = BackgroundSaver()
        return _SAVER
