"""A million rows: load time against bare pandas, page reruns, and peak memory, in one run.

Generates a 1,000,000 × 20 mixed CSV (about 140 MB) in a temporary folder, then measures:
- ``read_table`` (sniffing, checks, notes) against a bare ``pandas.read_csv`` of the same bytes;
- the Data page and the Train page rerunning (AppTest) with that table loaded and a linear model
  trained: what a user waits for after touching a widget;
- the peak resident memory of this process against the DataFrame's own size.
Set ``GLASSBOX_BENCH_ROWS`` to try another size.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from mllib.data import read_table  # noqa: E402

ROWS = int(os.environ.get("GLASSBOX_BENCH_ROWS", "1000000"))


def synthetic_csv(n: int) -> bytes:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"num{i}": rng.normal(size=n).round(4) for i in range(12)})
    for i in range(5):
        frame[f"cat{i}"] = rng.choice([f"v{j}" for j in range(3 + 4 * i)], n)
    frame["when"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D")
    frame["flag"] = rng.random(n) < 0.3
    frame["target"] = frame["num0"] * 2 + frame["num1"] + rng.normal(size=n)
    return frame.to_csv(index=False).encode()


def timed(fn: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    raw = synthetic_csv(ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "big.csv").write_bytes(raw)
    print(f"{ROWS:,} rows, {len(raw) / 1e6:.0f} MB of CSV")
    bare = timed(lambda: pd.read_csv(io.BytesIO(raw)))
    ours = timed(lambda: read_table(raw, "big.csv"))
    frame_mb = read_table(raw, "big.csv").frame.memory_usage(deep=True).sum() / 1e6
    print(f"load: read_table {ours:.2f} s, bare pandas.read_csv {bare:.2f} s, "
          f"ratio {ours / bare:.2f}")
    rss_before_app = peak_rss_mb()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.switch_page("pages/data.py").run()
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    start = time.perf_counter()
    at.file_uploader(key="upload").set_value(("big.csv", raw, "text/csv")).run()
    upload_s = time.perf_counter() - start
    assert not at.exception, at.exception
    data_rerun = timed(lambda: at.run())
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select("ridge").run()
    assert not at.exception, at.exception
    train_rerun = timed(lambda: at.run())
    print(f"upload through the Data page (parse + profile): {upload_s:.2f} s")
    print(f"rerun with 1M rows loaded: Data page {data_rerun:.3f} s, "
          f"Train page (model cached) {train_rerun:.3f} s")
    peak = peak_rss_mb()
    print(f"DataFrame {frame_mb:.0f} MB; peak RSS {rss_before_app:.0f} MB after loading, "
          f"{peak:.0f} MB after the app; ratio peak/frame {peak / frame_mb:.1f}")
    print(f"load_ratio={ours / bare:.2f}")


if __name__ == "__main__":
    main()
