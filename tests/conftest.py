"""Shared fixtures: tiny data, the bundled samples, and an AppTest factory."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLES = ROOT / "sample_data"


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx file with one sheet per entry (test data is made in the test, never stored)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session", autouse=True)
def glassbox_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test (and every app or service it starts) keeps Glassbox's own files, e.g. the
    model signing key, in a temporary GLASSBOX_HOME, never in the real ~/.glassbox."""
    home = tmp_path_factory.mktemp("glassbox-home")
    before = os.environ.get("GLASSBOX_HOME")
    os.environ["GLASSBOX_HOME"] = str(home)
    yield home
    if before is None:
        os.environ.pop("GLASSBOX_HOME", None)
    else:
        os.environ["GLASSBOX_HOME"] = before


@pytest.fixture(autouse=True)
def fresh_process_memory() -> None:
    """Each test starts with nothing learned or kept by earlier ones: fit costs
    (:mod:`mllib.costs`) and prepared rows (:mod:`mllib.prepared`) are per process, and a
    test's estimate must not depend on which tests ran before it."""
    from mllib import costs, prepared

    costs.forget()
    prepared.CACHE.clear()


@pytest.fixture
def project_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A GLASSBOX_HOME of this test's own, for tests that count the projects saved in it."""
    path = tmp_path / "glassbox_home"
    monkeypatch.setenv("GLASSBOX_HOME", str(path))
    monkeypatch.delenv("GLASSBOX_SINGLE_USER", raising=False)
    return path


@pytest.fixture
def sample_bytes() -> Callable[[str], bytes]:
    return lambda name: (SAMPLES / name).read_bytes()


@pytest.fixture
def iris() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "iris.csv")


@pytest.fixture
def clear_streamlit_caches() -> Iterator[None]:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app(clear_streamlit_caches: None) -> Callable[..., object]:
    """``app()`` -> a fresh AppTest of the whole app (first run done); ``app("pages/x.py")``
    opens that page instead."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        return at.run()

    return make


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[str]:
    """A two-worker Dask cluster on loopback; yields its scheduler address.

    Module-scoped on purpose: its in-process workers keep threads that touch the ``random``
    module, and alive during later tests they made Hypothesis report flaky strategies."""
    distributed = pytest.importorskip("distributed")
    from mllib import parallel

    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local.scheduler_address
        parallel.close_clients()
