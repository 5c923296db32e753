"""Delimited text tables (CSV, TSV, TXT): decoding, delimiter sniffing, parsing, repairs.

:func:`mllib.data.read_table` decodes only the head of a text file to detect its encoding,
delimiter and header; pandas' C parser then reads the bytes themselves. What pandas reads
differently from a person (decimal commas, thousands separators, stray "?" in a number column,
duplicate header names) is repaired here, and each repair is said in a note.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections import Counter
from typing import Any

import pandas as pd

from mllib.errors import DataError
from mllib.i18n import N_, msg

DELIMITERS: dict[str, str] = {
    ",": N_("comma"),
    ";": N_("semicolon"),
    "\t": N_("tab"),
    "|": N_("pipe"),
    " ": N_("space"),  # runs of spaces are one separator (R's write.table, fixed-width text)
}
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1")
_SNIFF_LINES = 50
_BAD_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_SKIPPED_LINE = re.compile(r"Skipping line (\d+)")
_WHOLE_NUMBER = re.compile(r"^\s*[-+]?\d+\s*$")
_TRUNCATED = "Length of header or names does not match length of data"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(\.\d{3})*,\d+\s*$|^\s*[-+]?\d+,\d+\s*$")


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
                msg(
                    "The file could not be read as {encoding}: {err}.",
                    encoding=encoding,
                    err=_describe_decode_error(err),
                ),
                msg("Choose another encoding, or leave it on “detect”."),
            ) from err
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise DataError(
                msg(
                    "The file starts like UTF-16 text but is damaged: {err}.",
                    err=_describe_decode_error(err),
                )
            ) from err
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return _trim_cut_character(raw, utf16).decode(utf16, errors="replace"), utf16
    if _looks_binary(raw):
        raise DataError(
            msg(
                "This file does not contain readable text (it has binary bytes), so it is not "
                "a CSV."
            ),
            msg("If it is a spreadsheet or Parquet file, upload it with its real extension."),
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
    """Pick the delimiter that splits the first lines into the most consistent field counts.

    Spaces are tried last, only when no other delimiter splits the lines: a comma file's
    text values ("New York") hold spaces too.
    """
    lines = [line.strip() for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        if delim == " " and best_score[0] >= 0:
            break
        try:
            counts = [len(row) for row in csv.reader(lines, **reader_options(delim))]
        except csv.Error:  # e.g. a field over the csv module's 128 kB limit
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def reader_options(delimiter: str, quote: str = '"') -> dict[str, Any]:
    """The csv module's options that split a line as pandas will (runs of spaces are one)."""
    return {"delimiter": delimiter, "quotechar": quote, "skipinitialspace": delimiter == " "}


def sniff_quote(text: str, delimiter: str) -> str:
    """``'`` when the header's names are all wrapped in single quotes and nothing is in double
    quotes (statsmodels' and some R/SAS exports write ``'age'\t'income'``), else ``"``.

    Only the header decides: an apostrophe inside a value ("O'Brien") never switches it.
    """
    lines = text.splitlines()[:_SNIFF_LINES]
    if not lines or any('"' in line for line in lines):
        return '"'
    fields = lines[0].split() if delimiter == " " else lines[0].split(delimiter)
    names = [name.strip() for name in fields]
    wrapped = all(len(n) >= 2 and n[0] == n[-1] == "'" for n in names)
    return "'" if wrapped and len(names) >= 2 else '"'


class EncodedText:
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
                        msg(
                            "The file could not be read as {encoding}: {err}.",
                            encoding=self.encoding,
                            err=_describe_decode_error(err),
                        ),
                        msg("Choose another encoding, or leave it on “detect”."),
                    ) from err
                self.encoding = fallback

    def text(self) -> str:
        return self.raw.decode(self.encoding, errors="replace").lstrip("\ufeff")


def parse_csv(
    source: EncodedText, delimiter: str, decimal: str, skip_bad: bool, quote: str = '"'
) -> tuple[pd.DataFrame, int]:
    kwargs: dict[str, Any] = {
        "sep": r"\s+" if delimiter == " " else delimiter,  # C parser: runs of whitespace
        "decimal": decimal,
        "quotechar": quote,
    }
    if delimiter != " ":
        kwargs["skipinitialspace"] = True
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
            _long_rows(source.text(), delimiter, frame.shape[1], quote)
            if any(_TRUNCATED in str(w.message) for w in caught)
            else []
        )
        if long_rows and not skip_bad:
            line, fields = long_rows[0]
            raise DataError(
                msg(
                    "Line {line} has {fields} fields, but the header has {shape}.",
                    line=line,
                    fields=fields,
                    shape=frame.shape[1],
                ),
                msg("Fix that line, pick the right delimiter, or tick “Skip malformed lines”."),
            )
        if long_rows:
            frame = source.read_csv(
                index_col=False,
                skiprows=[line - 1 for line, _ in long_rows],
                on_bad_lines="warn",
                **kwargs,
            )
    except pd.errors.EmptyDataError as err:
        raise DataError(msg("The file has no columns: it is empty or only blank lines.")) from err
    except pd.errors.ParserError as err:
        match = _BAD_LINE.search(str(err))
        if match:
            expected, bad_line, saw = match.groups()
            raise DataError(
                msg(
                    "Line {bad_line} has {saw} fields, but the header has {expected}.",
                    bad_line=bad_line,
                    saw=saw,
                    expected=expected,
                ),
                msg("Fix that line, pick the right delimiter, or tick “Skip malformed lines”."),
            ) from err
        raise DataError(f"The file could not be parsed as a table: {err}".strip()) from err
    except (ValueError, UnicodeError) as err:
        raise DataError(msg("The file could not be parsed as a table: {err}", err=err)) from err
    skipped = len(long_rows) + sum(
        len(_SKIPPED_LINE.findall(str(w.message)))
        for w in caught
        if "Skipping line" in str(w.message)
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, skipped


def _long_rows(text: str, delimiter: str, width: int, quote: str) -> list[tuple[int, int]]:
    """``(line number, field count)`` of rows with values beyond the header's ``width``
    (empty trailing fields, as from a trailing delimiter, do not count)."""
    found = []
    reader = csv.reader(io.StringIO(text), **reader_options(delimiter, quote))
    try:
        next(reader, None)
        for row in reader:
            if len(row) > width and any(value.strip() for value in row[width:]):
                found.append((reader.line_num, len(row)))
    except csv.Error as err:
        raise DataError(
            msg("Line {line_num} could not be read: {err}.", line_num=reader.line_num, err=err)
        ) from err
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
    notes: list[str] = []
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
                msg(
                    "“{col}” uses thousands separators (e.g. “{iloc}”); it was read as numbers.",
                    col=col,
                    iloc=text.iloc[0],
                )
            )
        if len(tokens):
            listed = ", ".join(
                f"“{t}” ({n} row{'s' if n > 1 else ''})"
                for t, n in tokens.head(_REPAIR_MAX_TOKENS).items()
            )
            notes.append(
                msg(
                    "“{col}” holds numbers and a few other values: {listed}; those were read as "
                    "missing.",
                    col=col,
                    listed=listed,
                )
            )
    return notes


def decimal_comma_columns(frame: pd.DataFrame) -> list[str]:
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


def duplicate_header_notes(header: list[str], columns: list[str]) -> list[str]:
    header = [h.strip() for h in header]
    dupes = [name for name, n in Counter(header).items() if n > 1 and name]
    if not dupes or len(header) != len(columns):
        return []
    renamed = [f"{h} → {c}" for h, c in zip(header, columns, strict=True) if h != c]
    if not renamed:  # equal only after trimming: unique_names renames and says so
        return []
    return [
        msg(
            "Duplicate column names were renamed so each is unique: {names}.",
            names=", ".join(renamed),
        )
    ]
