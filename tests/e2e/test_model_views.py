"""In a real browser: train a decision tree, then see its diagram and its boundary drawn."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_tree_diagram_and_boundary_are_drawn(server_url: str, page: Any) -> None:
    page.goto(server_url)
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Train").click()
    algorithm = page.get_by_test_id("stSelectbox").filter(has_text="Algorithm")
    expect(algorithm).to_be_visible()
    if "Decision tree" not in algorithm.inner_text():
        algorithm.click()
        page.get_by_role("option", name="Decision tree", exact=True).click()
    expect(page.get_by_test_id("stSidebar").get_by_text("Decision tree")).to_be_visible()

    nav.get_by_role("link", name="See the model").click()
    expect(page.get_by_role("heading", name="See the model")).to_be_visible()
    nodes = page.get_by_test_id("stGraphVizChart").locator("svg g.node")
    expect(nodes.first).to_be_visible()
    assert nodes.count() > 3
    assert "petal" in page.get_by_test_id("stGraphVizChart").inner_text()

    page.get_by_role("tab", name="Boundary").click()
    drawn = page.get_by_test_id("stVegaLiteChart").locator("canvas, svg")
    expect(drawn.first).to_be_visible()
    box = drawn.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    expect(page.get_by_text("Colour = predicted class", exact=False)).to_be_visible()
