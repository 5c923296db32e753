"""Take screenshots of Glassbox pages in headless Chromium (used for docs/ and for review).

Usage: python scripts/screenshot.py OUT_DIR [PATH ...]   e.g. ``data train model``
Starts its own server on a free port; the pages are opened through the sidebar in one browser
session, in order, so a model trained on ``train`` is there for ``model``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server
from ui.shell import PAGES


def main(out_dir: str, paths: list[str], width: int = 1400, height: int = 2000) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    proc, url = start_server()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)  # one session: later pages see what earlier ones trained
            page.wait_for_selector("[data-testid='stSidebarNav']", timeout=30_000)
            titles = {p.url: p.title for p in PAGES}
            for path in paths or [""]:
                if path:
                    nav = page.get_by_test_id("stSidebarNav")
                    nav.get_by_text(titles[path], exact=True).click()
                page.wait_for_timeout(5000)
                target = out / f"{path or 'home'}.png"
                page.screenshot(path=str(target))
                print(target)
            browser.close()
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
