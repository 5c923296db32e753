"""What a page shows as text, and the English sentences left in a page opened with ``?lang=zh``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.conftest import APP

#: The proto fields that hold words people read (not ids, specs, code or data values).
TEXT_FIELDS = {"body", "label", "help", "placeholder", "options", "caption"}
#: Element types whose text is code or markup, not sentences.
SKIPPED = {"Html", "Code", "Json"}
#: Words allowed in any language: the product's name, the language switch, file formats.
ALLOWED = ("Glassbox", "English", "简体中文")
SENTENCE = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ ,;:]+[A-Za-z][A-Za-z'’-]*){2,}")
CODE = re.compile(r"`[^`]*`|:material/[a-z_]+:|https?://\S+|[A-Z_]{3,}=\S*")


def opened_in_chinese(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    at.query_params.update({"lang": "zh", **(query or {})})
    return at.run()


def _protos(node: Any) -> Iterator[tuple[str, Any]]:
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield type(node).__name__, proto
    for child in getattr(node, "children", {}).values():
        yield from _protos(child)


def _strings(proto: Any) -> Iterator[str]:
    for described, value in proto.ListFields():
        if described.message_type is not None:
            values = value if getattr(described, "is_repeated", False) else [value]
            for item in values:
                yield from _strings(item)
        elif described.name in TEXT_FIELDS:
            yield from ([value] if isinstance(value, str) else [str(v) for v in value])


def page_texts(at: AppTest) -> list[str]:
    """Every sentence-bearing string of the page and its sidebar, plus tables' headers and
    text cells."""
    out: list[str] = []
    for kind, proto in _protos(at._tree):
        if kind not in SKIPPED:
            out.extend(_strings(proto))
    for frame in at.dataframe:
        table = frame.value
        out.extend(str(c) for c in table.columns)
        for column in table.columns:
            if table[column].dtype == object:
                out.extend(v for v in table[column].head(500) if isinstance(v, str))
    return out


def english_sentences(at: AppTest, data: Iterable[str] = ()) -> list[str]:
    """Runs of three or more English words left once code, links and ``data`` are taken out."""
    found = []
    names = sorted({str(d) for d in data if str(d)}, key=len, reverse=True)
    for text in page_texts(at):
        cleaned = CODE.sub(" ", text)
        for name in [*names, *ALLOWED]:
            cleaned = cleaned.replace(name, " ")
        found.extend(m.group(0) for m in SENTENCE.finditer(cleaned))
    return found


def workspace_data(at: AppTest) -> list[str]:
    """The names that are data in this session: the dataset's name, columns, category values."""
    ws = at.session_state["glassbox_workspace"]
    if ws.dataset is None:
        return []
    frame = ws.dataset.frame
    values = [ws.dataset.name, *map(str, frame.columns)]
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in (
            "category",
            "string",
            "str",
        ):
            values.extend(str(v) for v in frame[column].dropna().unique())
    return values
