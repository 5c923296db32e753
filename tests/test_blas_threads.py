"""The app and the service run one BLAS thread per computation (see mllib/blas_threads.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import numpy  # loads OpenBLAS
from threadpoolctl import threadpool_info
from mllib import blas_threads
before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
blas_threads.limit()
blas_threads.limit()  # once is enough; a second call changes nothing
after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(before, after)
"""


def test_limit_leaves_one_blas_thread_per_call() -> None:
    """In a fresh process (the limit is process-wide), forced to two threads first."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"},
    )
    before, after = done.stdout.strip().split("] [")
    assert "2" in before and set(after.strip("[]").split(", ")) == {"1"}, done.stdout


def test_the_app_and_the_service_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from mllib import blas_threads, serve
    from tests.test_serve import bundle

    calls: list[str] = []
    monkeypatch.setattr(blas_threads, "limit", lambda: calls.append("limit"))
    AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert calls == ["limit"]
    serve.create_app(bundle())
    assert calls == ["limit", "limit"]
