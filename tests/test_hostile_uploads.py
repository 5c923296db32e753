"""Hostile uploads, table-driven: decompression bombs, workbooks that lie about their size,
super-linear headers, and the crashes they used to cause.

Every case runs in a child process (``tests/upload_probe.py``) exactly as the Data page reads a
file, under generous bounds: ``seconds`` for the load and ``PEAK_MB`` for the child's own peak
memory. The issue measured these files at up to 103 s and 5.9 GB before. The same table is
replayed through the Data page, where a refused file leaves the previous data loaded.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mllib.data import Limits, read_table
from mllib.errors import DataError
from tests import hostile_uploads as h
from tests.app.helpers import assert_healthy, texts
from tests.upload_probe import probe

PEAK_MB = 500.0


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[], bytes]
    says: str | None  # the refusal's words; None: the file loads
    seconds: float = 5.0
    kind: str = "upload"  # upload | parsing | crash


CASES = [
    Hostile("bomb.csv.gz", h.gzip_bomb, "unpacks to more than 256 MB"),
    Hostile("nested.csv.gz", h.nested_gzip_bomb, "gzip inside gzip"),
    Hostile("far_cell.xlsx", h.far_cell_workbook, "16,384 columns"),
    Hostile("lying_dimension.xlsx", h.lying_dimension_workbook, "as a cell says"),
    Hostile("shared_strings.xlsx", h.shared_strings_bomb, "unpacks to 420 MB"),
    Hostile("text_heavy.xlsx", lambda: h.shared_strings_bomb(40), "of text (shared strings)"),
    Hostile("wide.parquet", h.wide_parquet, "5,000 columns"),
    Hostile("bomb.parquet", h.parquet_bomb, "cells Glassbox reads"),
    Hostile("long_line.csv", h.long_single_line, "longer than 1 MB", kind="parsing"),
    Hostile("100k_columns.csv", lambda: h.wide_csv(100_000, 1), "at most 2,000", kind="parsing"),
    Hostile("duplicate_header.csv", h.duplicate_header, "40,000 columns", kind="parsing"),
    Hostile("5000_columns.csv", lambda: h.wide_csv(5_000, 20), "5,000 columns", kind="parsing"),
    Hostile(
        "2000_columns.csv",  # at the limit it loads; profiling is linear in the columns
        lambda: h.wide_csv(2_000, 20),
        None,
        seconds=15.0,
        kind="parsing",
    ),
    Hostile("huge_date_cell.csv", h.huge_date_cell, None, kind="parsing"),
    Hostile(
        "trimmed_duplicates.csv",
        lambda: b"a ,a,b\n" + b"".join(f"{i},{i},{i % 2}\n".encode() for i in range(20)),
        None,
        kind="crash",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_is_bounded(case: Hostile) -> None:
    result = probe(case.build(), case.name)
    assert result.outcome == ("refused" if case.says else "loaded"), result
    if case.says:
        assert case.says in result.message, result.message
    assert result.seconds <= case.seconds, result
    assert result.peak_mb <= PEAK_MB, result


def test_the_probe_measures_the_child_not_the_test_runner() -> None:
    """With 300 MB held here, a tiny file still measures as a small child; the child's own
    memory does count (a 150 MB table shows)."""
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: resident, not just mapped
    small = probe(b"a,b\n1,2\n3,4\n", "small.csv")
    del ballast
    assert small.outcome == "loaded" and small.peak_mb < 300, small
    big = probe(h.wide_csv(4, 3_000_000), "big.csv", timeout=300)
    assert big.outcome == "loaded" and big.peak_mb > small.peak_mb + 100, (small, big)


def test_the_column_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b"a,b,c,d\n1,2,3,4\n5,6,7,8\n"
    assert read_table(raw, "four.csv").n_cols == 4
    with pytest.raises(DataError, match="has 4 columns; Glassbox reads at most 3"):
        read_table(raw, "four.csv", limits=Limits(max_columns=3))
    monkeypatch.setenv("GLASSBOX_MAX_COLUMNS", "3")
    with pytest.raises(DataError, match="GLASSBOX_MAX_COLUMNS"):
        read_table(raw, "four.csv")
    monkeypatch.setenv("GLASSBOX_MAX_COLUMNS", "not a number")
    assert Limits.from_env().max_columns == Limits().max_columns


def test_gzip_within_the_limit_still_loads_and_a_damaged_one_is_explained() -> None:
    raw = gzip.compress(b"a,b\n" + b"".join(f"{i},{i % 2}\n".encode() for i in range(50)))
    assert read_table(raw, "ok.csv.gz").n_rows == 50
    with pytest.raises(DataError, match="could not be unpacked"):
        read_table(raw[:-20] + b"\x00" * 20, "cut.csv.gz")
    with pytest.raises(DataError, match="unpacks to more than 1 MB"):
        read_table(
            gzip.compress(b"a,b\n" + b"1,2\n" * 300_000),
            "x.gz",
            limits=Limits(max_unpacked_bytes=2**20),
        )


# --- through the pages ------------------------------------------------------------------------

GOOD = b"x1,x2,y\n" + b"".join(f"{i},{i % 7},{i % 2}\n".encode() for i in range(30))
REFUSED = [c for c in CASES if c.says and c.name != "shared_strings.xlsx"]


@pytest.mark.parametrize("case", REFUSED, ids=[c.name for c in REFUSED])
def test_a_refused_file_leaves_the_previous_data(app: Any, case: Hostile) -> None:
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("previous.csv", GOOD, "text/csv")).run()
    at.file_uploader(key="upload").set_value((case.name, case.build(), "text/csv")).run()
    assert_healthy(at)
    assert any(case.says in e for e in texts(at, "error")), texts(at, "error")
    assert "previous.csv" in " ".join(str(m.value) for m in at.sidebar.markdown)
    at.run()  # the same file on the next rerun: the message again, nothing else
    assert_healthy(at)
    assert any(case.says in e for e in texts(at, "error"))


def test_a_bomb_on_the_predict_page_is_refused(app: Any) -> None:
    at = app("pages/predict.py")
    at.file_uploader(key="predict_upload").set_value(
        ("nested.csv.gz", h.nested_gzip_bomb(), "application/gzip")
    ).run()
    assert_healthy(at)
    assert any("gzip inside gzip" in e for e in texts(at, "error")), texts(at, "error")
