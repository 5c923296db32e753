"""A deep link as the very first request to a fresh server shows the full app shell."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

NAV_TITLES = [
    "Home",
    "Data",
    "Train",
    "See the model",
    "Compare & tune",
    "Predict",
    "Export & serve",
    "Projects",
]


def test_deep_link_on_fresh_server_has_navigation_and_sidebar(server_url: str, page: Any) -> None:
    page.goto(f"{server_url}/train")
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Glassbox", exact=False).first).to_be_visible()
    expect(sidebar.get_by_text("Target:", exact=False)).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for title in NAV_TITLES:
        expect(nav.get_by_text(title, exact=True)).to_be_visible()
    # the page itself is the Train page, not the raw pages/ file listing
    expect(page.get_by_role("heading", name="Train")).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()


def test_second_deep_link_also_has_the_shell(server_url: str, page: Any) -> None:
    page.goto(f"{server_url}/data")
    expect(page.get_by_role("heading", name="Data")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Export & serve")).to_be_visible()
