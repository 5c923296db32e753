"""Hostile upload files, built in the test (never stored): decompression bombs, workbooks that
lie about their size, headers that are too long or too wide. Each builder is cached, since a
bomb takes a second or two to compress."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
import zlib
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

MB = 2**20


def _gzip_stream(head: bytes, line: bytes, total: int) -> bytes:
    """``head`` then ``line`` repeated to ``total`` bytes, gzip-compressed chunk by chunk (the
    plain text is never in memory)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    chunk = line * (MB // len(line))
    parts = [packer.compress(head)]
    parts += [packer.compress(chunk) for _ in range(total // len(chunk))]
    parts.append(packer.flush())
    return b"".join(parts)


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """About 300 KB that unpack to 300 MB of CSV."""
    return _gzip_stream(b"a,b\n", b"0,0\n", 300 * MB)


@lru_cache(maxsize=1)
def nested_gzip_bomb() -> bytes:
    """The bomb gzipped again: a few KB (the issue's 4.6 KB file unpacked to more than 5 GB)."""
    return gzip.compress(gzip_bomb(), 9)


def _workbook(cells: dict[str, object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    for row in [["a", "b"], [1, "x"], [2, "y"], [3, "x"]]:
        sheet.append(row)
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rewrite(raw: bytes, replace: dict[str, object]) -> bytes:
    """A copy of the zip ``raw`` with some members replaced (bytes, or a callable writing to
    the open member, for contents too large to hold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = replace.get(info.filename)
            if new is None:
                dst.writestr(info, src.read(info.filename))
            elif callable(new):
                with dst.open(_deflated(info.filename), "w", force_zip64=True) as member:
                    new(member)
            else:
                dst.writestr(info.filename, new, zipfile.ZIP_DEFLATED)
        for name, new in replace.items():  # parts the workbook did not have
            if name not in src.namelist():
                with dst.open(_deflated(name), "w", force_zip64=True) as member:
                    new(member) if callable(new) else member.write(new)
    return out.getvalue()


@lru_cache(maxsize=1)
def far_cell_workbook() -> bytes:
    """A small table plus one cell at XFD1048576, the last cell Excel has (1.5 KB took 5.9 GB)."""
    return _workbook({"XFD1048576": 1})


@lru_cache(maxsize=1)
def lying_dimension_workbook() -> bytes:
    """The far cell, with the sheet's ``dimension`` claiming only A1:B4."""
    raw = far_cell_workbook()
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    honest = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:B4"/>', sheet)
    assert honest != sheet
    return _rewrite(raw, {"xl/worksheets/sheet1.xml": honest.encode()})


_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@lru_cache(maxsize=2)
def shared_strings_bomb(megabytes: int = 420) -> bytes:
    """A small workbook with a shared-strings part that unpacks to ``megabytes`` (the issue's
    2 MB file with 420 MB of strings took 36 s and 828 MB)."""
    raw = _workbook({})
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        types = book.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST}"/></Types>',
    )
    text = b"<si><t>" + b"A" * 4000 + b"</t></si>"

    def write(member: io.BufferedWriter) -> None:
        member.write(
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<si><t>x</t></si><si><t>y</t></si>"
        )
        block = text * 256
        for _ in range(megabytes * MB // len(block)):
            member.write(block)
        member.write(b"</sst>")

    return _rewrite(raw, {"[Content_Types].xml": types.encode(), "xl/sharedStrings.xml": write})


def header_line(n: int, fmt: str = "c{}") -> str:
    return ",".join(fmt.format(i) for i in range(n))


@lru_cache(maxsize=1)
def long_single_line() -> bytes:
    """A 2 MB single line, no newline: about 220,000 header names (took 103 s)."""
    return header_line(230_000)[: 2 * MB].encode()


def wide_csv(columns: int, rows: int) -> bytes:
    lines = [header_line(columns)] + [
        ",".join(str((i + j) % 9) for j in range(columns)) for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


@lru_cache(maxsize=1)
def duplicate_header() -> bytes:
    """80 KB of one repeated header name (took 40 s)."""
    n = 40_000
    return (",".join(["a"] * n) + "\n" + ",".join(["1"] * n) + "\n").encode()


@lru_cache(maxsize=1)
def wide_parquet() -> bytes:
    frame = pd.DataFrame({f"c{i}": [i % 3, 1, 2] for i in range(5_000)})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def parquet_bomb() -> bytes:
    """A few kB of Parquet that unpack to 320 MB of zeros (written in row groups)."""
    table = pa.table(
        {"a": pa.array([0] * 4_000_000, pa.int64()), "b": pa.array([1] * 4_000_000, pa.int64())}
    )
    buffer = io.BytesIO()
    with pq.ParquetWriter(buffer, table.schema, compression="zstd") as writer:
        for _ in range(5):
            writer.write_table(table)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def huge_date_cell() -> bytes:
    """Dates, and one 10 MB value in the date column (the date parser took minutes on it)."""
    rows = [f"2024-01-{i % 28 + 1:02d},{i},{i % 2}" for i in range(30)]
    rows[5] = "2024-01-01" + "1" * (10 * MB) + ",5,1"
    return ("when,v,y\n" + "\n".join(rows) + "\n").encode()
