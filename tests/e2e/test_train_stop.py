"""A long fit in a real browser: it runs in a worker, Stop ends it, the previous model stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from playwright.sync_api import expect

ROWS = 60_000  # an RBF SVR on this many rows takes minutes: far longer than the click on Stop


def test_stop_a_kernel_svm_on_all_rows_keeps_the_previous_model(
    server_url: str, page: Any, tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=ROWS).round(4) for i in range(4)})
    frame["y"] = (frame["x0"] * 2 - frame["x1"] + rng.normal(size=ROWS)).round(4)
    csv = tmp_path / "many.csv"
    frame.to_csv(csv, index=False)
    page.goto(f"{server_url}/data")
    page.get_by_text("Upload a file").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    expect(page.get_by_text("60,000 rows", exact=False).first).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Train").click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Linear regression")).to_be_visible()  # the previous model
    algorithm = page.get_by_test_id("stSelectbox").filter(has_text="Algorithm")
    algorithm.click()
    page.get_by_role("option", name="Support vector machine", exact=True).click()
    page.get_by_role("button", name="Train on all 60,000 rows anyway").click()
    # (the progress line itself redraws every second; the page tests read its text)
    expect(page.get_by_text("Until it is ready, the previous model is shown.")).to_be_visible()
    page.get_by_role("button", name="Stop").click()
    expect(
        page.get_by_text("Stopped training the support vector machine", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("(Linear regression, test R²", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)
    expect(sidebar.get_by_text("Linear regression")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
