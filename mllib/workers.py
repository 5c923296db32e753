"""Work that may take long, in a process of its own, so that Stop really stops it.

A thread (:class:`mllib.jobs.Job`) cannot be interrupted inside one scikit-learn ``fit`` call:
a 100k-row RBF SVR ran past 120 s with no way out. A :class:`ProcessJob` runs its function in
a child process (forked where the platform allows it: the child shares the parent's data
without copying or pickling it, and starts in milliseconds) and sends the result back through
a pipe; :meth:`ProcessJob.stop` terminates the child, and nothing of it is kept. Fit costs
learned in the child (:mod:`mllib.costs`) come back with the result.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from mllib import costs
from mllib.errors import GlassboxError
from mllib.i18n import msg

STOP_GRACE_SECONDS = 2.0  # after SIGTERM, before SIGKILL


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _child(work: Callable[[], Any], algorithm: str, conn: Connection) -> None:
    """Run ``work`` and send ``("ok", result, learned costs)`` or ``("error", error)``."""
    costs.forget()  # a fork inherits the parent's ratios: send back only the new ones
    try:
        result = work()
    except GlassboxError as err:  # its message is for people: keep it (Messages pickle whole)
        conn.send(("error", type(err), *err.parts))
    except BaseException as err:  # any other error, by name and message (it may not pickle)
        conn.send(("error", None, f"{type(err).__name__}: {err}", None))
    else:
        conn.send(("ok", result, costs.recorded(algorithm)))
    finally:
        conn.close()


class ProcessJob:
    """``work()`` in a child process; ``done``, ``result()``, ``error`` and ``stop()``.

    ``algorithm`` names the fit costs to bring back (see :func:`mllib.costs.recorded`)."""

    def __init__(self, work: Callable[[], Any], algorithm: str = "", name: str = "glassbox-fit"):
        ctx = _context()
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_child, args=(work, algorithm, child_end), name=name, daemon=True
        )
        self.algorithm = algorithm
        self.started = time.perf_counter()
        self.finished: float | None = None
        self.stopped = False
        self.error: GlassboxError | None = None
        self._result: Any = None
        self._received = False
        self._process.start()
        child_end.close()

    def _receive(self, timeout: float) -> None:
        if self._received or self.stopped:
            return
        try:
            if not self._conn.poll(timeout):
                if self._process.is_alive():
                    return
                if not self._conn.poll(0):  # it ended without a word: killed, out of memory
                    raise EOFError
            message = self._conn.recv()
        except (EOFError, OSError):
            message = ("error", None, msg("The training process ended unexpectedly."), None)
        self._received = True
        self.finished = time.perf_counter()
        if message[0] == "ok":
            self._result = message[1]
            costs.extend(self.algorithm, message[2])
        else:
            kind = message[1] if isinstance(message[1], type) else GlassboxError
            try:
                self.error = kind(message[2], message[3])
            except TypeError:
                self.error = GlassboxError(message[2], message[3])
        self._process.join(STOP_GRACE_SECONDS)
        self._conn.close()

    @property
    def done(self) -> bool:
        self._receive(0)
        return self._received or self.stopped

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (``None``: until it ends); whether it is over."""
        deadline = None if timeout is None else time.perf_counter() + timeout
        while not self.done:
            left = 0.5 if deadline is None else min(0.5, deadline - time.perf_counter())
            if left <= 0:
                break
            self._receive(left)
        return self.done

    def result(self) -> Any:
        """The function's return value (raising its error); only once ``done``."""
        if not self.done:
            raise RuntimeError("The job is still running.")
        if self.stopped:
            raise RuntimeError("The job was stopped.")
        if self.error is not None:
            raise self.error
        return self._result

    def stop(self) -> None:
        """End the child now (its work is lost); safe to call at any time."""
        if self._received or self.stopped:
            return
        self.stopped = True
        self.finished = time.perf_counter()
        self._process.terminate()
        self._process.join(STOP_GRACE_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(STOP_GRACE_SECONDS)
        self._conn.close()

    @property
    def alive(self) -> bool:
        """Whether the child process still exists (tests check that Stop ended it)."""
        return bool(self._process.is_alive())
