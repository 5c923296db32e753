"""Formula injection: every CSV a user downloads defuses cells a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from mllib.csv_safe import FORMULA_START, csv_bytes, neutralise, rows_csv_bytes

CELLS = [  # (cell, what the download must hold)
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("-1.5", "-1.5"),  # a plain number is not a formula
    ("+3e5", "+3e5"),
    ("plain", "plain"),
    ("a=b", "a=b"),
    ("", ""),
]


@pytest.mark.parametrize(("cell", "expected"), CELLS, ids=[repr(c) for c, _ in CELLS])
def test_cell(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_numbers_and_missing_values_are_untouched() -> None:
    assert neutralise(-1.5) == -1.5
    assert neutralise(None) is None


def _cells(raw: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(raw.decode())))
    return [cell for row in rows for cell in row]


def test_headers_text_and_category_columns_are_defused() -> None:
    frame = pd.DataFrame(
        {
            "=label": ["=1+1", "@x", "ok"],
            "P(=1+1)": [0.5, -0.25, 1.0],
            "kind": pd.Categorical(["+a", "b", "-c"]),
            "text": pd.array(["-cmd", None, "fine"], dtype="string"),
        }
    )
    raw = csv_bytes(frame)
    cells = _cells(raw)
    risky = [c for c in cells if c.startswith(FORMULA_START) and c != "-0.25"]
    assert not risky, risky
    back = pd.read_csv(io.BytesIO(raw))
    assert list(back.columns) == ["'=label", "P(=1+1)", "kind", "text"]
    assert back["P(=1+1)"].tolist() == [0.5, -0.25, 1.0]  # numbers stay numbers
    assert back["kind"].tolist() == ["'+a", "b", "'-c"]
    assert frame["=label"].tolist() == ["=1+1", "@x", "ok"]  # the caller's frame is unchanged


def test_rows_are_written_as_the_frame_of_them_would_be() -> None:
    rows = [
        {"algorithm": "=cmd", "settings": 'α=1, "quoted"', "fit s": 0.021, "test R²": 0.9123},
        {"algorithm": "Tree", "settings": "-d", "fit s": 1.5, "CV accuracy": "0.9 ± 0.1"},
        {"algorithm": "@x", "settings": None, "fit s": float("nan"), "test R²": -0.25},
    ]
    assert rows_csv_bytes(rows) == csv_bytes(pd.DataFrame(rows))
