"""In a real browser: train a decision tree, then see its diagram and its boundary drawn."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import train_tree_and_open_model


def test_tree_diagram_and_boundary_are_drawn(server_url: str, page: Any) -> None:
    train_tree_and_open_model(page, server_url)
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
