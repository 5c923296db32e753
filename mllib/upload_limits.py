"""What one upload may cost: bounds checked before the expensive step.

A hostile file (a gzip or zip bomb, a sheet whose stray cell makes pandas pad millions of rows,
a table of 220,000 columns) is refused in about a second with a message naming the limit,
instead of taking the server's memory. :func:`mllib.data.read_table` calls these checks.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zipfile
import zlib
from dataclasses import dataclass

from mllib.errors import DataError
from mllib.i18n import Text, msg

MB = 2**20


@dataclass(frozen=True)
class Limits:
    """What one upload may cost, checked before the expensive step: a hostile file is refused
    in a second, with a message naming the limit, instead of taking the server's memory.

    ``Limits.from_env()`` reads ``GLASSBOX_MAX_COLUMNS``, ``GLASSBOX_MAX_UNPACKED_MB`` and
    ``GLASSBOX_MAX_CELLS`` so an operator with a big machine can raise them.
    """

    max_columns: int = 2_000
    # Unpacked bytes of a gzip file, of all parts of an .xlsx, or of a Parquet file's data:
    # about what Streamlit's default 200 MB upload cap allows uncompressed.
    max_unpacked_bytes: int = 256 * MB
    max_shared_strings_bytes: int = 32 * MB  # the text of an .xlsx (openpyxl: ~12 MB/s)
    max_cells: int = 20_000_000  # rows × columns of a sheet: pandas pads every row

    @classmethod
    def from_env(cls) -> Limits:
        def number(name: str, default: int, scale: int = 1) -> int:
            try:
                value = int(os.environ.get(name, "")) * scale
            except ValueError:
                return default
            return value if value > 0 else default

        return cls(
            max_columns=number("GLASSBOX_MAX_COLUMNS", cls.max_columns),
            max_unpacked_bytes=number("GLASSBOX_MAX_UNPACKED_MB", cls.max_unpacked_bytes, MB),
            max_cells=number("GLASSBOX_MAX_CELLS", cls.max_cells),
        )


def mb(n: int) -> str:
    """``n`` bytes in whole megabytes, for a message ("256 MB")."""
    return f"{n / MB:,.0f} MB"


def too_wide(filename: str, columns: int, limits: Limits, detail: Text = "") -> DataError:
    return DataError(
        msg(
            "“{filename}” has {columns:,} columns{detail}; Glassbox reads at most "
            "{max_columns:,} (the column limit).",
            filename=filename,
            columns=columns,
            detail=detail,
            max_columns=limits.max_columns,
        ),
        msg(
            "Keep only the columns you need (e.g. in a spreadsheet) and upload again; "
            "whoever runs Glassbox can raise the limit with GLASSBOX_MAX_COLUMNS."
        ),
    )


def gunzip(raw: bytes, filename: str, limits: Limits) -> bytes:
    """Unpack gzip bytes, refusing nested gzip and output over ``limits.max_unpacked_bytes``.

    A first pass streams and counts without keeping anything, so a bomb (300 KB that unpack
    to gigabytes) is refused at the limit with almost no memory; only a file within the limit
    is unpacked for real.
    """
    limit = limits.max_unpacked_bytes
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            chunk = stream.read(MB)
            if chunk[:2] == b"\x1f\x8b":
                raise DataError(
                    msg(
                        "“{filename}” is gzip inside gzip, which Glassbox does not unpack.",
                        filename=filename,
                    ),
                    msg("Unpack it once yourself, or upload the CSV compressed only once."),
                )
            size = 0
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise DataError(
                        msg(
                            "“{filename}” unpacks to more than {limit}, the limit for one table.",
                            filename=filename,
                            limit=mb(limit),
                        ),
                        msg(
                            "Upload a smaller extract; whoever runs Glassbox can raise the "
                            "limit with GLASSBOX_MAX_UNPACKED_MB."
                        ),
                    )
                chunk = stream.read(MB)
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(
            msg("“{filename}” looks gzip-compressed but could not be unpacked.", filename=filename)
        ) from err


_CELL_OR_ROW = re.compile(rb"<(?:\w+:)?(c|row)\b([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]*)([0-9]*)"')
_DIMENSION = re.compile(
    rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)([0-9]+)(?::([A-Z]+)([0-9]+))?"'
)
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def check_workbook(raw: bytes, filename: str, limits: Limits) -> None:
    """Refuse an .xlsx whose size would explode in openpyxl and pandas, before they read it.

    The zip's declared sizes bound what it unpacks to (Python's zipfile stops at them); the
    shared strings are bounded on their own; each sheet's ``dimension`` and a streaming scan
    of its cells give its real width and height, since pandas pads every row to the widest.
    """
    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # mllib.data's Excel reader says it cannot be opened
    with book:
        parts = book.infolist()
        total = sum(p.file_size for p in parts)
        if total > limits.max_unpacked_bytes:
            raise DataError(
                msg(
                    "“{filename}” unpacks to {total}, more than the {max_unpacked_bytes} Glassbox "
                    "reads for one table.",
                    filename=filename,
                    total=mb(total),
                    max_unpacked_bytes=mb(limits.max_unpacked_bytes),
                ),
                msg(
                    "Save the sheet you need as CSV, or delete unused sheets and cells; whoever "
                    "runs Glassbox can raise the limit with GLASSBOX_MAX_UNPACKED_MB."
                ),
            )
        for part in parts:
            if part.filename.endswith("sharedStrings.xml") and (
                part.file_size > limits.max_shared_strings_bytes
            ):
                raise DataError(
                    msg(
                        "“{filename}” holds {file_size} of text (shared strings), more than the "
                        "{max_shared_strings_bytes} Glassbox reads.",
                        filename=filename,
                        file_size=mb(part.file_size),
                        max_shared_strings_bytes=mb(limits.max_shared_strings_bytes),
                    ),
                    msg("Save the sheet you need as CSV and upload that."),
                )
            if _SHEET_PART.fullmatch(part.filename):
                _check_sheet(book, part, filename, limits)


def _check_sheet(
    book: zipfile.ZipFile, part: zipfile.ZipInfo, filename: str, limits: Limits
) -> None:
    width = height = 0
    in_row = 0  # cells seen in the current row (for cells without a reference)
    tail = b""
    try:
        with book.open(part) as stream:
            first = True
            while True:
                chunk = stream.read(MB)
                if not chunk:
                    break
                data = tail + chunk
                if first:
                    first = False
                    dim = _DIMENSION.search(data)
                    if dim and dim.group(3):
                        width = _column_number(dim.group(3))
                        height = int(dim.group(4))
                        _check_extent(width, height, filename, part, limits, "its dimension")
                # Scan up to the last '<': a tag cut by the chunk end is read with the next one.
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 else cut
                for match in _CELL_OR_ROW.finditer(data, 0, cut):
                    ref = _REF.search(match.group(2))
                    if match.group(1) == b"row":
                        in_row = 0
                        if ref and ref.group(2):
                            height = max(height, int(ref.group(2)))
                        continue
                    in_row += 1
                    column = _column_number(ref.group(1)) if ref and ref.group(1) else in_row
                    in_row = max(in_row, column)
                    width = max(width, column)
                    if ref and ref.group(2):
                        height = max(height, int(ref.group(2)))
                tail = data[cut:]
                _check_extent(width, height, filename, part, limits, "a cell")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return  # mllib.data's Excel reader says it is damaged


def _check_extent(
    width: int, height: int, filename: str, part: zipfile.ZipInfo, limits: Limits, what: str
) -> None:
    sheet = part.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    if width > limits.max_columns:
        detail = msg(" (in {sheet}, as {what} says)", sheet=sheet, what=what)
        raise too_wide(filename, width, limits, detail)
    if width * height > limits.max_cells:
        raise DataError(
            msg(
                "A sheet of “{filename}” ({sheet}) spans {height:,} rows × {width:,} columns "
                "({value:,} cells, as {what} says), more than the {max_cells:,} cells Glassbox "
                "reads.",
                filename=filename,
                sheet=sheet,
                height=height,
                width=width,
                value=width * height,
                what=what,
                max_cells=limits.max_cells,
            ),
            msg(
                "Delete stray cells far below or right of the table (Ctrl+End shows the last "
                "one), or save the table as CSV."
            ),
        )


def check_parquet(raw: bytes, filename: str, limits: Limits) -> None:
    """Width and unpacked size from the file's own metadata, before any data is read."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(raw)).metadata
    except Exception:  # damaged: pd.read_parquet says so
        return
    if meta.num_columns > limits.max_columns:
        raise too_wide(filename, meta.num_columns, limits)
    if meta.num_rows * meta.num_columns > limits.max_cells:
        raise DataError(
            msg(
                "“{filename}” holds {num_rows:,} rows × {num_columns:,} columns ({value:,} "
                "cells), more than the {max_cells:,} cells Glassbox reads.",
                filename=filename,
                num_rows=meta.num_rows,
                num_columns=meta.num_columns,
                value=meta.num_rows * meta.num_columns,
                max_cells=limits.max_cells,
            ),
            msg(
                "Upload a smaller extract; whoever runs Glassbox can raise the limit with "
                "GLASSBOX_MAX_CELLS."
            ),
        )
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.max_unpacked_bytes:
        raise DataError(
            msg(
                "“{filename}” unpacks to {unpacked}, more than the {max_unpacked_bytes} "
                "Glassbox reads for one table.",
                filename=filename,
                unpacked=mb(unpacked),
                max_unpacked_bytes=mb(limits.max_unpacked_bytes),
            ),
            msg(
                "Upload a smaller extract; whoever runs Glassbox can raise the limit with "
                "GLASSBOX_MAX_UNPACKED_MB."
            ),
        )
