"""Work in a worker process: its result, its error in words, a Stop that ends it at once."""

from __future__ import annotations

import time

import pytest

from mllib import costs
from mllib.errors import TrainingError
from mllib.workers import ProcessJob


def learn_and_answer() -> int:
    costs.record("tree", 1.0, 3.0)
    return 42


def refuse() -> None:
    raise TrainingError("Only 3 usable row(s).", "Add rows.")


def crash() -> None:
    raise ZeroDivisionError("division by zero")


def sleep_long() -> None:
    time.sleep(120)


def test_the_result_and_the_costs_learned_come_back() -> None:
    job = ProcessJob(learn_and_answer, algorithm="tree")
    assert job.wait(60)
    assert job.result() == 42 and job.error is None and not job.alive
    assert costs.factor("tree") == pytest.approx(3.0)


def test_an_error_comes_back_in_words_with_its_type() -> None:
    job = ProcessJob(refuse)
    assert job.wait(60)
    with pytest.raises(TrainingError) as caught:
        job.result()
    assert caught.value.message == "Only 3 usable row(s)." and caught.value.hint == "Add rows."
    other = ProcessJob(crash)
    assert other.wait(60)
    with pytest.raises(Exception, match="ZeroDivisionError: division by zero"):
        other.result()


def test_stop_ends_the_process_and_nothing_comes_back() -> None:
    job = ProcessJob(sleep_long)
    assert not job.wait(0.2) and job.alive
    job.stop()
    assert job.done and job.stopped and not job.alive
    with pytest.raises(RuntimeError, match="stopped"):
        job.result()
    job.stop()  # a second Stop is harmless
