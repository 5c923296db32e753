"""What a page shows as text, and the English sentences left in a page opened with ``?lang=zh``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd
import pyarrow as pa
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


def _words(value: Any) -> list[str]:
    """A Vega-Lite text property (a string or a list of lines) as strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def chart_texts(
    spec: Mapping[str, Any], datasets: Mapping[str, pd.DataFrame] | None = None
) -> list[str]:
    """The words a Vega-Lite chart shows people: titles and subtitles (of the chart and of
    every layer or concatenated part), axis, legend, header and tooltip titles, the labels a
    scale's domain names, and text marks (a constant, or the text column of its data).

    Field names are not reported: a titled channel shows its title, and Glassbox's charts
    title every axis and legend whose field is not data. ``datasets`` are the chart's named
    tables (Streamlit ships them beside the spec; ``to_dict()`` keeps them in ``datasets``).
    """
    tables = dict(datasets or {})
    for name, values in (spec.get("datasets") or {}).items():
        tables.setdefault(name, pd.DataFrame(values))
    out: list[str] = []

    def channel(definition: Mapping[str, Any], name: str, data: str | None) -> None:
        out.extend(_words(definition.get("title")))
        for part in ("axis", "legend", "header"):
            if isinstance(definition.get(part), dict):
                out.extend(_words(definition[part].get("title")))
        scale = definition.get("scale")
        if isinstance(scale, dict) and definition.get("type") in ("nominal", "ordinal"):
            out.extend(_words(scale.get("domain")))
        if name == "text":
            out.extend(_words(definition.get("value")))
            table = tables.get(data or "")
            field = definition.get("field")
            if table is not None and field in table.columns:
                out.extend(v for v in table[field].head(500) if isinstance(v, str))

    def walk(node: Any, data: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, data)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("data"), dict) and "name" in node["data"]:
            data = node["data"]["name"]
        title = node.get("title")
        if isinstance(title, dict):
            out.extend(_words(title.get("text")) + _words(title.get("subtitle")))
        else:
            out.extend(_words(title))
        if isinstance(node.get("mark"), dict):
            out.extend(_words(node["mark"].get("text")))
        for name, definition in (node.get("encoding") or {}).items():
            for item in definition if isinstance(definition, list) else [definition]:
                if isinstance(item, dict):
                    channel(item, name, data)
        for key in ("layer", "vconcat", "hconcat", "concat", "spec"):
            walk(node.get(key), data)

    walk(dict(spec), None)
    return out


def _chart_texts(proto: Any) -> list[str]:
    """The words of a chart element (its spec JSON and the Arrow tables shipped with it)."""
    tables = {
        d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets
    }
    return chart_texts(json.loads(proto.spec), tables)


DOT_LABEL = re.compile(r'label="((?:[^"\\]|\\.)*)"')


def diagram_texts(dot: str) -> list[str]:
    """The labels of a Graphviz diagram's boxes and arrows (the tree's words), unescaped."""
    return [
        m.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        for m in DOT_LABEL.findall(dot)
    ]


def page_texts(at: AppTest) -> list[str]:
    """Every sentence-bearing string of the page and its sidebar, plus tables' headers and
    text cells, the words of every chart and the labels of every diagram."""
    out: list[str] = []
    for kind, proto in _protos(at._tree):
        if type(proto).__name__ == "VegaLiteChart":
            out.extend(_chart_texts(proto))
        elif type(proto).__name__ == "GraphVizChart":
            out.extend(diagram_texts(proto.spec))
        elif kind not in SKIPPED:
            out.extend(_strings(proto))
    for frame in at.dataframe:
        table = frame.value
        out.extend(str(c) for c in table.columns)
        for column in table.columns:  # text cells: object or (pandas 3's default) str dtype
            if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
                out.extend(v for v in table[column].head(500) if isinstance(v, str))
    return out


def english_sentences(at: AppTest, data: Iterable[str] = ()) -> list[str]:
    """Runs of three or more English words left once code, links and ``data`` are taken out."""
    found = []
    names = sorted({str(d) for d in (*ALLOWED, *data) if str(d)}, key=len, reverse=True)
    # whole names only: a category value "a" must not cut "Glassbox" into "Gl ss ox"
    named = re.compile("|".join(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])" for n in names))
    for text in page_texts(at):
        cleaned = named.sub(" ", CODE.sub(" ", text))
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
