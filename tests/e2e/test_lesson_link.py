"""In a real browser: the link "Copy a link to this view" offers, opened on a fresh server,
shows the same algorithm, settings and diagram; diagram text stays at least 11 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    new_context,
    start_server,
    stop_server,
    train_tree_and_open_model,
)

MIN_TEXT_PX = 11

# The rendered size of every text in the tree diagram: its font size in SVG units times the
# scale the page draws the SVG at (Streamlit shrinks a diagram wider than the page).
TEXT_SIZES = """
(chart) => Array.from(chart.querySelectorAll('svg text')).map(t => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
})
"""


@pytest.fixture(scope="module")
def second_server() -> Iterator[str]:
    proc, url = start_server()
    yield url
    stop_server(proc)


def what_is_shown(page: Any) -> dict[str, Any]:
    main = page.get_by_test_id("stMain")
    chart = page.get_by_test_id("stGraphVizChart")
    expect(chart.locator("svg g.node").first).to_be_visible()
    return {
        "summary": main.get_by_text("predicting", exact=False).first.inner_text(),
        "settings": main.get_by_text("Split criterion", exact=False).first.inner_text(),
        "depth": page.get_by_test_id("stSlider").first.get_by_role("slider").input_value(),
        "nodes": sorted(chart.locator("svg g.node").all_text_contents()),
    }


def test_lesson_link_reproduces_the_view_on_a_fresh_server(
    server_url: str, second_server: str, browser: Any
) -> None:
    maker = new_context(browser)
    page = maker.new_page()
    train_tree_and_open_model(page, server_url)
    depth = page.get_by_test_id("stSlider").first.get_by_role("slider")
    nodes = page.get_by_test_id("stGraphVizChart").locator("svg g.node")
    expect(nodes.first).to_be_visible()
    shallow = nodes.count()
    depth.focus()
    page.keyboard.press("ArrowRight")  # depth 2 → 3: a control the link must carry
    expect(depth).to_have_value("3")
    # The slider moves in the browser at once; the server draws the deeper diagram first and
    # fills the link box last in the same run (it carries every control of the open tab). Until
    # that run ends, the box still holds the depth-2 link (a loaded CI run copied it), so the
    # test waits for the diagram to grow and then for the link of depth 3.
    expect(nodes.nth(shallow)).to_be_attached()
    page.get_by_text("Copy a link to this view").click()
    code = page.get_by_test_id("stCode").filter(has_text="sample=")
    expect(code).to_contain_text("w.tree_depth=3")
    made = what_is_shown(page)
    link = code.inner_text().strip()
    maker.close()
    parts = urlsplit(link)
    assert parts.path == "/model" and "algo=tree" in parts.query and "w.tree_depth=3" in link

    viewer = new_context(browser)
    fresh = viewer.new_page()
    fresh.goto(f"{second_server}{parts.path}?{parts.query}")
    expect(fresh.get_by_role("heading", name="See the model")).to_be_visible()
    seen = what_is_shown(fresh)
    viewer.close()
    assert seen == made


@pytest.mark.parametrize("width", [1440, 800])
def test_tree_diagram_text_is_legible(server_url: str, browser: Any, width: int) -> None:
    context = new_context(browser, width=width)
    page = context.new_page()
    page.goto(f"{server_url}/model?sample=diabetes&algo=tree&tab=Model")
    chart = page.get_by_test_id("stGraphVizChart")
    expect(chart.locator("svg g.node").first).to_be_visible()
    sizes = chart.evaluate(TEXT_SIZES)
    context.close()
    assert sizes and min(sizes) >= MIN_TEXT_PX, (width, min(sizes))
