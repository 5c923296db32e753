"""Turn uploaded bytes into a validated table, saying exactly what was guessed and why.

Everything here works on bytes, so the same code serves the file uploader, the bundled samples
and the tests. Problems raise :class:`DataError` with a message meant for the page.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import os
import re
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mllib.errors import DataError

DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".gz"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
# .xls is accepted only to explain how to convert it (see detect_format).
SUPPORTED_TYPES = ["csv", "tsv", "txt", "gz", "xlsx", "xlsm", "xls", "parquet", "pq"]

MB = 2**20
_SNIFF_LINES = 50
_HEAD_BYTES = 1 << 20  # decoded for detection: encoding, delimiter, header
_BAD_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_SKIPPED_LINE = re.compile(r"Skipping line (\d+)")
_WHOLE_NUMBER = re.compile(r"^\s*[-+]?\d+\s*$")
_TRUNCATED = "Length of header or names does not match length of data"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")


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


@dataclass(frozen=True)
class LoadOptions:
    """User overrides; ``None`` means "detect it"."""

    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    decimal: str | None = None
    skip_bad_lines: bool = False


@dataclass
class Dataset:
    """A loaded table plus what was detected while reading it.

    ``fingerprint`` is a content hash of the bytes and the reading options: two users with the
    same file share cache entries, and a different file can never hit another's entry.
    """

    name: str
    frame: pd.DataFrame
    fingerprint: str
    file_format: str
    source: str = "upload"
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    skipped_lines: int = 0

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def n_cols(self) -> int:
        return self.frame.shape[1]

    def describe_reading(self) -> str:
        """One line telling the user how the file was read."""
        parts = [self.file_format.upper()]
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.delimiter:
            parts.append(f"{DELIMITERS.get(self.delimiter, repr(self.delimiter))}-separated")
        if self.decimal == ",":
            parts.append("decimal comma")
        if self.sheet:
            parts.append(f"sheet “{self.sheet}”")
        return ", ".join(parts)

    def derive(self, frame: pd.DataFrame, operation: str, note: str) -> Dataset:
        """A modified copy (e.g. rows dropped) with its own fingerprint."""
        fp = hashlib.sha256(f"{self.fingerprint}|{operation}".encode()).hexdigest()
        return replace(self, frame=frame, fingerprint=fp, notes=[*self.notes, note])


def fingerprint_bytes(raw: bytes, options: LoadOptions | None = None) -> str:
    digest = hashlib.sha256(raw)
    digest.update(repr(options or LoadOptions()).encode())
    return digest.hexdigest()


def read_table(
    raw: bytes, filename: str, options: LoadOptions | None = None, limits: Limits | None = None
) -> Dataset:
    """Read CSV/TSV/TXT (optionally gzipped), Excel or Parquet bytes into a :class:`Dataset`.

    The format comes from the file's content (magic bytes) first and its name second, so a
    mislabelled file is still read, or rejected with a message naming what it really is.
    Every step is linear in the bytes, and ``limits`` (default :meth:`Limits.from_env`) are
    checked before the step that would exceed them.
    """
    options = options or LoadOptions()
    limits = limits or Limits.from_env()
    if not raw:
        raise DataError(f"“{filename}” is empty (0 bytes).", "Choose a file that contains a table.")
    fmt = detect_format(raw, filename)
    if fmt == "gzip":
        raw = gunzip(raw, filename, limits)
        inner = filename[:-3] if filename.lower().endswith(".gz") else filename
        dataset = read_table(raw, inner, options, limits)
        dataset.notes.insert(0, "The file was gzip-compressed and was unpacked first.")
        dataset.name = filename
        return dataset
    if fmt == "excel":
        check_workbook(raw, filename, limits)
        dataset = _read_excel(raw, filename, options)
    elif fmt == "parquet":
        dataset = _read_parquet(raw, filename, limits)
    else:
        dataset = _read_text(raw, filename, options, limits)
    dataset.fingerprint = fingerprint_bytes(raw, options)
    _check_shape(dataset.frame, filename, dataset)
    renamed = unique_names(dataset.frame)
    if renamed:
        dataset.notes.append(
            "Column names that were equal after trimming spaces were made unique: "
            + ", ".join(renamed[:10])
            + ("…" if len(renamed) > 10 else "")
            + "."
        )
    dataset.notes.extend(quality_notes(dataset.frame))
    return dataset


def read_path(path: str | Path, options: LoadOptions | None = None) -> Dataset:
    path = Path(path)
    return read_table(path.read_bytes(), path.name, options)


def detect_format(raw: bytes, filename: str) -> str:
    """``'excel'``, ``'parquet'``, ``'gzip'`` or ``'text'``, trusting content over the name."""
    suffix = Path(filename).suffix.lower()
    if raw[:2] == b"\x1f\x8b":
        return "gzip"
    if raw[:4] == b"PAR1":
        return "parquet"
    if raw[:4] == b"PK\x03\x04":
        return "excel"
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DataError(
            f"“{filename}” is an old-style Excel .xls file, which Glassbox does not read.",
            "Open it in Excel or LibreOffice and save it as .xlsx or CSV.",
        )
    if suffix in EXCEL_SUFFIXES:
        raise DataError(
            f"“{filename}” is named like an Excel workbook but is not one (it may be damaged).",
            "Re-save it from Excel as .xlsx, or export it as CSV.",
        )
    if suffix in PARQUET_SUFFIXES:
        raise DataError(
            f"“{filename}” is named like a Parquet file but does not start with Parquet's "
            "signature (it may be damaged or incomplete).",
        )
    return "text"


# --- bounds ------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB"


def _too_wide(filename: str, columns: int, limits: Limits, detail: str = "") -> DataError:
    return DataError(
        f"“{filename}” has {columns:,} columns{detail}; Glassbox reads at most "
        f"{limits.max_columns:,} (the column limit).",
        "Keep only the columns you need (e.g. in a spreadsheet) and upload again; whoever runs "
        "Glassbox can raise the limit with GLASSBOX_MAX_COLUMNS.",
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
                    f"“{filename}” is gzip inside gzip, which Glassbox does not unpack.",
                    "Unpack it once yourself, or upload the CSV compressed only once.",
                )
            size = 0
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise DataError(
                        f"“{filename}” unpacks to more than {_mb(limit)}, the limit for one table.",
                        "Upload a smaller extract; whoever runs Glassbox can raise the limit "
                        "with GLASSBOX_MAX_UNPACKED_MB.",
                    )
                chunk = stream.read(MB)
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"“{filename}” looks gzip-compressed but could not be unpacked.") from err


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
        return  # _read_excel says it cannot be opened
    with book:
        parts = book.infolist()
        total = sum(p.file_size for p in parts)
        if total > limits.max_unpacked_bytes:
            raise DataError(
                f"“{filename}” unpacks to {_mb(total)}, more than the "
                f"{_mb(limits.max_unpacked_bytes)} Glassbox reads for one table.",
                "Save the sheet you need as CSV, or delete unused sheets and cells; whoever runs "
                "Glassbox can raise the limit with GLASSBOX_MAX_UNPACKED_MB.",
            )
        for part in parts:
            if part.filename.endswith("sharedStrings.xml") and (
                part.file_size > limits.max_shared_strings_bytes
            ):
                raise DataError(
                    f"“{filename}” holds {_mb(part.file_size)} of text (shared strings), more "
                    f"than the {_mb(limits.max_shared_strings_bytes)} Glassbox reads.",
                    "Save the sheet you need as CSV and upload that.",
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
        return  # _read_excel says it is damaged


def _check_extent(
    width: int, height: int, filename: str, part: zipfile.ZipInfo, limits: Limits, what: str
) -> None:
    sheet = part.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    if width > limits.max_columns:
        raise _too_wide(filename, width, limits, f" (in {sheet}, as {what} says)")
    if width * height > limits.max_cells:
        raise DataError(
            f"A sheet of “{filename}” ({sheet}) spans {height:,} rows × {width:,} columns "
            f"({width * height:,} cells, as {what} says), more than the {limits.max_cells:,} "
            "cells Glassbox reads.",
            "Delete stray cells far below or right of the table (Ctrl+End shows the last one), "
            "or save the table as CSV.",
        )


# --- text -------------------------------------------------------------------------------------


def decode_text(raw: bytes, encoding: str | None = None, partial: bool = False) -> tuple[str, str]:
    """Return ``(text, encoding_used)``; detection order: BOM, UTF-8, cp1252, latin-1.

    ``partial``: ``raw`` is the head of a longer file, so a character cut at its end is fine.
    """
    if partial:
        raw = _trim_cut_character(raw, encoding)
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            raise DataError(
                f"The file could not be read as {encoding}: {_describe_decode_error(err)}.",
                "Choose another encoding, or leave it on “detect”.",
            ) from err
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise DataError(
                f"The file starts like UTF-16 text but is damaged: {_describe_decode_error(err)}."
            ) from err
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return _trim_cut_character(raw, utf16).decode(utf16, errors="replace"), utf16
    if _looks_binary(raw):
        raise DataError(
            "This file does not contain readable text (it has binary bytes), so it is not a CSV.",
            "If it is a spreadsheet or Parquet file, upload it with its real extension.",
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _trim_cut_character(raw: bytes, encoding: str | None) -> bytes:
    """Drop the bytes of a multi-byte character that the head cut in two."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        encoding and encoding.lower().replace("-", "").startswith("utf16")
    ):
        return raw[: len(raw) - len(raw) % 2]
    for cut in range(4):  # a UTF-8 character is at most 4 bytes
        try:
            (raw[: len(raw) - cut] if cut else raw).decode("utf-8")
            return raw[: len(raw) - cut] if cut else raw
        except UnicodeDecodeError as err:
            if err.start < len(raw) - 4:
                return raw  # a real error, not a cut character: let detection see it
    return raw


def _utf16_without_bom(raw: bytes) -> str | None:
    """``'utf-16-le'``/``'utf-16-be'`` when text is plainly UTF-16 without its BOM: ASCII
    characters then leave a zero byte in every second position (Excel's "Unicode text")."""
    head = raw[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _describe_decode_error(err: Exception) -> str:
    if isinstance(err, UnicodeDecodeError):
        bad = err.object[err.start : err.start + 1]
        return f"byte 0x{bad.hex()} at position {err.start} is not valid"
    return str(err)


def _looks_binary(raw: bytes) -> bool:
    head = raw[:4096]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.05


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first lines into the most consistent field counts."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delim)]
        except csv.Error:  # e.g. a field over the csv module's 128 kB limit
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _check_header(head: str, whole: bool, delimiter: str, filename: str, limits: Limits) -> None:
    """Refuse a first line over 1 MB or wider than the column limit before pandas parses it
    (a 2 MB line of 220,000 names took pandas 103 s)."""
    end = head.find("\n")
    if end < 0 and not whole:
        raise DataError(
            f"The first line of “{filename}” is longer than {_mb(_HEAD_BYTES)}: that is not a "
            "table's header.",
            "Check that the file is a table with one row per line.",
        )
    line = head[: end if end >= 0 else len(head)]
    if line.count(delimiter) < limits.max_columns:
        return
    try:
        columns = len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        columns = line.count(delimiter) + 1
    if columns > limits.max_columns:
        raise _too_wide(filename, columns, limits)


def _read_text(raw: bytes, filename: str, options: LoadOptions, limits: Limits) -> Dataset:
    # Only a head is decoded (for detection); pandas' C parser reads the bytes themselves,
    # which on 1M rows was 4-5x faster than parsing a decoded str and needs no second copy.
    head, encoding = decode_text(
        raw[:_HEAD_BYTES], options.encoding, partial=len(raw) > _HEAD_BYTES
    )
    if not head.strip() and len(raw) <= _HEAD_BYTES:
        raise DataError(f"“{filename}” contains no data, only blank space.")
    delimiter = options.delimiter or sniff_delimiter(head)
    _check_header(head.lstrip("\ufeff"), len(raw) <= _HEAD_BYTES, delimiter, filename, limits)
    decimal = options.decimal or "."
    source = _Source(raw, encoding, explicit=options.encoding is not None)
    frame, skipped = _parse_csv(source, delimiter, decimal, options.skip_bad_lines)
    encoding = source.encoding
    notes: list[str] = []
    if options.decimal is None and delimiter != ",":
        converted = _try_decimal_comma(frame)
        if converted:
            # Take only the detected columns from the decimal-comma parse: its thousands
            # separator "." would turn another column's "3.14" into 314.
            reparsed, _ = _parse_csv(source, delimiter, ",", options.skip_bad_lines)
            frame[converted] = reparsed[converted]
            decimal = ","
            notes.append(
                "Numbers use a decimal comma (e.g. “1,5”); they were read as numbers: "
                + ", ".join(converted[:6])
                + ("…" if len(converted) > 6 else "")
                + "."
            )
    try:
        header = next(csv.reader([head.lstrip("\ufeff").splitlines()[0]], delimiter=delimiter))
    except (csv.Error, StopIteration, IndexError):
        header = []
    notes.extend(_duplicate_header_notes(header, list(frame.columns)))
    notes.extend(repair_numeric_text(frame))
    if skipped:
        notes.append(f"{skipped} malformed line(s) were skipped, as you asked.")
    fmt = "tsv" if delimiter == "\t" else "csv"
    return Dataset(
        name=filename,
        frame=frame,
        fingerprint="",
        file_format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        notes=notes,
        skipped_lines=skipped,
    )


class _Source:
    """The raw bytes of a text table and the encoding to read them with.

    A detected UTF-8 that fails past the decoded head falls back to cp1252 (then latin-1),
    as detection on the whole file would have; an encoding the user chose is never replaced.
    """

    def __init__(self, raw: bytes, encoding: str, explicit: bool) -> None:
        self.raw, self.encoding, self.explicit = raw, encoding, explicit

    def read_csv(self, **kwargs: Any) -> pd.DataFrame:
        while True:
            try:
                frame: pd.DataFrame = pd.read_csv(
                    io.BytesIO(self.raw), encoding=self.encoding, **kwargs
                )
                return frame
            except UnicodeDecodeError as err:
                fallback = {"utf-8": "cp1252", "cp1252": "latin-1"}.get(self.encoding)
                if self.explicit or fallback is None:
                    raise DataError(
                        f"The file could not be read as {self.encoding}: "
                        f"{_describe_decode_error(err)}.",
                        "Choose another encoding, or leave it on “detect”.",
                    ) from err
                self.encoding = fallback

    def text(self) -> str:
        return self.raw.decode(self.encoding, errors="replace").lstrip("\ufeff")


def _parse_csv(
    source: _Source, delimiter: str, decimal: str, skip_bad: bool
) -> tuple[pd.DataFrame, int]:
    kwargs: dict[str, Any] = {"sep": delimiter, "decimal": decimal, "skipinitialspace": True}
    if decimal == ",":
        kwargs["thousands"] = "."
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # index_col=False: a first data row with one field too many must not silently
            # become the row index and shift every column (pandas' default).
            frame = source.read_csv(
                on_bad_lines="warn" if skip_bad else "error",
                index_col=False,
                **kwargs,
            )
        long_rows = (
            _long_rows(source.text(), delimiter, frame.shape[1])
            if any(_TRUNCATED in str(w.message) for w in caught)
            else []
        )
        if long_rows and not skip_bad:
            line, fields = long_rows[0]
            raise DataError(
                f"Line {line} has {fields} fields, but the header has {frame.shape[1]}.",
                "Fix that line, pick the right delimiter, or tick “Skip malformed lines”.",
            )
        if long_rows:
            frame = source.read_csv(
                index_col=False,
                skiprows=[line - 1 for line, _ in long_rows],
                on_bad_lines="warn",
                **kwargs,
            )
    except pd.errors.EmptyDataError as err:
        raise DataError("The file has no columns: it is empty or only blank lines.") from err
    except pd.errors.ParserError as err:
        match = _BAD_LINE.search(str(err))
        if match:
            expected, bad_line, saw = match.groups()
            raise DataError(
                f"Line {bad_line} has {saw} fields, but the header has {expected}.",
                "Fix that line, pick the right delimiter, or tick “Skip malformed lines”.",
            ) from err
        raise DataError(f"The file could not be parsed as a table: {err}".strip()) from err
    except (ValueError, UnicodeError) as err:
        raise DataError(f"The file could not be parsed as a table: {err}") from err
    skipped = len(long_rows) + sum(
        len(_SKIPPED_LINE.findall(str(w.message)))
        for w in caught
        if "Skipping line" in str(w.message)
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, skipped


def _long_rows(text: str, delimiter: str, width: int) -> list[tuple[int, int]]:
    """``(line number, field count)`` of rows with values beyond the header's ``width``
    (empty trailing fields, as from a trailing delimiter, do not count)."""
    found = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        next(reader, None)
        for row in reader:
            if len(row) > width and any(value.strip() for value in row[width:]):
                found.append((reader.line_num, len(row)))
    except csv.Error as err:
        raise DataError(f"Line {reader.line_num} could not be read: {err}.") from err
    return found


_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_REPAIR_MIN_SHARE = 0.9
_REPAIR_MAX_TOKENS = 5


def repair_numeric_text(frame: pd.DataFrame) -> list[str]:
    """Turn text columns that are really numbers into numbers, in place, and say what was done.

    Two cases: thousands separators (``"1,234.5"``), and numbers with a few stray tokens such
    as ``?``, ``-`` or ``n/a`` (at least 90 % numbers, at most five distinct other values),
    which become missing. A sample decides cheaply whether a column is worth the full pass.
    """
    notes = []
    for col in frame.columns:
        series = frame[col]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        text = series.dropna().astype(str).str.strip()
        if (
            text.empty
            or pd.to_numeric(text.head(1000).str.replace(",", ""), errors="coerce").notna().mean()
            < 0.5
        ):
            continue
        thousands = bool(text.head(1000).str.match(_THOUSANDS).any())
        cleaned = text.str.replace(",", "", regex=False) if thousands else text
        numbers = pd.to_numeric(cleaned, errors="coerce")
        bad = text[numbers.isna()]
        tokens = bad.value_counts()
        if numbers.notna().mean() < _REPAIR_MIN_SHARE or len(tokens) > _REPAIR_MAX_TOKENS:
            continue
        frame[col] = numbers.reindex(series.index).astype(float)
        if thousands:
            notes.append(
                f"“{col}” uses thousands separators (e.g. “{text.iloc[0]}”); "
                "it was read as numbers."
            )
        if len(tokens):
            listed = ", ".join(
                f"“{t}” ({n} row{'s' if n > 1 else ''})"
                for t, n in tokens.head(_REPAIR_MAX_TOKENS).items()
            )
            notes.append(
                f"“{col}” holds numbers and a few other values: {listed}; "
                "those were read as missing."
            )
    return notes


def _try_decimal_comma(frame: pd.DataFrame) -> list[str]:
    """Names of text columns whose values all look like ``1,5`` numbers (whole numbers such
    as ``12`` may be mixed in, as long as some value has a decimal comma)."""
    found = []
    for col in frame.columns:
        series = frame[col]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        values = series.dropna().astype(str).head(200)
        comma = values.map(lambda v: bool(_DECIMAL_COMMA.match(v)))
        whole = values.map(lambda v: bool(_WHOLE_NUMBER.match(v)))
        if comma.any() and (comma | whole).mean() > 0.95:
            found.append(str(col))
    return found


def _duplicate_header_notes(header: list[str], columns: list[str]) -> list[str]:
    header = [h.strip() for h in header]
    dupes = [name for name, n in Counter(header).items() if n > 1 and name]
    if not dupes or len(header) != len(columns):
        return []
    renamed = [f"{h} → {c}" for h, c in zip(header, columns, strict=True) if h != c]
    if not renamed:  # equal only after trimming: unique_names renames and says so
        return []
    return ["Duplicate column names were renamed so each is unique: " + ", ".join(renamed) + "."]


# --- Excel and Parquet ----------------------------------------------------------------------


def _read_excel(raw: bytes, filename: str, options: LoadOptions) -> Dataset:
    try:
        book = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise DataError(
            f"“{filename}” could not be opened as an Excel workbook (it may be damaged or a "
            "different kind of zip file).",
            "Re-save it from Excel as .xlsx, or export it as CSV.",
        ) from err
    except ImportError as err:  # pragma: no cover - openpyxl is a requirement
        raise DataError("Reading Excel files needs the openpyxl package.") from err
    sheets = tuple(str(s) for s in book.sheet_names)
    if not sheets:
        raise DataError(f"“{filename}” has no worksheets.")
    # Without a (valid) choice, show the first sheet that holds a table: workbooks often open
    # with a cover or notes sheet, and an error there would hide the sheet picker.
    candidates = [options.sheet] if options.sheet in sheets else list(sheets)
    skipped: list[str] = []
    for sheet in candidates:
        frame = _read_sheet(book, sheet, filename)
        if frame.shape[1] >= 2 and len(frame):
            break
        skipped.append(sheet)
    else:
        sheet = candidates[0]
        frame = _read_sheet(book, sheet, filename)
        skipped = []
    original = [str(c) for c in frame.columns]
    frame.columns = [c.strip() for c in original]
    notes = []
    if options.sheet and options.sheet not in sheets:
        notes.append(f"Sheet “{options.sheet}” was not found; showing “{sheet}”.")
    if skipped:
        listed = ", ".join(f"“{s}”" for s in skipped)
        one = len(skipped) == 1
        notes.append(
            f"{'Sheet' if one else 'Sheets'} {listed} {'holds' if one else 'hold'} no table "
            f"(a header and rows, two columns or more), so {'it was' if one else 'they were'} "
            "skipped."
        )
    if len(sheets) > 1:
        notes.append(f"The workbook has {len(sheets)} sheets; showing “{sheet}”.")
    mangled = [
        c
        for c in frame.columns
        if re.fullmatch(r"(.+)\.\d+", c) and re.sub(r"\.\d+$", "", c) in frame.columns
    ]
    if mangled:
        notes.append(
            "Duplicate column names were renamed so each is unique: " + ", ".join(mangled) + "."
        )
    return Dataset(
        name=filename,
        frame=frame,
        fingerprint="",
        file_format="excel",
        sheets=sheets,
        sheet=sheet,
        notes=notes,
    )


def _read_sheet(book: pd.ExcelFile, sheet: str, filename: str) -> pd.DataFrame:
    try:
        return pd.read_excel(book, sheet_name=sheet)
    except Exception as err:  # openpyxl raises many types for damaged sheets
        raise DataError(f"Sheet “{sheet}” of “{filename}” could not be read: {err}") from err


def _read_parquet(raw: bytes, filename: str, limits: Limits) -> Dataset:
    _check_parquet(raw, filename, limits)
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise DataError(
            f"“{filename}” could not be read as Parquet (it may be damaged or truncated)."
        ) from err
    frame.columns = [str(c) for c in frame.columns]
    return Dataset(name=filename, frame=frame, fingerprint="", file_format="parquet")


def _check_parquet(raw: bytes, filename: str, limits: Limits) -> None:
    """Width and unpacked size from the file's own metadata, before any data is read."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(raw)).metadata
    except Exception:  # damaged: pd.read_parquet says so
        return
    if meta.num_columns > limits.max_columns:
        raise _too_wide(filename, meta.num_columns, limits)
    if meta.num_rows * meta.num_columns > limits.max_cells:
        raise DataError(
            f"“{filename}” holds {meta.num_rows:,} rows × {meta.num_columns:,} columns "
            f"({meta.num_rows * meta.num_columns:,} cells), more than the "
            f"{limits.max_cells:,} cells Glassbox reads.",
            "Upload a smaller extract; whoever runs Glassbox can raise the limit with "
            "GLASSBOX_MAX_CELLS.",
        )
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limits.max_unpacked_bytes:
        raise DataError(
            f"“{filename}” unpacks to {_mb(unpacked)}, more than the "
            f"{_mb(limits.max_unpacked_bytes)} Glassbox reads for one table.",
            "Upload a smaller extract; whoever runs Glassbox can raise the limit with "
            "GLASSBOX_MAX_UNPACKED_MB.",
        )


# --- checks -----------------------------------------------------------------------------------


def _check_shape(frame: pd.DataFrame, filename: str, dataset: Dataset) -> None:
    if frame.shape[1] == 0:
        raise DataError(f"“{filename}” has no columns.")
    if len(frame) == 0:
        raise DataError(
            f"“{filename}” has a header ({frame.shape[1]} columns) but no data rows.",
            "Add rows below the header.",
        )
    if frame.shape[1] == 1:
        hint = "A model needs a target and at least one feature column."
        if dataset.delimiter is not None:
            hint += " If the file uses another separator, choose it under “Delimiter”."
        raise DataError(
            f"Only one column was found in “{filename}” (“{frame.columns[0][:60]}”).", hint
        )


def unique_names(frame: pd.DataFrame) -> list[str]:
    """Make the column names unique in place (``a``, ``a.1``, …), in one pass; returns
    ``"old → new"`` for each renamed column. Pandas renames duplicates in a CSV header, but
    names can still collide after trimming (``"a "`` and ``"a"``) or in other formats."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) == len(names):
        return []
    taken = set(names)
    seen: set[str] = set()
    suffix: dict[str, int] = {}
    renamed = []
    for i, name in enumerate(names):
        if name not in seen:
            seen.add(name)
            continue
        n = suffix.get(name, 0)
        while True:  # amortised linear: each base name's counter only moves forward
            n += 1
            candidate = f"{name}.{n}"
            if candidate not in taken:
                break
        suffix[name] = n
        taken.add(candidate)
        seen.add(candidate)
        names[i] = candidate
        renamed.append(f"{name} → {candidate}")
    frame.columns = names
    return renamed


def _infinite_columns(frame: pd.DataFrame, block: int = 64) -> list[int]:
    """Positions of numeric columns holding ±inf, checked ``block`` columns at a time (one
    array per block: per-column access costs pandas about a millisecond each)."""
    numeric = [
        i
        for i, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ]
    found = []
    for start in range(0, len(numeric), block):
        positions = numeric[start : start + block]
        values = frame.iloc[:, positions].to_numpy(dtype=float, na_value=np.nan)
        hits = np.isinf(values).any(axis=0)
        found += [p for p, hit in zip(positions, hits, strict=True) if hit]
    return found


def quality_notes(frame: pd.DataFrame) -> list[str]:
    """Facts about the table the user may want to act on (positional, so even a frame with
    duplicate column names gets its notes rather than an error)."""
    notes = []
    n_rows, n_cols = frame.shape
    missing = pd.Series(frame.isna().mean().to_numpy(), index=range(n_cols))
    names = [str(c) for c in frame.columns]
    empty = [names[i] for i in range(n_cols) if missing[i] == 1.0]
    if empty:
        notes.append(f"Entirely empty column(s), which will not be used: {', '.join(empty)}.")
    partial = missing[(missing > 0) & (missing < 1)]
    if len(partial):
        worst = partial.sort_values(ascending=False).head(5)
        listed = ", ".join(f"{names[i]} ({missing[i]:.0%})" for i in worst.index.to_list())
        notes.append(
            f"{len(partial)} column(s) have missing values, e.g. {listed}; "
            "they will be filled in (median or most frequent) before training."
        )
    unnamed = [c for c in names if c.startswith("Unnamed:")]
    if unnamed:
        notes.append(f"Column(s) without a header were named {', '.join(unnamed)}.")
    if n_cols - 1 > n_rows:
        notes.append(
            f"There are more columns ({n_cols}) than rows ({n_rows}): models will over-fit; "
            "choose fewer features or add rows."
        )
    dup_rows = int(frame.duplicated().sum()) if n_rows <= 200_000 else 0
    if dup_rows:
        notes.append(f"{dup_rows} row(s) are exact duplicates of another row.")
    inf_cols = [names[i] for i in _infinite_columns(frame)]
    if inf_cols:
        notes.append(f"Infinite values in: {', '.join(inf_cols)}; they are treated as missing.")
    return notes
