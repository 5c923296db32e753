"""Switching the language in a real browser redraws the page's choices in the new language."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_select_boxes_follow_a_language_switch(server_url: str, page: Any) -> None:
    """The select boxes kept their English text after the switch ("Logistic regression" and
    "off" on a Chinese Train page) until the reader left the page."""
    page.goto(f"{server_url}/train")
    algorithm = page.get_by_role("combobox", name="Algorithm")
    expect(algorithm).to_have_value("Logistic regression")
    page.get_by_test_id("stSidebar").get_by_text("简体中文").click()
    expect(page.get_by_role("combobox", name="算法")).to_have_value("逻辑回归")
    expect(page.get_by_role("combobox", name="交叉验证")).to_have_value("关")
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(page.get_by_role("combobox", name="Algorithm")).to_have_value("Logistic regression")
    expect(page.get_by_test_id("stException")).to_have_count(0)


AFTER_CONTENT = """el => getComputedStyle(el.querySelector('[data-testid="stMarkdownContainer"] p'),
    '::after').content"""


def test_the_file_uploader_speaks_chinese(server_url: str, page: Any) -> None:
    """Streamlit's uploader said "Upload" and "400MB per file • CSV, ..." on the Chinese page."""
    page.goto(f"{server_url}/data?lang=zh")
    page.get_by_text("上传文件").click()
    button = page.get_by_test_id("stFileUploaderDropzone").locator("button")
    expect(button).to_be_visible()
    assert button.evaluate(AFTER_CONTENT) == '"上传"'
    expect(page.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
    page.get_by_test_id("stSidebar").get_by_text("English").click()
    expect(page.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_visible()
    assert button.evaluate(AFTER_CONTENT) == "none"
