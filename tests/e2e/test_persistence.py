"""A reload in a real browser keeps the work: same data, target, model and scores."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import new_context


def penguins(tmp_path: Path) -> Path:
    path = tmp_path / "penguins.csv"
    rows = ["bill_length,bill_depth,island,species"] + [
        f"{30 + i % 17},{14 + (i * 7) % 5},{'ABC'[i % 3]},{'xyz'[(i // 2) % 3]}" for i in range(90)
    ]
    path.write_text("\n".join(rows) + "\n")
    return path


def work_summary(sidebar: Any) -> str:
    """The sidebar's data, target and model lines (not its navigation, nor the language switch
    below them, which may still be drawing when the text is read)."""
    text = sidebar.inner_text()
    return text[text.index("Data:") :].split("Language")[0].rstrip()


def metric_values(page: Any) -> list[str]:
    return page.get_by_test_id("stMetricValue").all_inner_texts()


def expect_scores(page: Any, scores: list[str]) -> None:
    """The first two metrics show ``scores`` (waits while the page is still drawing)."""
    for i, value in enumerate(scores[:2]):
        expect(page.get_by_test_id("stMetricValue").nth(i)).to_have_text(value)


def test_upload_train_reload_keeps_everything(
    server_url: str, browser: Any, tmp_path: Path
) -> None:
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{server_url}/data")
    page.get_by_text("Upload a file").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(penguins(tmp_path)))
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("penguins.csv")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_text("Train", exact=True).click()
    expect(sidebar.get_by_text("Model:", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").nth(1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]project=[A-Za-z0-9_-]{16,}"))
    expect(sidebar.get_by_text("Saved as you work", exact=False)).to_be_visible()  # run done
    before_url, before_scores = page.url, metric_values(page)
    before_sidebar = work_summary(sidebar)
    assert "Target: species" in before_sidebar.replace("\n", " ")

    page.reload()
    expect(sidebar.get_by_text("penguins.csv")).to_be_visible()
    expect(sidebar.get_by_text("Model:", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_be_visible()
    assert page.url == before_url
    expect_scores(page, before_scores)
    assert work_summary(sidebar) == before_sidebar

    # the same link in a new browser (no shared session) opens the same work
    other = new_context(browser)
    second = other.new_page()
    second.goto(before_url)
    expect(second.get_by_test_id("stSidebar").get_by_text("penguins.csv")).to_be_visible()
    expect(second.get_by_test_id("stMetricValue").first).to_be_visible()
    expect_scores(second, before_scores)
    # and a visitor without the link sees none of it
    stranger = other.new_page()
    stranger.goto(f"{server_url}/projects")
    expect(stranger.get_by_text("Not listed", exact=False)).to_be_visible()
    expect(
        stranger.get_by_test_id("stSidebar").get_by_text("Iris flowers", exact=False)
    ).to_be_visible()
    assert stranger.get_by_text("penguins.csv").count() == 0
    other.close()
    context.close()
