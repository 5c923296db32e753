"""Prepared rows are reused while only a model's settings change, and never change a result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mllib import prepared
from mllib.prepared import PreparedCache
from mllib.profile import Task, profile_table
from mllib.training import TrainConfig, train_model


def table(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["city"] = rng.choice(["north", "south", "east"], n)
    frame["y"] = 2 * frame["a"] - frame["b"] + frame["city"].eq("east") + rng.normal(size=n)
    return frame


def config(alpha: float, **kwargs: object) -> TrainConfig:
    return TrainConfig.make(
        "ridge", Task.REGRESSION, "y", ["a", "b", "city"], {"alpha": alpha}, **kwargs
    )


def test_a_settings_change_reuses_the_prepared_rows_with_the_same_result() -> None:
    frame = table()
    prof = profile_table(frame)
    first = train_model(frame, prof, config(1.0), "fp")
    second = train_model(frame, prof, config(10.0), "fp")
    assert second.pipeline.named_steps["prep"] is first.pipeline.named_steps["prep"]
    alone = train_model(frame, prof, config(10.0))  # no fingerprint: nothing is reused
    assert alone.pipeline.named_steps["prep"] is not first.pipeline.named_steps["prep"]
    assert second.test_scores == alone.test_scores and second.train_scores == alone.train_scores
    assert np.allclose(second.pipeline.predict(frame), alone.pipeline.predict(frame))
    # the first model still predicts with its own settings
    assert not np.allclose(first.pipeline.predict(frame), second.pipeline.predict(frame))


@pytest.mark.parametrize("change", [{"seed": 1}, {"test_size": 0.3}, {"sample_rows": 200}], ids=str)
def test_another_split_or_sample_prepares_again(change: dict) -> None:
    frame = table()
    prof = profile_table(frame)
    first = train_model(frame, prof, config(1.0), "fp")
    other = train_model(frame, prof, config(1.0, **change), "fp")
    assert other.pipeline.named_steps["prep"] is not first.pipeline.named_steps["prep"]
    assert (
        train_model(frame, prof, config(1.0), "other data").pipeline.named_steps["prep"]
        is not first.pipeline.named_steps["prep"]
    )


def test_shared_matrices_are_read_only() -> None:
    frame = table()
    train_model(frame, profile_table(frame), config(1.0), "fp")
    (rows,) = prepared.CACHE._entries.values()
    for matrix in (rows.Xt_train, rows.Xt_test):
        values = matrix.data if hasattr(matrix, "indptr") else matrix  # sparse or dense
        with pytest.raises(ValueError, match="read-only"):
            values[0] = 1.0


def test_the_cache_is_bounded_by_count_and_size() -> None:
    frame = table()
    prof = profile_table(frame)
    model = train_model(frame, prof, config(1.0))
    rows = prepared.PreparedRows(
        model.pipeline[0], model.pipeline[1], np.zeros((10, 3)), np.zeros((5, 3)),
        pd.Series(range(10)), pd.Series(range(5)), np.arange(10), np.arange(5), 15, (), 0.0, 0.0,
    )  # fmt: skip
    small = PreparedCache(max_entries=2, max_bytes=rows.nbytes)
    for key in "abc":
        small.put(key, rows)
    assert len(small) == 2 and small.get("a") is None and small.get("c") is rows
    tiny = PreparedCache(max_bytes=rows.nbytes - 1)
    tiny.put("a", rows)
    assert len(tiny) == 0
