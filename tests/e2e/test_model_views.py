"""In a real browser: train a decision tree, then see its diagram and its boundary drawn."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import train_tree_and_open_model


def test_tree_diagram_and_boundary_are_drawn(server_url: str, page: Any) -> None:
    train_tree_and_open_model(page, server_url)
    diagram = page.get_by_test_id("stGraphVizChart")
    # waits, not reads: under load the SVG is still being drawn when its first node shows
    expect(diagram.locator("svg g.node").nth(3)).to_be_attached()
    expect(diagram).to_contain_text("petal")

    page.get_by_role("tab", name="Boundary").click()
    drawn = page.get_by_test_id("stVegaLiteChart").locator("canvas, svg")
    expect(drawn.first).to_be_visible()
    page.wait_for_function(  # laid out at full size, not only attached
        """() => [...document.querySelectorAll(
                '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')]
            .some(c => c.getBoundingClientRect().width > 200
                && c.getBoundingClientRect().height > 200)"""
    )
    expect(page.get_by_text("Colour = predicted class", exact=False)).to_be_visible()
