"""Cold start: how long a user waits for the first page of a freshly started server.

Starts ``streamlit run app.py`` (as in production, on a free loopback port), opens it in
headless Chromium and times, from the moment the server process is launched, until the Home
page is drawn and its script has finished (Streamlit's ``data-test-script-state`` is
``notRunning``). Then a second browser tab on the same, now warm, server. Prints both; the last
line is ``cold_first_page_s=<seconds>``. ``bench/large_data.py`` prints the same line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402  (the browser tests' own server and browser)
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDER_TIMEOUT_MS,
    new_context,
    start_server,
    stop_server,
)

DONE = '[data-test-script-state="notRunning"] h1'


def first_page_seconds() -> tuple[float, float]:
    """(cold, warm) seconds to a finished first page; cold counts the server's start-up."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            start = time.perf_counter()
            proc, url = start_server()
            try:
                _open(browser, url)
                cold = time.perf_counter() - start
                warm = _open(browser, url)
            finally:
                stop_server(proc)
        finally:
            browser.close()
    return cold, warm


def _open(browser: object, url: str) -> float:
    """Seconds from opening ``url`` in a new tab to its finished first page."""
    context = new_context(browser)
    try:
        page = context.new_page()  # type: ignore[attr-defined]
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(DONE, timeout=RENDER_TIMEOUT_MS)
        return time.perf_counter() - start
    finally:
        context.close()  # type: ignore[attr-defined]


def main() -> None:
    cold, warm = first_page_seconds()
    print(f"first page: fresh server {cold:.2f} s (from its launch), warm server {warm:.2f} s")
    print(f"cold_first_page_s={cold:.2f}")


if __name__ == "__main__":
    main()
