"""The app shell around every page (ui.shell): a page opened directly, as a deep link on a
fresh server is, still gets the shared sidebar once and its own content once.

AppTest starts each run in Streamlit's legacy ``pages/`` mode, the mode a fresh server is in
when its first request is a deep link, so these runs exercise ``ensure_app_shell``; the
browser test tests/e2e/test_deep_link.py checks the same on a real server.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.helpers import assert_healthy
from ui.shell import PAGES

HEADINGS = {"Home": "Glassbox"}  # the home page's title is the product's name


@pytest.mark.parametrize("info", PAGES, ids=[p.url for p in PAGES])
def test_a_page_opened_directly_has_the_shell_once(app: Any, info: Any) -> None:
    at = app(info.path)
    assert_healthy(at)
    sidebar = [str(m.value) for m in at.sidebar.markdown]
    assert sidebar.count("### Glassbox") == 1, sidebar
    titles = [str(t.value) for t in at.title]
    assert titles.count(HEADINGS.get(info.title, info.title)) == 1, titles
