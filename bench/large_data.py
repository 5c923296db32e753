"""A million rows: load time against bare pandas, page reruns, and peak memory, in one run.

Generates a 1,000,000 × 20 mixed CSV (about 140 MB) in a temporary folder, then measures:
- ``read_table`` (sniffing, checks, notes) against a bare ``pandas.read_csv`` of the same bytes;
- the Data page and the Train page rerunning (AppTest) with that table loaded and a linear model
  trained: what a user waits for after touching a widget;
- the peak resident memory of this process against the DataFrame's own size;
- ridge on every row: the Train page's fit against a bare fit on the encoded matrix
  (``linear_fit_ratio_1m=``), the gate's estimate for it against its measured time
  (``gate_estimate_ratio_1m=``), the peak memory of that training over the DataFrame's size
  (``fit_peak_memory_ratio_1m=``, in a fresh process), and a fresh server's first page
  (``cold_first_page_s=``, see ``bench/cold_start.py``).
Set ``GLASSBOX_BENCH_ROWS`` to try another size.
"""

from __future__ import annotations

import io
import os
import re
import resource
import statistics
import subprocess
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

from sklearn.base import clone  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from mllib import training  # noqa: E402
from mllib.data import read_table  # noqa: E402
from ui import background_fit  # noqa: E402

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
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 * 1.048576  # KiB → MB


def main() -> None:
    raw = synthetic_csv(ROWS)
    print(f"{ROWS:,} rows, {len(raw) / 1e6:.0f} MB of CSV")
    frame_mb, load_peak = load_memory(raw)
    bare = timed(lambda: pd.read_csv(io.BytesIO(raw)))
    ours = timed(lambda: read_table(raw, "big.csv"))
    print(
        f"load: read_table {ours:.2f} s, bare pandas.read_csv {bare:.2f} s, ratio {ours / bare:.2f}"
    )
    print(
        f"memory: DataFrame {frame_mb:.0f} MB; loading raised the peak by {load_peak:.0f} MB "
        f"({load_peak / frame_mb:.1f}x the DataFrame)"
    )

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.switch_page("pages/data.py").run()
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    start = time.perf_counter()
    at.file_uploader(key="upload").set_value(("big.csv", raw, "text/csv")).run()
    upload_s = time.perf_counter() - start
    check(at)
    data_rerun = timed(lambda: at.run())
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select("ridge").run()
    asked = [w.value for w in at.warning if "may take about" in w.value]
    start = time.perf_counter()
    if asked:  # the Train page asks before a slow fit; take the sample it offers
        at.button(key="go_sample").click().run()
    train_s = time.perf_counter() - start
    check(at)
    notes = [w.value for w in at.warning]
    train_rerun = timed(lambda: at.run())
    start = time.perf_counter()
    at.switch_page("pages/model.py").run()
    model_s = time.perf_counter() - start
    check(at)
    print(f"upload through the Data page (parse + profile): {upload_s:.2f} s")
    print(f"Train page: {'asked first: ' + asked[0][:80] if asked else 'did not ask'}")
    print(f"  trained in {train_s:.2f} s; notes: {' | '.join(n[:70] for n in notes)}")
    print(
        f"rerun with 1M rows loaded: Data page {data_rerun:.3f} s, "
        f"Train page (model cached) {train_rerun:.3f} s, See the model (first) {model_s:.2f} s"
    )
    print(
        f"peak RSS of the whole run {peak_rss_mb():.0f} MB "
        "(includes this script's own copy of the CSV bytes)"
    )
    page_fit, bare_fit, rows, estimate, training_s = full_linear_fit(at)
    print(
        f"ridge on all {rows:,} training rows: page fit (prepare + fit) {page_fit:.2f} s, "
        f"bare Ridge.fit on the encoded matrix {bare_fit:.2f} s"
    )
    print(f"linear_fit_ratio_1m={page_fit / bare_fit:.2f}")
    if estimate is not None:
        print(
            f"the gate said about {estimate:,.0f} s for all rows; training them took "
            f"{training_s:.1f} s (prepare, fit, scores)"
        )
        print(f"gate_estimate_ratio_1m={estimate / training_s:.2f}")
    frame_mb, fit_rise = fit_memory(raw)
    print(
        f"memory: training ridge on every row raised the peak by {fit_rise:.0f} MB "
        f"over a {frame_mb:.0f} MB DataFrame (fresh process)"
    )
    print(f"fit_peak_memory_ratio_1m={fit_rise / frame_mb:.2f}")
    from cold_start import first_page_seconds

    cold, warm = first_page_seconds()
    print(f"first page: fresh server {cold:.2f} s (from its launch), warm server {warm:.2f} s")
    print(f"cold_first_page_s={cold:.2f}")
    print(f"load_ratio={ours / bare:.2f}")


def full_linear_fit(at: AppTest) -> tuple[float, float, int, float | None, float]:
    """Ridge on every row through the Train page ("all rows anyway" if it asks): the page's
    fit time (preparing the columns + fitting) and a bare fit of the same estimator on the
    matrix the page's preprocessing makes (the median of three), the number of training rows,
    the gate's estimate for all rows (``None`` if it did not ask) and the wall time of that
    training."""
    at.switch_page("pages/train.py").run()
    estimate, training_s = None, 0.0
    full = [b for b in at.button if b.key == "go_full"]
    if full:  # asked, or trained on a sample
        found = re.search(r"about ([\d,.]+) s", full[0].label)
        asked = [w.value for w in at.warning if "may take about" in w.value]
        found = found or (re.search(r"about ([\d,.]+) s", asked[0]) if asked else None)
        estimate = float(found.group(1).replace(",", "")) if found else None
        start = time.perf_counter()
        at.button(key="go_full").click().run()
        waited = None  # a guard: a job that stays in the page state after a rerun must not loop
        while (job := at.session_state[background_fit.STATE_KEY].job) not in (None, waited):
            job.wait()  # a long fit runs in a worker process: wait for it, then rerun
            at.run()
            waited = job
        training_s = time.perf_counter() - start
    check(at)
    ws = at.session_state["glassbox_workspace"]
    model = ws.model
    data = training.model_rows(ws.dataset.frame, model.config)
    train = data.iloc[model.train_index]
    Xt = model.pipeline[:-1].transform(train[list(model.config.features)])
    target = train[model.config.target]
    bare = timed(lambda: clone(model.pipeline[-1]).fit(Xt, target))  # median of 3: one varied 3×
    return model.fit_seconds, bare, len(train), estimate, training_s


LOAD_PROBE = """
import os, resource, sys
sys.path.insert(0, sys.argv[2])
from mllib.data import read_table
raw = bytearray(os.path.getsize(sys.argv[1]))  # read in place: no transient second copy
with open(sys.argv[1], "rb") as handle:
    handle.readinto(raw)
with open("/proc/self/statm") as statm:
    before = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
frame = read_table(raw, "big.csv").frame
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(frame.memory_usage(deep=True).sum() / 1e6, (after - before) / 1e6)
"""


FIT_PROBE = """
import os, sys
sys.path.insert(0, sys.argv[2])
from mllib import training
from mllib.data import read_table
from mllib.profile import Task, profile_table
raw = bytearray(os.path.getsize(sys.argv[1]))
with open(sys.argv[1], "rb") as handle:
    handle.readinto(raw)
dataset = read_table(raw, "big.csv")
del raw
profile = profile_table(dataset.frame)
features = [c for c in dataset.frame.columns if c != "target"]
config = training.TrainConfig.make("ridge", Task.REGRESSION, "target", features, {})
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the peak (VmHWM) starts again from here
with open("/proc/self/statm") as statm:
    before = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
training.train_model(dataset.frame, profile, config, dataset.fingerprint)
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
print(dataset.frame.memory_usage(deep=True).sum() / 1e6, (peak - before) / 1e6)
"""


def fit_memory(raw: bytes) -> tuple[float, float]:
    """(DataFrame MB, how much training ridge on every row raised the peak RSS in MB), in a
    fresh process (the Train page trains such a fit in a worker process of its own)."""
    return _probe(FIT_PROBE, raw)


def load_memory(raw: bytes) -> tuple[float, float]:
    """(DataFrame MB, how much loading raised the peak RSS in MB), in a fresh process so that
    earlier peaks of this one (generating the CSV) cannot hide it."""
    return _probe(LOAD_PROBE, raw)


def _probe(code: str, raw: bytes) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        path.write_bytes(raw)
        out = subprocess.run(
            [sys.executable, "-c", code, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    return float(out[0]), float(out[1])


def check(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    crashed = [e.value for e in at.error if "Something went wrong" in e.value]
    assert not crashed, crashed


if __name__ == "__main__":
    main()
