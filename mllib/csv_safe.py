"""Every CSV a user downloads goes through :func:`csv_bytes`, which defuses spreadsheet formulas.

A cell such as ``=HYPERLINK(...)`` or ``@SUM(...)`` in a downloaded CSV runs as a formula when
the file is opened in Excel or LibreOffice (CSV injection). OWASP's rule: a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so
the spreadsheet shows it as text. Numbers are left alone (``-1.5`` is not a formula), and so
are texts that are plain numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is text a spreadsheet would run."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose header and text cells cannot run as formulas."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in frame.columns]
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            out.isetitem(i, column.map(neutralise, na_action="ignore").to_numpy(dtype=object))
    return out


def csv_bytes(frame: pd.DataFrame, index: bool = False) -> bytes:
    """The CSV download of ``frame``: UTF-8, formulas defused (see the module docstring)."""
    return safe_frame(frame).to_csv(index=index).encode()


def rows_csv_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    """:func:`csv_bytes` of ``pandas.DataFrame(rows)`` for a few rows of plain values, written
    without pandas (a run history is rebuilt after every fit: pandas took milliseconds)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in columns])
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode()


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return neutralise(value)
