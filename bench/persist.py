"""Is saving felt? Slider change → Train page rerun finished, with project saving on and off.

In one run, on 100k synthetic rows with a ridge model, two AppTest sessions on one server (one
with ``GLASSBOX_PERSIST=1``, one with ``0``) move the α slider through the same values, in
alternating blocks. Saving writes a settings row at once and the model (``.skops``) on the
background thread a moment later; the Parquet data was written once, before the timed part.

- ``paced``: moves alternate between the two sessions, and before each move the saver is let
  finish (as when the user pauses to read the scores): the rerun's own cost of saving, with the
  same machine load on both sides. The last line is ``persist_ratio=<median on / median off>``.
- ``back-to-back``: blocks of moves with no pause; the model save is debounced (1 s), so it
  mostly runs after the block; printed for information.

The slider values are fitted once before timing (the model cache is warm), so a rerun is the
page itself without a fit: the smallest base, against which saving would show most. Saving the
model (metadata over the training rows, then ``.skops``) takes about 0.3-0.5 s of CPU at 100k
rows on the background thread, one second after the last change.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["GLASSBOX_HOME"] = tempfile.mkdtemp(prefix="glassbox_bench_")  # never ~/.glassbox

from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.train_rerun import synthetic, train_page  # noqa: E402
from mllib import projects  # noqa: E402

ROWS = int(os.environ.get("GLASSBOX_BENCH_ROWS", 100_000))
VALUES = ["10", "0.1", "1", "100", "0.01", "5"]
BLOCKS = 3
PAUSE_S = 0.5


def session(raw: bytes, persist: bool) -> AppTest:
    os.environ["GLASSBOX_PERSIST"] = "1" if persist else "0"
    at = train_page(raw, "ridge")
    assert not at.exception, at.exception
    assert ("project" in at.query_params) == persist
    return at


def move(at: AppTest, persist: bool, value: str) -> float:
    os.environ["GLASSBOX_PERSIST"] = "1" if persist else "0"
    widget = at.select_slider(key="p_ridge_alpha").set_value(value)
    start = time.perf_counter()
    widget.run()
    seconds = time.perf_counter() - start
    assert not at.exception, at.exception
    return seconds


def back_to_back(sessions: dict[bool, AppTest]) -> dict[bool, list[float]]:
    times: dict[bool, list[float]] = {True: [], False: []}
    for block in range(BLOCKS):
        order = (True, False) if block % 2 == 0 else (False, True)
        for persist in order:
            for value in VALUES[block % 2 :] + VALUES[: block % 2]:
                times[persist].append(move(sessions[persist], persist, value))
            projects.shared_saver().flush()  # the next block starts with nothing pending
    return times


def paced(sessions: dict[bool, AppTest]) -> dict[bool, list[float]]:
    times: dict[bool, list[float]] = {True: [], False: []}
    for block in range(BLOCKS):
        for i, value in enumerate(VALUES):
            order = (True, False) if (block + i) % 2 == 0 else (False, True)
            for persist in order:
                projects.shared_saver().flush()  # the user paused: earlier saves are done
                time.sleep(PAUSE_S)
                times[persist].append(move(sessions[persist], persist, value))
    return times


def timing_saves() -> dict[str, list[float]]:
    """Time what saving does on the page's own thread (restore, autosave) in the saving
    session's reruns."""
    from ui import persistence

    spent: dict[str, list[float]] = {"restore": [], "autosave": []}
    for name, times in spent.items():
        real = getattr(persistence, name)

        def timed(*args: object, _real=real, _times=times, **kwargs: object):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return _real(*args, **kwargs)
            finally:
                if persistence.enabled():
                    _times.append(time.perf_counter() - start)

        setattr(persistence, name, timed)
    return spent


def main() -> None:
    spent = timing_saves()
    raw = synthetic(ROWS).to_csv(index=False).encode()
    sessions = {persist: session(raw, persist) for persist in (True, False)}
    projects.shared_saver().flush()  # the dataset's one Parquet write is not timed
    for value in VALUES:  # warm the model cache for both sessions: only saving differs
        for persist in (True, False):
            move(sessions[persist], persist, value)
    projects.shared_saver().flush()
    ratios = {}
    for label, measure in (("back-to-back", back_to_back), ("paced", paced)):
        times = measure(sessions)
        on, off = statistics.median(times[True]), statistics.median(times[False])
        ratios[label] = on / off
        print(
            f"{ROWS:,} rows, ridge, {label:<12} rerun median: saving on {on:.3f} s, "
            f"off {off:.3f} s, ratio {on / off:.2f} ({len(times[True])} reruns each)"
        )
    recent = len(VALUES) * BLOCKS
    on_thread = sum(statistics.median(t[-recent:]) for t in spent.values())
    print(f"saving on the page's thread: {1000 * on_thread:.2f} ms per rerun (median)")
    saved = projects.ProjectStore().list_projects()
    print(f"projects saved: {len(saved)}, {saved[0].bytes / 2**20:.1f} MB on disk")
    print(f"persist_ratio={ratios['paced']:.2f}")


if __name__ == "__main__":
    main()
