"""Reading uploaded bytes: every format and encoding we promise, and a clear DataError for
every file we cannot use. Files are generated here, in memory."""

from __future__ import annotations

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from mllib import data
from mllib.data import Dataset, LoadOptions, detect_format, quality_notes, read_table
from mllib.errors import DataError
from mllib.samples import SAMPLES
from tests.conftest import workbook_bytes

TABLE = "name,size,kind\ncafé,1.5,a\nnaïve,2.5,b\nZürich,3.5,a\n"


def frame_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "parquet":
        frame.to_parquet(buffer, index=False)
    elif kind == "xlsx":
        frame.to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


SMALL = pd.DataFrame({"x": [1, 2, 3], "y": [0.5, 1.5, 2.5], "label": ["a", "b", "a"]})


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", SAMPLES)
def test_every_sample_file_loads(key: str) -> None:
    sample = SAMPLES[key]
    dataset = read_table(sample.path.read_bytes(), sample.filename)
    assert sample.target in dataset.frame.columns
    assert dataset.n_rows >= 100 and dataset.n_cols >= 2
    assert (dataset.encoding, dataset.delimiter, dataset.file_format) == ("utf-8", ",", "csv")


@pytest.mark.parametrize(
    ("delimiter", "filename", "fmt", "words"),
    [
        (",", "t.csv", "csv", "comma-separated"),
        (";", "t.csv", "csv", "semicolon-separated"),
        ("\t", "t.tsv", "tsv", "tab-separated"),
        ("|", "t.txt", "csv", "pipe-separated"),
        (";", "t.txt", "csv", "semicolon-separated"),
    ],
)
def test_delimiter_is_sniffed(delimiter: str, filename: str, fmt: str, words: str) -> None:
    raw = TABLE.replace(",", delimiter).encode()
    dataset = read_table(raw, filename)
    assert dataset.delimiter == delimiter
    assert dataset.frame.columns.tolist() == ["name", "size", "kind"]
    assert dataset.frame["size"].tolist() == [1.5, 2.5, 3.5]
    assert dataset.file_format == fmt
    assert dataset.describe_reading() == f"{fmt.upper()}, encoding utf-8, {words}"


def test_space_separated_text_with_aligned_columns() -> None:
    """R's write.table and many course files: runs of spaces, leading spaces, quoted names."""
    raw = b'  "OBS"  "GPA" "TUCE"\n  1   2.66   20\n  2   2.89   22\n 10   3.10    7\n'
    dataset = read_table(raw, "spector.txt")
    assert dataset.delimiter == " "
    assert dataset.frame.columns.tolist() == ["OBS", "GPA", "TUCE"]
    assert dataset.frame["GPA"].tolist() == [2.66, 2.89, 3.10]
    assert dataset.describe_reading() == "CSV, encoding utf-8, space-separated"


def test_spaces_inside_comma_separated_values_keep_the_comma() -> None:
    raw = b"city,state,people\nNew York,New York,8\nLos Angeles,Cal ifornia,4\n"
    dataset = read_table(raw, "t.csv")
    assert dataset.delimiter == ","
    assert dataset.frame["city"].tolist() == ["New York", "Los Angeles"]


def test_single_quoted_names_lose_their_quotes() -> None:
    """statsmodels' anes96.csv writes 'popul'\t'TVnews'…: the quotes are not part of the name."""
    raw = b"'popul'\t'vote'\t'name'\n0\t1\t'a b'\n190\t0\tO'Brien\n"
    dataset = read_table(raw, "anes96.csv")
    assert dataset.frame.columns.tolist() == ["popul", "vote", "name"]
    assert dataset.frame["name"].tolist() == ["a b", "O'Brien"]


def test_an_apostrophe_in_values_does_not_change_the_quote() -> None:
    raw = b"name,size\n'Tis,1\nO'Brien's,2\n"
    assert read_table(raw, "t.csv").frame["name"].tolist() == ["'Tis", "O'Brien's"]


def test_delimiter_override_wins() -> None:
    raw = b"x,y;z\n1,2;3\n4,5;6\n"
    assert read_table(raw, "t.csv").delimiter == ","
    dataset = read_table(raw, "t.csv", LoadOptions(delimiter=";"))
    assert dataset.delimiter == ";"
    assert dataset.frame.columns.tolist() == ["x,y", "z"]


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
        ("latin-1", "cp1252"),  # identical for these letters; cp1252 is the superset
    ],
)
def test_encoding_is_detected_and_reported(codec: str, reported: str) -> None:
    dataset = read_table(TABLE.encode(codec), "t.csv")
    assert dataset.encoding == reported
    assert dataset.frame.columns.tolist() == ["name", "size", "kind"]  # no BOM in the name
    assert dataset.frame["name"].tolist() == ["café", "naïve", "Zürich"]


def test_cp1252_only_characters_and_the_latin1_fallback() -> None:
    euro = read_table("item,price\n€ coin,2\nother,3\n".encode("cp1252"), "t.csv")
    assert (euro.encoding, euro.frame["item"][0]) == ("cp1252", "€ coin")
    # 0x81 is undefined in cp1252, so only latin-1 can read this file.
    raw = "item,price\ncafé,2\n".encode("latin-1") + b"x\x81y,3\n"
    assert read_table(raw, "t.csv").encoding == "latin-1"


def test_encoding_override_wins() -> None:
    raw = "name,size\nœuvre,1\nfin,2\n".encode("cp1252")
    dataset = read_table(raw, "t.csv", LoadOptions(encoding="latin-1"))
    assert dataset.encoding == "latin-1"
    assert dataset.frame["name"][0] == "\x9cuvre"  # what latin-1 makes of cp1252's œ


def test_excel_workbook_with_several_sheets() -> None:
    raw = workbook_bytes({"people": SMALL, "other": pd.DataFrame({"p": [1, 2], "q": [3, 4]})})
    first = read_table(raw, "book.xlsx")
    assert (first.file_format, first.sheets, first.sheet) == (
        "excel",
        ("people", "other"),
        "people",
    )
    pd.testing.assert_frame_equal(first.frame, SMALL)
    assert "The workbook has 2 sheets; showing “people”." in first.notes
    assert first.describe_reading() == "EXCEL, sheet “people”"
    second = read_table(raw, "book.xlsx", LoadOptions(sheet="other"))
    assert second.sheet == "other"
    assert second.frame.to_dict("list") == {"p": [1, 2], "q": [3, 4]}
    assert second.fingerprint != first.fingerprint
    missing = read_table(raw, "book.xlsx", LoadOptions(sheet="gone"))
    assert missing.sheet == "people"
    assert "Sheet “gone” was not found; showing “people”." in missing.notes


def test_excel_skips_a_cover_sheet_without_a_table() -> None:
    raw = workbook_bytes(
        {"About": pd.DataFrame({"Sales export": []}), "Notes": SMALL[["x"]], "Data": SMALL}
    )
    dataset = read_table(raw, "book.xlsx")
    assert (dataset.sheet, dataset.sheets) == ("Data", ("About", "Notes", "Data"))
    pd.testing.assert_frame_equal(dataset.frame, SMALL)
    assert dataset.notes[0] == (
        "Sheets “About”, “Notes” hold no table (a header and rows, two columns or more), so "
        "they were skipped."
    )
    with pytest.raises(DataError, match=r"“book.xlsx” has a header \(1 columns\) but no data"):
        read_table(raw, "book.xlsx", LoadOptions(sheet="About"))  # an explicit choice stands


def test_excel_duplicate_headers_are_reported() -> None:
    frame = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=["a", "a", "b"])
    dataset = read_table(frame_bytes(frame, "xlsx"), "dup.xlsx")
    assert dataset.frame.columns.tolist() == ["a", "a.1", "b"]
    assert "Duplicate column names were renamed so each is unique: a.1." in dataset.notes


def test_parquet() -> None:
    dataset = read_table(frame_bytes(SMALL, "parquet"), "t.parquet")
    assert dataset.file_format == "parquet"
    pd.testing.assert_frame_equal(dataset.frame, SMALL)


def test_format_comes_from_content_not_name() -> None:
    raw = frame_bytes(SMALL, "parquet")
    assert detect_format(raw, "data.csv") == "parquet"
    assert read_table(raw, "data.csv").file_format == "parquet"
    assert detect_format(b"a,b\n1,2\n", "data.bin") == "text"


def test_gzip_csv_is_unpacked() -> None:
    raw = gzip.compress(TABLE.replace(",", ";").encode("utf-16"))
    dataset = read_table(raw, "t.csv.gz")
    assert dataset.notes[0] == "The file was gzip-compressed and was unpacked first."
    assert (dataset.name, dataset.encoding, dataset.delimiter) == ("t.csv.gz", "utf-16", ";")
    assert dataset.frame["size"].tolist() == [1.5, 2.5, 3.5]


# --- bad files --------------------------------------------------------------------------------

NOT_A_WORKBOOK = io.BytesIO()
with zipfile.ZipFile(NOT_A_WORKBOOK, "w") as _zip:
    _zip.writestr("readme.txt", "just a zip")


@pytest.mark.parametrize(
    ("raw", "filename", "options", "message"),
    [
        pytest.param(b"", "e.csv", None, "“e.csv” is empty \\(0 bytes\\)", id="empty"),
        pytest.param(b" \n\n  \n", "b.csv", None, "contains no data, only blank space", id="blank"),
        pytest.param(
            b"a,b,c\n", "h.csv", None, "has a header \\(3 columns\\) but no data rows", id="header"
        ),
        pytest.param(
            b"\xef\xbb\xbfa;b\n\n", "h.csv", None, "header \\(2 columns\\) but no data rows",
            id="header-bom",
        ),
        pytest.param(
            bytes(range(256)) * 8, "g.csv", None, "does not contain readable text", id="binary"
        ),
        pytest.param(
            TABLE.encode("utf-8"), "t.csv", LoadOptions(encoding="ascii"),
            "could not be read as ascii: byte 0xc3 at position 18 is not valid",
            id="wrong-encoding",
        ),
        pytest.param(
            TABLE.encode("cp1252"), "t.csv", LoadOptions(encoding="utf-8"),
            "could not be read as utf-8: byte 0xe9", id="cp1252-as-utf8",
        ),
        pytest.param(
            TABLE.encode(), "t.csv", LoadOptions(encoding="klingon"),
            "could not be read as klingon: unknown encoding", id="unknown-encoding",
        ),
        pytest.param(
            b"value\n1\n2\n", "one.csv", None,
            "Only one column was found in “one.csv” \\(“value”\\).*another separator",
            id="one-column",
        ),
        pytest.param(
            b"a;b;c\n1;2;3\n", "s.csv", LoadOptions(delimiter=","),
            "Only one column was found in “s.csv” \\(“a;b;c”\\)", id="wrong-delimiter",
        ),
        pytest.param(
            b"a,b\n1,2\n3,4\n5,6,7\n8,9\n", "r.csv", None,
            "Line 4 has 3 fields, but the header has 2.*Skip malformed lines", id="ragged",
        ),
        pytest.param(
            b"a,b\n1,2,3\n4,5\n6,7\n", "r.csv", None,
            "Line 2 has 3 fields, but the header has 2", id="ragged-first-row",
        ),
        pytest.param(
            np.random.default_rng(0).bytes(600), "x.xlsx", None,
            "named like an Excel workbook but is not one", id="random-xlsx",
        ),
        pytest.param(
            NOT_A_WORKBOOK.getvalue(), "z.xlsx", None,
            "“z.xlsx” could not be opened as an Excel workbook", id="zip-not-workbook",
        ),
        pytest.param(
            frame_bytes(SMALL, "parquet")[:200], "t.parquet", None,
            "“t.parquet” could not be read as Parquet \\(it may be damaged or truncated\\)",
            id="truncated-parquet",
        ),
        pytest.param(
            b"PAR1" + bytes(100), "t.parquet", None, "could not be read as Parquet",
            id="broken-parquet",
        ),
        pytest.param(
            b"hello", "t.parquet", None, "named like a Parquet file but does not start",
            id="not-parquet",
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "old.xls", None,
            "old-style Excel .xls file.*save it as .xlsx or CSV", id="xls",
        ),
        pytest.param(
            b"\x1f\x8b\x08\x00garbage", "t.csv.gz", None, "looks gzip-compressed but could not",
            id="broken-gzip",
        ),
        pytest.param(
            frame_bytes(SMALL[["x"]], "xlsx"), "one.xlsx", None,
            "Only one column was found in “one.xlsx” \\(“x”\\)", id="one-column-xlsx",
        ),
        pytest.param(
            workbook_bytes({"s": SMALL.head(0)}),
            "e.xlsx",
            None,
            "header \\(3 columns\\) but no data",
            id="header-only-xlsx",
        ),
        pytest.param(
            b'[{"Name": "chevrolet", "Horsepower": 130}]', "cars.json", None,
            "“cars.json” is a JSON file.*pandas.read_json", id="json",
        ),
        pytest.param(
            b'\n  {"a": 1, "b": 2}\n{"a": 3, "b": 4}\n', "rows.txt", None,
            "“rows.txt” is a JSON file", id="json-lines-named-txt",
        ),
    ],
)  # fmt: skip
def test_bad_files_raise_a_clear_data_error(
    raw: bytes, filename: str, options: LoadOptions | None, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        read_table(raw, filename, options)


def test_the_uploaders_take_json_files_to_explain_them() -> None:
    """A type missing from the uploaders' list is refused by the browser with only a red icon
    on the file (vega's cars.json): JSON is let through to get the message above."""
    assert {"json", "jsonl"} <= set(data.SUPPORTED_TYPES)


def test_ragged_rows_can_be_skipped() -> None:
    raw = b"a,b\n1,2,3\n4,5\n6,7,8\n9,10\n"
    dataset = read_table(raw, "r.csv", LoadOptions(skip_bad_lines=True))
    assert dataset.frame.to_dict("list") == {"a": [4, 9], "b": [5, 10]}
    assert dataset.skipped_lines == 2
    assert "2 malformed line(s) were skipped, as you asked." in dataset.notes


def test_trailing_delimiters_are_not_ragged() -> None:
    dataset = read_table(b"a,b\n1,2,\n3,4,\n", "t.csv")
    assert dataset.frame.to_dict("list") == {"a": [1, 3], "b": [2, 4]}


# --- content notes ----------------------------------------------------------------------------


def test_duplicate_column_names_are_renamed_and_named() -> None:
    dataset = read_table(b"a,b,a,b,c\n1,2,3,4,5\n6,7,8,9,10\n", "d.csv")
    assert dataset.frame.columns.tolist() == ["a", "b", "a.1", "b.1", "c"]
    assert (
        "Duplicate column names were renamed so each is unique: a → a.1, b → b.1." in dataset.notes
    )


def test_decimal_comma_is_read_as_numbers() -> None:
    raw = "price;qty;weight;kind\n10;2;1.5;x\n12,5;3;2.25;z\n1.234,5;1;0.5;q\n7,25;4;3.0;r\n"
    dataset = read_table(raw.encode(), "d.csv")
    frame = dataset.frame
    assert dataset.decimal == ","
    assert frame["price"].tolist() == [10.0, 12.5, 1234.5, 7.25]  # whole numbers mixed in
    assert frame["weight"].tolist() == [1.5, 2.25, 0.5, 3.0]  # a dot column stays as it was
    assert frame["qty"].tolist() == [2, 3, 1, 4]
    assert frame["kind"].tolist() == ["x", "z", "q", "r"]
    assert "Numbers use a decimal comma (e.g. “1,5”); they were read as numbers: price." in (
        dataset.notes
    )
    assert dataset.describe_reading() == "CSV, encoding utf-8, semicolon-separated, decimal comma"


def test_decimal_override_and_comma_files_without_decimals() -> None:
    raw = b"a;b\n1,5;x\n2,5;y\n"
    kept = read_table(raw, "d.csv", LoadOptions(decimal="."))
    assert kept.frame["a"].tolist() == ["1,5", "2,5"]
    assert read_table(b"a;b\n1;x\n2;y\n", "d.csv").decimal == "."


def test_quality_notes_name_the_problems() -> None:
    frame = pd.DataFrame(
        {
            "a": [1.0, np.nan, 3.0, 4.0],
            "b": ["x", "y", None, None],
            "empty": [np.nan] * 4,
            "Unnamed: 3": [1, 2, 3, 4],
            "inf": [1.0, np.inf, 2.0, 3.0],
        }
    )
    notes = quality_notes(frame)
    assert notes == [
        "Entirely empty column(s), which will not be used: empty.",
        "2 column(s) have missing values, e.g. b (50%), a (25%); they will be filled in "
        "(median or most frequent) before training.",
        "Column(s) without a header were named Unnamed: 3.",
        "Infinite values in: inf; they are treated as missing.",
    ]


def test_quality_notes_more_columns_than_rows_and_duplicates() -> None:
    wide = pd.DataFrame([[1, 2, 3, 4], [1, 2, 3, 4]], columns=list("abcd"))
    assert quality_notes(wide) == [
        "There are more columns (4) than rows (2): models will over-fit; choose fewer "
        "features or add rows.",
        "1 row(s) are exact duplicates of another row.",
    ]
    assert quality_notes(SMALL) == []


def test_notes_reach_the_dataset() -> None:
    dataset = read_table(b"a,b,c\n1,,x\n2,3,y\n", "m.csv")
    assert any(
        note.startswith("1 column(s) have missing values, e.g. b (50%)") for note in (dataset.notes)
    )


# --- fingerprints -----------------------------------------------------------------------------


def test_fingerprint_follows_content_and_options() -> None:
    raw = TABLE.encode()
    a, b = read_table(raw, "one.csv"), read_table(raw, "two.csv")
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    assert read_table(raw + b"x,4,b\n", "one.csv").fingerprint != a.fingerprint
    assert read_table(raw, "one.csv", LoadOptions(encoding="utf-8")).fingerprint != a.fingerprint


def test_derive_makes_a_new_fingerprint_and_keeps_notes() -> None:
    dataset = read_table(TABLE.encode(), "t.csv")
    smaller = dataset.derive(dataset.frame.head(2), "head 2", "Kept the first 2 rows.")
    assert isinstance(smaller, Dataset)
    assert smaller.n_rows == 2 and dataset.n_rows == 3
    assert smaller.fingerprint != dataset.fingerprint
    assert smaller.fingerprint == dataset.derive(dataset.frame, "head 2", "").fingerprint
    assert smaller.notes[-1] == "Kept the first 2 rows."


def test_non_utf8_byte_after_the_detection_head_falls_back_to_cp1252() -> None:
    raw = ("a,b\n" + "x,1\n" * 400_000 + "caf\xe9,2\n").encode("cp1252")
    assert len(raw) > data._HEAD_BYTES
    dataset = data.read_table(raw, "late.csv")
    assert dataset.encoding == "cp1252"
    assert dataset.frame["a"].iloc[-1] == "café"


def test_chosen_encoding_is_never_replaced() -> None:
    raw = ("a,b\n" + "x,1\n" * 400_000 + "caf\xe9,2\n").encode("cp1252")
    with pytest.raises(DataError, match="could not be read as utf-8: byte 0xe9"):
        data.read_table(raw, "late.csv", data.LoadOptions(encoding="utf-8"))


def test_utf8_character_cut_by_the_head_is_not_an_error() -> None:
    cell = "é" * (data._HEAD_BYTES // 2)  # the head boundary falls inside a 2-byte character
    raw = ("a,b\n" + f"{cell}x,1\n" + "y,2\n" * 20).encode("utf-8")
    dataset = data.read_table(raw, "cut.csv")
    assert dataset.encoding == "utf-8"
    assert dataset.frame.shape == (21, 2)
