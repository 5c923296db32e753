"""How much does the dashboard add to a fit? Slider change → rerun finished, against bare sklearn.

In one run, for 10k and 100k synthetic rows (numeric + categorical columns) and for a linear
model (ridge, alpha slider) and a tree (max_depth slider), it measures six slider changes, each
followed at once by its bare counterpart (so a shared machine's load hits both alike):
- ``rerun``: AppTest time from moving the slider to the Train page's rerun being finished;
- ``bare``: fitting the same scikit-learn pipeline, same settings, on the same training rows.
The ratio of a setting is the median of the six paired ratios.
It prints each ratio, then ``ratio_10k=<worst ratio at 10k rows>`` (goal ≤ 1.5: small data
should not pay a fixed page cost) and last ``ratio_100k=<worst ratio at 100k rows>``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
# the app autosaves projects: keep the benchmark's out of the real ~/.glassbox
os.environ.setdefault("GLASSBOX_HOME", tempfile.mkdtemp(prefix="glassbox_bench_"))
sys.path.insert(0, str(ROOT))

from sklearn.model_selection import train_test_split  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from mllib import catalogue  # noqa: E402
from mllib.pipeline import build_pipeline  # noqa: E402
from mllib.profile import Task, profile_table  # noqa: E402
from ui import background_fit  # noqa: E402

MODELS = {  # six values each, none the default, so that every slider change is a new fit
    "ridge": ("p_ridge_alpha", ["10", "0.1", "3", "0.3", "30", "100"]),
    "tree": ("p_tree_max_depth", ["8", "4", "6", "3", "7", "9"]),
}


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(6)})
    frame["city"] = rng.choice([f"city_{i}" for i in range(20)], n)
    frame["plan"] = rng.choice(["basic", "plus", "pro", "max", "team"], n)
    frame["channel"] = rng.choice(list("ABCDEFGHIJ"), n)
    frame["y"] = (
        frame[[f"x{i}" for i in range(6)]].to_numpy() @ rng.normal(size=6)
        + frame["plan"].map({"basic": 0, "plus": 1, "pro": 2, "max": 3, "team": 1.5})
        + rng.normal(scale=0.5, size=n)
    )
    return frame


def bare_fit(frame: pd.DataFrame, algorithm: str) -> Callable[[dict], float]:
    """``fit(params) -> seconds``: the same pipeline fitted on the same training rows."""
    features = [c for c in frame.columns if c != "y"]
    prof = profile_table(frame)
    X_train, _, y_train, _ = train_test_split(
        frame[features], frame["y"], test_size=0.25, random_state=0
    )

    def fit(params: dict) -> float:
        pipe, _ = build_pipeline(
            catalogue.get_spec(algorithm), Task.REGRESSION, params, prof, features
        )
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        return time.perf_counter() - start

    return fit


def train_page(raw: bytes, algorithm: str) -> AppTest:
    """An AppTest session with ``raw`` uploaded (target ``y``) and ``algorithm`` on Train."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page("pages/data.py").run()
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("bench.csv", raw, "text/csv")).run()
    at.selectbox(key="target").select("y").run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select(algorithm).run()
    return at


def paired_ratios(raw: bytes, frame: pd.DataFrame, algorithm: str) -> list[tuple[float, float]]:
    """(page rerun, bare fit) seconds per slider value, measured back to back so that the
    load of a shared machine hits both alike."""
    at = train_page(raw, algorithm)
    fit = bare_fit(frame, algorithm)
    key, values = MODELS[algorithm]
    pairs = []
    for value in values:
        widget = at.select_slider(key=key).set_value(value)
        start = time.perf_counter()
        widget.run()
        waited = None  # a guard: a job that stays in the page state after a rerun must not loop
        while (job := at.session_state[background_fit.STATE_KEY].job) not in (None, waited):
            job.wait()  # a fit estimated as long runs in a worker process: until it is shown
            at.run()
            waited = job
        rerun = time.perf_counter() - start
        assert not at.exception, at.exception
        params = at.session_state["glassbox_workspace"].model.config.param_dict
        pairs.append((rerun, fit(params)))
    return pairs


def main() -> None:
    worst = {10_000: 0.0, 100_000: 0.0}
    for n in (10_000, 100_000):
        frame = synthetic(n)
        raw = frame.to_csv(index=False).encode()
        for algorithm in MODELS:
            pairs = paired_ratios(raw, frame, algorithm)
            ratio = statistics.median(r / b for r, b in pairs)
            rerun = statistics.median(r for r, _ in pairs)
            bare = statistics.median(b for _, b in pairs)
            print(
                f"{n:>7,} rows  {algorithm:<6} rerun {rerun:7.3f} s  bare fit {bare:7.3f} s  "
                f"(medians of {len(pairs)})  ratio {ratio:5.2f} (median of the paired ratios)"
            )
            worst[n] = max(worst[n], ratio)
    print(f"ratio_10k={worst[10_000]:.2f}")
    print(f"ratio_100k={worst[100_000]:.2f}")


if __name__ == "__main__":
    main()
