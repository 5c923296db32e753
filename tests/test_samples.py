"""The bundled samples: every file is listed, loads, and implies the task it is there to show."""

from __future__ import annotations

import pytest

from mllib.profile import Task, default_target, detect_task, profile_table
from mllib.samples import DEFAULT_SAMPLE, SAMPLE_DIR, SAMPLES, load_sample

EXPECTED = {
    # key: (rows, columns, task)
    "study_hours": (100, 2, Task.REGRESSION),
    "iris": (150, 5, Task.CLASSIFICATION),
    "diabetes": (442, 11, Task.REGRESSION),
    "breast_cancer": (569, 31, Task.CLASSIFICATION),
    "moons": (400, 3, Task.CLASSIFICATION),
    "customers": (1000, 11, Task.CLASSIFICATION),
}


def test_every_csv_in_sample_data_is_listed() -> None:
    on_disk = {p.name for p in SAMPLE_DIR.glob("*.csv")}
    assert on_disk == {s.filename for s in SAMPLES.values()}
    assert set(SAMPLES) == set(EXPECTED)
    assert DEFAULT_SAMPLE in SAMPLES


@pytest.mark.parametrize("key", SAMPLES)
def test_sample_loads_with_its_target_and_task(key: str) -> None:
    sample = SAMPLES[key]
    dataset = load_sample(key)
    rows, cols, task = EXPECTED[key]
    assert (dataset.n_rows, dataset.n_cols) == (rows, cols)
    assert (dataset.source, dataset.name) == ("sample", sample.title)
    assert sample.title and sample.blurb
    prof = profile_table(dataset.frame)
    assert default_target(prof) == sample.target  # the page's default is the intended one
    assert detect_task(dataset.frame[sample.target]).task == task


def test_customers_sample_has_every_kind_of_column() -> None:
    prof = profile_table(load_sample("customers").frame)
    roles = {c.name: c.role.value for c in prof.columns}
    assert roles["customer_id"] == "ID-like"
    assert roles["signup_date"] == "datetime"
    assert roles["region"] == "categorical"
    assert roles["has_partner"] == "boolean"
    assert roles["country"] == "constant"
    assert any(c.missing > 0 for c in prof.columns)


def test_sample_fingerprints_are_stable_and_distinct() -> None:
    prints = {key: load_sample(key).fingerprint for key in SAMPLES}
    assert len(set(prints.values())) == len(SAMPLES)
    assert load_sample("iris").fingerprint == prints["iris"]
