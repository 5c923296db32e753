"""Estimates learned from fits timed on this machine."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from mllib import catalogue, costs, training
from mllib.profile import Task, profile_table


@pytest.fixture(autouse=True)
def fresh_costs() -> Iterator[None]:
    costs.forget()
    yield
    costs.forget()


def test_the_median_of_recent_ratios_scales_the_cost_model() -> None:
    svm = catalogue.get_spec("svm")
    modelled = training.training_seconds(svm, 10_000, 10)
    assert not training.is_measured(svm)
    for seconds in (7.0, 6.0, 8.0):  # three fits, each about 7x the model
        costs.record("svm", 1.0, seconds)
    assert training.is_measured(svm)
    assert training.training_seconds(svm, 10_000, 10) == pytest.approx(7 * modelled)
    assert training.training_seconds(catalogue.get_spec("tree"), 10_000, 10) == pytest.approx(
        training.model_seconds(catalogue.get_spec("tree"), 10_000, 10)
    ), "other algorithms keep the model"


def test_larger_fits_count_more_than_small_ones() -> None:
    """A calibration fit is mostly fixed overhead: its high ratio must not double the estimate
    for a million rows once a large fit has been timed (6 s said, 2.3 s taken, before)."""
    costs.record("ridge", 0.25, 0.5)  # a 50k-row calibration: 2x the model
    costs.record("ridge", 0.3, 0.6)  # and another
    costs.record("ridge", 2.6, 1.3)  # a 200k-row fit: half the model
    assert costs.factor("ridge") == pytest.approx(0.5)
    costs.record("ridge", 0.2, 0.3)  # more small fits do not outvote it
    costs.record("ridge", 0.2, 0.3)
    assert costs.factor("ridge") == pytest.approx(0.5)


def test_fits_too_small_to_measure_teach_nothing() -> None:
    costs.record("tree", costs.MIN_MODELLED_SECONDS / 10, 0.5)
    assert costs.factor("tree") is None


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(8)})
    frame["y"] = np.where(frame["x0"] + rng.normal(size=n) > 0, "a", "b")
    return frame


def test_a_calibration_fit_teaches_the_estimate() -> None:
    frame = _table(6_000)
    config = training.TrainConfig.make(
        "svm", Task.CLASSIFICATION, "y", [f"x{i}" for i in range(8)], {"C": 100.0}
    )
    training.calibrate(frame, profile_table(frame), config, rows=2_000)
    assert costs.factor("svm") is not None and costs.factor("svm") > 0


def test_training_records_its_cost() -> None:
    frame = _table(20_000)
    config = training.TrainConfig.make(
        "tree", Task.CLASSIFICATION, "y", [f"x{i}" for i in range(8)]
    )
    training.train_model(frame, profile_table(frame), config)
    assert costs.factor("tree") is not None


def test_fast_models_calibrate_on_larger_samples_than_kernel_svms() -> None:
    # a few thousand rows time mostly fixed overhead for a ridge: extrapolated to a million
    # rows that put the estimate about 4x too high
    ridge, svm = catalogue.get_spec("ridge"), catalogue.get_spec("svm")
    assert training.calibration_rows(svm, 10) == training.CALIBRATION_ROWS
    assert training.calibration_rows(ridge, 10) >= 10 * training.CALIBRATION_ROWS
    assert training.calibration_rows(ridge, 10, n_text=6) <= training.calibration_rows(ridge, 10)
    # a text column still costs more to prepare than a number, no longer 19 times as much
    text, numbers = (training.model_seconds(ridge, 10**6, 10, n) for n in (10, 0))
    assert 1.5 < text / numbers < 4
