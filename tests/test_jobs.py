"""Background jobs: results and errors come back; a job never blocks its caller."""

from __future__ import annotations

import threading

import pytest

from mllib.jobs import Job


def test_a_job_runs_beside_the_caller_and_returns_its_result() -> None:
    release = threading.Event()
    job = Job(lambda: release.wait(30) and 42)
    assert not job.done
    with pytest.raises(RuntimeError):
        job.result()
    release.set()
    assert job.wait(30)
    assert job.result() == 42 and job.error is None and job.seconds >= 0


def test_a_failing_job_keeps_its_error() -> None:
    def fail() -> None:
        raise ValueError("bad settings")

    job = Job(fail)
    assert job.wait(30)
    assert isinstance(job.error, ValueError)
    with pytest.raises(ValueError, match="bad settings"):
        job.result()
