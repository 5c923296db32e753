"""Small modules with one topic each: no file in mllib/ over about 500 lines unless its module
docstring says which single topic needs the length (issue 14). scikit-learn's tree/_export.py is
long for one topic, which is fine; a long file of several topics is a folder in disguise."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MLLIB = Path(__file__).resolve().parent.parent / "mllib"
MAX_LINES = 500
# A long module's docstring holds a sentence that starts "One topic: ...".
MARKER = "one topic:"

MODULES = sorted(MLLIB.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(MLLIB.parent).as_posix()


def _lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def test_the_engine_has_modules_to_check() -> None:
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_module_is_short_or_says_its_one_topic(path: Path) -> None:
    lines = _lines(path)
    if lines <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert MARKER in docstring.lower(), (
        f"{_name(path)} has {lines} lines (over {MAX_LINES}): split it by topic, or, if one "
        "topic needs the length, say which in its module docstring ('One topic: ...')"
    )
