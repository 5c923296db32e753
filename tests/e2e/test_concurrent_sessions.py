"""Five people on one server, each with their own file: nobody sees anyone else's data."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import new_context

USERS = 5


def make_csv(tmp_path: Path, user: int) -> Path:
    path = tmp_path / f"user{user}_data.csv"
    header = f"u{user}_a,u{user}_b,u{user}_label"
    rows = [f"{i + user},{(i * (user + 2)) % 13},{'xy'[(i + user) % 2]}" for i in range(40 + user)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_five_sessions_each_see_only_their_own_data(
    server_url: str, browser: Any, tmp_path: Path
) -> None:
    contexts = [new_context(browser) for _ in range(USERS)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.goto(f"{server_url}/data")
        for user, page in enumerate(pages):  # all upload before anyone checks
            page.get_by_text("Upload a file").click()
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
                str(make_csv(tmp_path, user))
            )
        for user, page in enumerate(pages):
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text(f"user{user}_data.csv")).to_be_visible()
            expect(sidebar.get_by_text(f"{40 + user} rows", exact=False)).to_be_visible()
            expect(sidebar.get_by_text(f"u{user}_label", exact=False)).to_be_visible()
            for other in range(USERS):
                if other != user:
                    expect(page.get_by_text(f"user{other}_data.csv")).to_have_count(0)
        for user, page in enumerate(pages):  # each trains on its own rows
            page.get_by_test_id("stSidebarNav").get_by_text("Train", exact=True).click()
            expect(page.get_by_test_id("stMetric").first).to_be_visible()
            rows = page.get_by_test_id("stMetric").filter(has_text="Rows (train / test)")
            n = 40 + user
            expect(rows).to_contain_text(f"{n - math.ceil(n / 4)} / {math.ceil(n / 4)}")
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text(f"u{user}_label", exact=False)).to_be_visible()
    finally:
        for context in contexts:
            context.close()
