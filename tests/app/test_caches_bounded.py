"""Every cache in the app layer is bounded, so memory cannot grow without limit as sessions
come and go (issue: many users on one server)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

APP_FILES = sorted(
    [*Path(ROOT, "ui").glob("*.py"), *Path(ROOT, "pages").glob("*.py"), Path(ROOT, "app.py")]
)


def cache_decorators(path: Path) -> list[ast.Call | ast.Attribute]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if isinstance(target, ast.Attribute) and target.attr in (
                    "cache_data",
                    "cache_resource",
                ):
                    found.append(deco)
    return found


def test_there_are_caches_to_check() -> None:
    assert sum(len(cache_decorators(p)) for p in APP_FILES) >= 5


def test_every_cache_has_max_entries() -> None:
    unbounded = []
    for path in APP_FILES:
        for deco in cache_decorators(path):
            keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
            if "max_entries" not in keywords:
                unbounded.append(f"{path.name}:{deco.lineno}")
    assert not unbounded, f"unbounded caches: {unbounded}"


def test_mllib_has_no_module_level_caches() -> None:
    for path in Path(ROOT, "mllib").glob("*.py"):
        source = path.read_text()
        assert "lru_cache(maxsize=None)" not in source and "@cache\n" not in source, path.name
