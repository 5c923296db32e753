"""The Data page in a real browser: samples, an upload, the preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect


def test_home_shows_the_loaded_sample(server_url: str, page: Any) -> None:
    page.goto(server_url)
    expect(page.get_by_text("Iris flowers (3 species)").first).to_be_visible()


def test_upload_csv_shows_preview(server_url: str, page: Any, tmp_path: Path) -> None:
    csv = tmp_path / "houses.csv"
    rows = ["area;rooms;city;price"] + [
        f"{50 + i};{1 + i % 5};{'AB'[i % 2]};{100 + 3 * i},5" for i in range(40)
    ]
    csv.write_text("\n".join(rows) + "\n", encoding="cp1252")
    page.goto(f"{server_url}/data")
    page.get_by_text("Upload a file").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    expect(page.get_by_text("40 rows × 4 columns", exact=False).first).to_be_visible()
    expect(page.get_by_text("semicolon-separated", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    # the sidebar follows the new data
    expect(page.get_by_test_id("stSidebar").get_by_text("houses.csv")).to_be_visible()


def test_bad_upload_keeps_previous_data(server_url: str, page: Any, tmp_path: Path) -> None:
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    page.goto(f"{server_url}/data")
    page.get_by_text("Upload a file").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    expect(page.get_by_test_id("stAlert").filter(has_text="is empty")).to_be_visible()
    expect(page.get_by_text("Still loaded:", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_json_upload_is_refused_with_a_message(server_url: str, page: Any, tmp_path: Path) -> None:
    """The browser used to refuse a .json file itself: a red icon on the file, no message."""
    records = tmp_path / "cars.json"
    records.write_text('[{"Name": "chevrolet", "Horsepower": 130, "Origin": "USA"}]')
    page.goto(f"{server_url}/data")
    page.get_by_text("Upload a file").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(records))
    expect(page.get_by_test_id("stAlert").filter(has_text="is a JSON file")).to_be_visible()
    expect(page.get_by_text("pandas.read_json", exact=False).first).to_be_visible()
    expect(page.get_by_text("Still loaded:", exact=False)).to_be_visible()
