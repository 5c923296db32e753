"""Every browser wait uses the suite's render timeout: no literal few-second waits in tests/e2e.

Two fresh-clone CI runs failed on Playwright's 5 s `expect` default; this keeps literals out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parent / "e2e"
WAIT_CALLS = {"set_default_timeout", "set_default_navigation_timeout", "wait_for_timeout"}


def literal_waits(source: str) -> list[str]:
    """Calls that pass a number literal as a timeout (keyword or positional to a wait call)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        for keyword in node.keywords:
            if keyword.arg == "timeout" and isinstance(keyword.value, ast.Constant):
                found.append(f"line {node.lineno}: {name}(timeout={keyword.value.value})")
        if name in WAIT_CALLS and node.args and isinstance(node.args[0], ast.Constant):
            found.append(f"line {node.lineno}: {name}({node.args[0].value})")
    return found


@pytest.mark.parametrize("path", sorted(E2E.glob("test_*.py")), ids=lambda p: p.name)
def test_browser_tests_use_the_render_timeout(path: Path) -> None:
    assert literal_waits(path.read_text()) == []


def test_the_scan_finds_literal_waits() -> None:
    source = "page.set_default_timeout(5000)\nexpect(x).to_be_visible(timeout=5_000)\n"
    assert len(literal_waits(source)) == 2


def test_expect_default_is_the_render_timeout() -> None:
    pytest.importorskip("playwright")
    from playwright.sync_api import expect

    from tests.e2e.conftest import RENDER_TIMEOUT_MS

    assert RENDER_TIMEOUT_MS >= 30_000
    assert expect._timeout == RENDER_TIMEOUT_MS  # set once, for every assertion in the suite
