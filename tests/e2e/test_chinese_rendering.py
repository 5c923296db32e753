"""In a real browser: See the model in 简体中文 draws its Chinese labels with a CJK font, in the
tree diagram (SVG text, Graphviz) and in the decision-boundary chart (Vega), not as boxes.

CI installs ``fonts-noto-cjk`` (``.ci/run``); without a CJK font these tests fail, as a Chinese
reader would see empty boxes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

CJK = re.compile(r"[\u4e00-\u9fff]")
CJK_FAMILY = re.compile(r"CJK|Hei|PingFang|Han Sans|WenQuanYi|Droid Sans Fallback", re.I)

# Pixels of a few characters drawn on a canvas with the page's own font stack: real glyphs
# differ from each other and from a code point no font has (drawn as a box), boxes do not.
GLYPHS = """
(font) => {
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 32;
    const context = canvas.getContext('2d');
    context.font = font;
    context.fillText(text, 2, 24);
    return Array.from(context.getImageData(0, 0, 64, 32).data).join(',');
  };
  const box = draw('\\u{10FFFD}');
  const decide = draw('决'), edge = draw('边');
  return {decide: decide !== box, boundary: edge !== box, differ: decide !== edge};
}
"""


def platform_fonts(page: Any, selector: str) -> dict[str, list[str]]:
    """Text of each element matching ``selector`` → the fonts Chromium drew it with (CDP)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
    out: dict[str, list[str]] = {}
    for node in found:
        html = cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
        text = re.sub(r"<[^>]+>", "", html)
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        out[text] = [f["familyName"] for f in fonts if f.get("glyphCount", 0) > 0]
    return out


def test_the_tree_diagram_draws_chinese_with_a_cjk_font(
    page: Any, server_url: str, tmp_path: Path
) -> None:
    page.goto(f"{server_url}/model?lang=zh&sample=iris&algo=tree&tab=Model")
    chart = page.get_by_test_id("stGraphVizChart")
    expect(chart.locator("svg g.node").first).to_be_visible()
    expect(chart.get_by_text("个样本").first).to_be_visible()
    chart.screenshot(path=str(tmp_path / "tree-zh.png"))
    fonts = platform_fonts(page, "[data-testid=stGraphVizChart] svg text")
    chinese = {text: used for text, used in fonts.items() if CJK.search(text)}
    assert chinese, fonts
    boxes = {text: used for text, used in chinese.items() if not any(map(CJK_FAMILY.search, used))}
    assert not boxes, boxes


def test_the_boundary_chart_draws_chinese_labels(
    page: Any, server_url: str, tmp_path: Path
) -> None:
    page.goto(f"{server_url}/model?lang=zh&sample=moons&algo=svm&tab=Boundary")
    chart = page.locator("[data-testid=stVegaLiteChart]:visible").first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("看得透的机器学习")).to_be_visible()
    chart.screenshot(path=str(tmp_path / "boundary-zh.png"))
    font = chart.locator("canvas, svg").first.evaluate("(e) => getComputedStyle(e).font")
    drawn = page.evaluate(GLYPHS, font or "13px sans-serif")
    assert drawn == {"decide": True, "boundary": True, "differ": True}, (font, drawn)
