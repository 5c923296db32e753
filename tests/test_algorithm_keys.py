"""Algorithm knowledge lives only in the catalogue: no engine, page or UI module names an
algorithm's key. Adding an algorithm is adding one spec; a branch such as ``spec.key == "svm"``
elsewhere would need an edit for every new algorithm (issue 14).

The scan covers ``mllib/`` (except ``mllib/catalogue``), ``pages/``, ``ui/`` and ``app.py``.
Tests and benchmarks are left out on purpose: they pick concrete algorithms to exercise.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mllib.catalogue import CATALOGUE
from tests.conftest import ROOT

KEYS = frozenset(CATALOGUE)


def scanned_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("mllib", "pages", "ui"):
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    catalogue = ROOT / "mllib" / "catalogue"
    return [f for f in files if f != ROOT / "mllib" / "catalogue.py" and catalogue not in f.parents]


def _allowed(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """Words that are also algorithm keys but mean something else: an SVM kernel's name
    (``est.kernel == "linear"``) and a line's interpolation (``interpolate="linear"``)."""
    parent = parents.get(node)
    if isinstance(parent, ast.Compare):
        others = [parent.left, *parent.comparators]
        return any("kernel" in ast.unparse(other) for other in others if other is not node)
    return isinstance(parent, ast.keyword) and parent.arg == "interpolate"


def _annotations(tree: ast.AST) -> set[ast.AST]:
    """Every node inside a type annotation: ``Literal["linear", ...]`` names a library's words
    (an interpolation, a kernel), not an algorithm."""
    roots = [
        root
        for node in ast.walk(tree)
        for root in (
            [node.annotation]
            if isinstance(node, ast.arg | ast.AnnAssign)
            else [node.returns]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            else []
        )
        if root is not None
    ]
    return {inner for root in roots for inner in ast.walk(root)}


def key_mentions(source: str, name: str) -> list[str]:
    """``name:line: 'key'`` for every algorithm key the code in ``source`` names."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    typed = _annotations(tree)
    return [
        f"{name}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and node.value in KEYS
        and node not in typed
        and not _allowed(node, parents)
    ]


def test_no_module_outside_the_catalogue_names_an_algorithm_key() -> None:
    found = [
        hit
        for path in scanned_files()
        for hit in key_mentions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "algorithm keys outside the catalogue:\n" + "\n".join(found)


def test_the_scan_finds_keys_but_lets_kernel_names_and_interpolation_pass() -> None:
    source = (
        'if spec.key == "svm":\n    pass\n'
        'if est.kernel == "linear":\n    pass\n'
        'chart.mark_line(interpolate="linear")\n'
        'DEFAULTS = {"tree": 3}\n'
        'use_algorithm(ws, "linear_svm")\n'
        'def draw(how: Literal["linear", "step"]) -> Literal["tree"]: ...\n'
    )
    found = sorted(key_mentions(source, "probe"))
    assert found == ["probe:1: 'svm'", "probe:6: 'tree'", "probe:7: 'linear_svm'"]
    assert len(scanned_files()) > 40  # the scan sees the engine, the pages and the UI
