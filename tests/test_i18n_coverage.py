"""No user-facing literal string bypasses the translation mechanism (an AST scan).

Scanned: every file of ``app.py``, ``pages/``, ``ui/`` and ``mllib/`` (issue 15 converted them
all; a new file is checked from the moment it exists).
Flagged: an English literal (or f-string) given as the text of a Streamlit element or widget
(first argument, ``label``, ``help``, ``placeholder``, ``caption``, the labels of ``st.tabs``),
as a chart or axis ``title``, or as the message or hint of a ``GlassboxError``. Wrapping it in
``_()``, ``msg()``, ``N_()`` or a translator ``tr()`` passes. ``_`` is never assigned on the
Streamlit side (it is the translation call).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

UI_CALLS = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "toast", "exception", "button", "download_button", "page_link",
    "slider", "select_slider", "selectbox", "multiselect", "radio", "checkbox", "toggle",
    "text_input", "number_input", "text_area", "file_uploader", "expander", "popover", "metric",
    "spinner", "form_submit_button", "segmented_control", "pills", "status", "date_input",
    "color_picker", "page_header", "link_button",
}  # fmt: skip
TEXT_KEYWORDS = {"label", "help", "placeholder", "caption"}
ERRORS = {"GlassboxError", "DataError", "TrainingError", "ProjectFileError", "QuotaError"}
WRAPPERS = {"_", "msg", "N_", "tr"}
ALLOWED_WORDS = re.compile(r":material/[a-z_]+:|\bGlassbox\b|`[^`]*`|\{[^}]*\}|https?://\S*")
LOGGERS = {"log", "logger", "logging", "warnings"}  # messages for the server log, not people


def sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("pages", "ui", "mllib"):
        files.extend(sorted((ROOT / folder).rglob("*.py")))
    return files


def _english(node: ast.AST) -> bool:
    """A literal or f-string whose constant parts hold a word of two or more letters."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    elif isinstance(node, ast.BinOp):
        return _english(node.left) or _english(node.right)
    else:
        return False
    return any(re.search(r"[A-Za-z]{2,}", ALLOWED_WORDS.sub(" ", p)) for p in parts)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _logger(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and _name(func.value) in LOGGERS


def findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    streamlit_side = "mllib" not in path.parts
    out = []
    for node in ast.walk(tree):
        underscore = isinstance(node, ast.Name) and node.id == "_"
        if streamlit_side and underscore and isinstance(node.ctx, ast.Store):
            out.append(f"{node.lineno}: `_` assigned (it is the translation call)")
        if not isinstance(node, ast.Call) or _name(node.func) in WRAPPERS or _logger(node.func):
            continue
        name = _name(node.func)
        texts: list[ast.AST] = []
        if name in ERRORS:
            texts.extend(node.args[:2])
        elif name in UI_CALLS and name != "page_link":  # page_link's first argument is a path
            texts.extend(node.args[:1])
        if name in UI_CALLS or name in ERRORS:
            texts.extend(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS | {"hint"})
        if name == "tabs" and node.args and isinstance(node.args[0], ast.List | ast.Tuple):
            texts.extend(node.args[0].elts)
        texts.extend(k.value for k in node.keywords if k.arg == "title")
        out.extend(f"{t.lineno}: {ast.unparse(t)[:70]}" for t in texts if _english(t))
    return out


def test_no_user_facing_literal_bypasses_the_translation_mechanism() -> None:
    found = {}
    for path in sources():
        problems = findings(path)
        if problems:
            found[str(path.relative_to(ROOT))] = problems[:5]
    assert not found, found


def test_the_scan_reads_every_page_and_module() -> None:
    names = {str(p.relative_to(ROOT)) for p in sources()}
    assert {"app.py", "pages/model.py", "ui/shell.py", "mllib/charts/evaluation.py"} <= names
    assert len(names) >= 100


def test_the_scan_flags_literals_and_passes_wrapped_ones(tmp_path: Path) -> None:
    code = tmp_path / "page.py"
    code.write_text(
        "st.title('Train a model')\n"
        "st.caption(_('Train a model'))\n"
        "st.button(label=f'Open {name}')\n"
        "st.markdown('### Glassbox')\n"
        "raise GlassboxError(f'No file {p}', 'Try again.')\n"
        "raise GlassboxError(msg('No file {p}', p=p))\n"
        "alt.X('x', title='Hours studied')\n"
        "st.tabs(['Model', _('Boundary')])\n"
        "for _, row in rows: pass\n",
        encoding="utf-8",
    )
    lines = sorted(int(f.split(":")[0]) for f in findings(code))
    assert lines == [1, 3, 5, 5, 7, 8, 9]
