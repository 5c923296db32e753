"""Real-browser fixtures: a fresh ``streamlit run`` on a free loopback port and headless Chromium.

Outside CI a missing browser skips these tests; in CI (``CI=true``) it fails them, so a
broken browser install can never turn the suite green.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("GLASSBOX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One render timeout for every browser wait. Playwright's `expect` assertions keep their own
# 5 s default (page.set_default_timeout does not reach them): that default failed two fresh-clone
# CI runs, so it is raised here for the whole suite. GLASSBOX_RENDER_TIMEOUT_S stretches it further
# on a machine that is known to be slower still.
RENDER_TIMEOUT_MS = int(float(os.environ.get("GLASSBOX_RENDER_TIMEOUT_S", "60")) * 1000)
SERVER_START_TIMEOUT_S = 60


def _use_render_timeout_everywhere() -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=RENDER_TIMEOUT_MS)


with contextlib.suppress(ImportError):  # the browser fixture skips (or fails in CI) and says why
    _use_render_timeout_everywhere()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    # saved projects go to a throwaway home, never the real ~/.glassbox
    home = tempfile.mkdtemp(prefix="glassbox_e2e_")
    env = {**os.environ, "GLASSBOX_HOME": home, **(extra_env or {})}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    proc.glassbox_home = home  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as resp:
                if resp.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError(f"streamlit gave no /_stcore/health answer in {SERVER_START_TIMEOUT_S} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(getattr(proc, "glassbox_home", ""), ignore_errors=True)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """A server started fresh for each test module (so deep links hit a fresh server)."""
    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: browser tests cannot run in CI")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = new_context(browser)
    yield context.new_page()
    context.close()


def new_context(browser: object, width: int = 1400, height: int = 1800) -> object:
    """A browser context whose every wait (actions, navigation) uses the render timeout."""
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    context.set_default_navigation_timeout(RENDER_TIMEOUT_MS)
    return context


def train_tree_and_open_model(page: Any, server_url: str) -> None:
    """The real flow: Train → choose the decision tree → See the model, its diagram drawn."""
    from playwright.sync_api import expect

    page.goto(server_url)
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Train").click()
    algorithm = page.get_by_test_id("stSelectbox").filter(has_text="Algorithm")
    expect(algorithm).to_be_visible()
    if "Decision tree" not in algorithm.inner_text():
        algorithm.click()
        page.get_by_role("option", name="Decision tree", exact=True).click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Decision tree")).to_be_visible()
    nav.get_by_role("link", name="See the model").click()
    expect(page.get_by_role("heading", name="See the model")).to_be_visible()
    expect(page.get_by_test_id("stGraphVizChart").locator("svg g.node").first).to_be_visible()
