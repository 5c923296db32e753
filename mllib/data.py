"""Turn uploaded bytes into a validated table, saying exactly what was guessed and why.

Everything here works on bytes, so the same code serves the file uploader, the bundled samples
and the tests. Problems raise :class:`DataError` with a message meant for the page.

One topic: an upload's bytes becoming a Dataset (format, encoding, delimiter, Excel sheets,
Parquet) with every guess and refusal said in words; its length is mostly those messages, each
a translatable ``msg()`` (upload limits and text parsing live in upload_limits / text_files).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from mllib.errors import DataError
from mllib.i18n import DEFAULT, Translator, msg, translator
from mllib.table_notes import quality_notes as quality_notes  # re-exported: tests, pages
from mllib.table_notes import unique_names as unique_names
from mllib.text_files import (
    DELIMITERS,
    EncodedText,
    decimal_comma_columns,
    decode_text,
    duplicate_header_notes,
    parse_csv,
    reader_options,
    repair_numeric_text,
    sniff_delimiter,
    sniff_quote,
)
from mllib.text_files import ENCODINGS as ENCODINGS  # re-exported: the Data page lists them
from mllib.upload_limits import Limits, check_parquet, check_workbook, gunzip, mb, too_wide

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".dat", ".gz"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson", ".geojson"}
# .xls and JSON are accepted only to explain how to convert them (see detect_format): a type
# left out here is refused by the browser with nothing but a red icon on the file.
SUPPORTED_TYPES = [
    "csv",
    "tsv",
    "txt",
    "gz",
    "xlsx",
    "xlsm",
    "xls",
    "parquet",
    "pq",
    "json",
    "jsonl",
]
_HEAD_BYTES = 1 << 20  # decoded for detection: encoding, delimiter, header


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

    def describe_reading(self, tr: Translator | None = None) -> str:
        """One line telling the user how the file was read (in ``tr``'s language)."""
        tr = tr or translator(DEFAULT)
        parts = [self.file_format.upper()]
        if self.encoding:
            parts.append(tr("encoding {encoding}", encoding=self.encoding))
        if self.delimiter:
            name = DELIMITERS.get(self.delimiter)
            parts.append(
                tr("{delimiter}-separated", delimiter=tr(name) if name else repr(self.delimiter))
            )
        if self.decimal == ",":
            parts.append(tr("decimal comma"))
        if self.sheet:
            parts.append(tr("sheet “{sheet}”", sheet=self.sheet))
        return tr(", ").join(parts)

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
        raise DataError(
            msg("“{filename}” is empty (0 bytes).", filename=filename),
            msg("Choose a file that contains a table."),
        )
    fmt = detect_format(raw, filename)
    if fmt == "gzip":
        raw = gunzip(raw, filename, limits)
        inner = filename[:-3] if filename.lower().endswith(".gz") else filename
        dataset = read_table(raw, inner, options, limits)
        dataset.notes.insert(0, msg("The file was gzip-compressed and was unpacked first."))
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
            msg(
                "Column names that were equal after trimming spaces were made unique: {names}.",
                names=", ".join(renamed[:10]) + ("…" if len(renamed) > 10 else ""),
            )
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
            msg(
                "“{filename}” is an old-style Excel .xls file, which Glassbox does not read.",
                filename=filename,
            ),
            msg("Open it in Excel or LibreOffice and save it as .xlsx or CSV."),
        )
    if suffix in JSON_SUFFIXES or raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:2] in (b"[{", b'{"'):
        raise DataError(
            msg(
                "“{filename}” is a JSON file; Glassbox reads tables: CSV, TSV, TXT, Excel "
                ".xlsx or Parquet.",
                filename=filename,
            ),
            msg(
                "Save it as CSV first, e.g. in Python: "
                "pandas.read_json('{filename}').to_csv('table.csv', index=False)",
                filename=filename,
            ),
        )
    if suffix in EXCEL_SUFFIXES:
        raise DataError(
            msg(
                "“{filename}” is named like an Excel workbook but is not one (it may be damaged).",
                filename=filename,
            ),
            msg("Re-save it from Excel as .xlsx, or export it as CSV."),
        )
    if suffix in PARQUET_SUFFIXES:
        raise DataError(
            msg(
                "“{filename}” is named like a Parquet file but does not start with Parquet's "
                "signature (it may be damaged or incomplete).",
                filename=filename,
            ),
        )
    return "text"


def _check_header(head: str, whole: bool, delimiter: str, filename: str, limits: Limits) -> None:
    """Refuse a first line over 1 MB or wider than the column limit before pandas parses it
    (a 2 MB line of 220,000 names took pandas 103 s)."""
    end = head.find("\n")
    if end < 0 and not whole:
        raise DataError(
            msg(
                "The first line of “{filename}” is longer than {HEAD_BYTES}: that is not a "
                "table's header.",
                filename=filename,
                HEAD_BYTES=mb(_HEAD_BYTES),
            ),
            msg("Check that the file is a table with one row per line."),
        )
    line = head[: end if end >= 0 else len(head)]
    if line.count(delimiter) < limits.max_columns:
        return
    try:
        columns = len(next(csv.reader([line.strip()], **reader_options(delimiter))))
    except (csv.Error, StopIteration):
        columns = line.count(delimiter) + 1
    if columns > limits.max_columns:
        raise too_wide(filename, columns, limits)


def _read_text(raw: bytes, filename: str, options: LoadOptions, limits: Limits) -> Dataset:
    # Only a head is decoded (for detection); pandas' C parser reads the bytes themselves,
    # which on 1M rows was 4-5x faster than parsing a decoded str and needs no second copy.
    head, encoding = decode_text(
        raw[:_HEAD_BYTES], options.encoding, partial=len(raw) > _HEAD_BYTES
    )
    if not head.strip() and len(raw) <= _HEAD_BYTES:
        raise DataError(msg("“{filename}” contains no data, only blank space.", filename=filename))
    delimiter = options.delimiter or sniff_delimiter(head)
    _check_header(head.lstrip("\ufeff"), len(raw) <= _HEAD_BYTES, delimiter, filename, limits)
    decimal = options.decimal or "."
    source = EncodedText(raw, encoding, explicit=options.encoding is not None)
    quote = sniff_quote(head.lstrip("\ufeff"), delimiter)
    frame, skipped = parse_csv(source, delimiter, decimal, options.skip_bad_lines, quote)
    encoding = source.encoding
    notes: list[str] = []
    if options.decimal is None and delimiter != ",":
        converted = decimal_comma_columns(frame)
        if converted:
            # Take only the detected columns from the decimal-comma parse: its thousands
            # separator "." would turn another column's "3.14" into 314.
            reparsed, _ = parse_csv(source, delimiter, ",", options.skip_bad_lines, quote)
            frame[converted] = reparsed[converted]
            decimal = ","
            notes.append(
                msg(
                    "Numbers use a decimal comma (e.g. “1,5”); they were read as numbers: {names}.",
                    names=", ".join(converted[:6]) + ("…" if len(converted) > 6 else ""),
                )
            )
    try:
        first = head.lstrip("\ufeff").splitlines()[0]
        header = next(csv.reader([first.strip()], **reader_options(delimiter, quote)))
    except (csv.Error, StopIteration, IndexError):
        header = []
    notes.extend(duplicate_header_notes(header, list(frame.columns)))
    notes.extend(repair_numeric_text(frame))
    if skipped:
        notes.append(
            msg("{skipped} malformed line(s) were skipped, as you asked.", skipped=skipped)
        )
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


# --- Excel and Parquet ----------------------------------------------------------------------


def _read_excel(raw: bytes, filename: str, options: LoadOptions) -> Dataset:
    try:
        book = pd.ExcelFile(io.BytesIO(raw), engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise DataError(
            msg(
                "“{filename}” could not be opened as an Excel workbook (it may be damaged or a "
                "different kind of zip file).",
                filename=filename,
            ),
            msg("Re-save it from Excel as .xlsx, or export it as CSV."),
        ) from err
    except ImportError as err:  # pragma: no cover - openpyxl is a requirement
        raise DataError(msg("Reading Excel files needs the openpyxl package.")) from err
    sheets = tuple(str(s) for s in book.sheet_names)
    if not sheets:
        raise DataError(msg("“{filename}” has no worksheets.", filename=filename))
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
    notes: list[str] = []
    if options.sheet and options.sheet not in sheets:
        notes.append(
            msg(
                "Sheet “{sheet}” was not found; showing “{sheet2}”.",
                sheet=options.sheet,
                sheet2=sheet,
            )
        )
    if skipped:
        listed = ", ".join(f"“{s}”" for s in skipped)
        one = len(skipped) == 1
        notes.append(
            msg(
                "Sheet {listed} holds no table (a header and rows, two columns or more), so it "
                "was skipped.",
                listed=listed,
            )
            if one
            else msg(
                "Sheets {listed} hold no table (a header and rows, two columns or more), so they "
                "were skipped.",
                listed=listed,
            )
        )
    if len(sheets) > 1:
        notes.append(
            msg(
                "The workbook has {sheets} sheets; showing “{sheet}”.",
                sheets=len(sheets),
                sheet=sheet,
            )
        )
    mangled = [
        c
        for c in frame.columns
        if re.fullmatch(r"(.+)\.\d+", c) and re.sub(r"\.\d+$", "", c) in frame.columns
    ]
    if mangled:
        notes.append(
            msg(
                "Duplicate column names were renamed so each is unique: {names}.",
                names=", ".join(mangled),
            )
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
        raise DataError(
            msg(
                "Sheet “{sheet}” of “{filename}” could not be read: {err}",
                sheet=sheet,
                filename=filename,
                err=err,
            )
        ) from err


def _read_parquet(raw: bytes, filename: str, limits: Limits) -> Dataset:
    check_parquet(raw, filename, limits)
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        raise DataError(
            msg(
                "“{filename}” could not be read as Parquet (it may be damaged or truncated).",
                filename=filename,
            )
        ) from err
    frame.columns = [str(c) for c in frame.columns]
    return Dataset(name=filename, frame=frame, fingerprint="", file_format="parquet")


# --- checks -----------------------------------------------------------------------------------


def _check_shape(frame: pd.DataFrame, filename: str, dataset: Dataset) -> None:
    if frame.shape[1] == 0:
        raise DataError(msg("“{filename}” has no columns.", filename=filename))
    if len(frame) == 0:
        raise DataError(
            msg(
                "“{filename}” has a header ({shape} columns) but no data rows.",
                filename=filename,
                shape=frame.shape[1],
            ),
            msg("Add rows below the header."),
        )
    if frame.shape[1] == 1:
        hint = msg("A model needs a target and at least one feature column.")
        if dataset.delimiter is not None:
            hint = msg(
                "A model needs a target and at least one feature column. If the file uses "
                "another separator, choose it under “Delimiter”."
            )
        raise DataError(
            msg(
                "Only one column was found in “{filename}” (“{columns}”).",
                filename=filename,
                columns=frame.columns[0][:60],
            ),
            hint,
        )
