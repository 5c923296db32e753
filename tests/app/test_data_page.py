"""The Data page through AppTest: samples, every upload format, and every bad input."""

from __future__ import annotations

import gzip
import io
from typing import Any

import pandas as pd
import pytest

from mllib import samples
from tests.app.helpers import assert_healthy, texts
from tests.conftest import parquet_bytes, workbook_bytes

DATA = "pages/data.py"
GOOD_CSV = b"x1,x2,colour,y\n" + b"".join(
    f"{i},{i % 7},{'rgb'[i % 3]},{2 * i + 1}\n".encode() for i in range(30)
)


def open_upload(app: Any) -> Any:
    at = app(DATA)
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    assert_healthy(at)
    return at


def upload(at: Any, name: str, raw: bytes, mime: str = "text/csv") -> Any:
    at.file_uploader(key="upload").set_value((name, raw, mime)).run()
    assert_healthy(at)
    return at


def sidebar_text(at: Any) -> str:
    return " ".join(str(m.value) for m in at.sidebar.markdown)


def test_app_starts_with_the_default_sample(app: Any) -> None:
    at = app()
    assert_healthy(at)
    assert samples.SAMPLES[samples.DEFAULT_SAMPLE].title in sidebar_text(at)


@pytest.mark.parametrize("key", list(samples.SAMPLES))
def test_each_sample_loads(app: Any, key: str) -> None:
    at = app(DATA)
    at.selectbox(key="sample").select(key).run()
    assert_healthy(at)
    sample = samples.SAMPLES[key]
    assert sample.title in sidebar_text(at)
    assert at.selectbox(key="target").value == sample.target
    assert at.multiselect(key="features").value, "default features are ticked"
    frame = at.dataframe[0].value
    assert len(frame) == min(200, len(pd.read_csv(sample.path)))


GOOD_FRAME = pd.read_csv(io.BytesIO(GOOD_CSV))
FORMATS = {
    "good.csv": GOOD_CSV,
    "good.tsv": GOOD_CSV.replace(b",", b"\t"),
    "good.txt": GOOD_CSV.replace(b",", b"|"),
    "good.csv.gz": gzip.compress(GOOD_CSV),
    "good.xlsx": workbook_bytes({"data": GOOD_FRAME}),
    "good.parquet": parquet_bytes(GOOD_FRAME),
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_uploads(app: Any, name: str) -> None:
    at = upload(open_upload(app), name, FORMATS[name], "application/octet-stream")
    assert name in sidebar_text(at)
    assert "30 rows" in sidebar_text(at)
    assert at.selectbox(key="target").value == "y"
    assert not at.error


def test_excel_with_several_sheets_offers_a_sheet_picker(app: Any) -> None:
    other = pd.DataFrame({"a": range(12), "b": range(12, 24), "label": ["p", "q"] * 6})
    raw = workbook_bytes({"first": GOOD_FRAME, "second": other})
    at = upload(open_upload(app), "book.xlsx", raw)
    assert "2 sheets" in " ".join(texts(at, "markdown"))
    at.selectbox(key="opt_sheet").select("second").run()
    assert_healthy(at)
    assert "12 rows" in sidebar_text(at)


CORRUPT_ZIP = b"PK\x03\x04" + b"\x00" * 60
BAD_INPUTS = [
    ("empty.csv", b"", "is empty"),
    ("header.csv", b"a,b,c\n", "no data rows"),
    ("binary.csv", bytes(range(256)) * 8, "does not contain readable text"),
    ("one.csv", b"a\n1\n2\n3\n", "Only one column"),
    ("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n", "Line 3 has 3 fields"),
    ("broken.xlsx", b"this is not a workbook", "not one"),
    ("broken2.xlsx", CORRUPT_ZIP, "could not be opened as an Excel workbook"),
    ("broken.parquet", b"PAR1" + b"\x00" * 40, "could not be read as Parquet"),
]


@pytest.mark.parametrize(("name", "raw", "message"), BAD_INPUTS)
def test_bad_upload_shows_message_and_keeps_previous_data(
    app: Any, name: str, raw: bytes, message: str
) -> None:
    at = upload(open_upload(app), "good.csv", GOOD_CSV)
    assert "good.csv" in sidebar_text(at)
    at = upload(at, name, raw)
    errors = texts(at, "error")
    assert any(message in e for e in errors), errors
    assert "good.csv" in sidebar_text(at), "the previous dataset stays loaded"
    assert any("Still loaded" in c for c in texts(at, "caption"))


def test_upload_over_the_limit_is_named_in_the_uploader() -> None:
    import streamlit as st

    assert st.get_option("server.maxUploadSize") >= 200


def test_duplicate_columns_are_renamed_with_a_note(app: Any) -> None:
    raw = b"a,a,y\n" + b"".join(f"{i},{i * 2},{i % 2}\n".encode() for i in range(20))
    at = upload(open_upload(app), "dupes.csv", raw)
    notes = " ".join(texts(at, "markdown"))
    assert "a → a.1" in notes


def test_nan_and_inf_in_target_are_counted_and_can_be_dropped(app: Any) -> None:
    rows = [f"{i},{i * 1.5}" for i in range(30)] + ["31,", "32,inf", "33,-inf"]
    raw = ("x,y\n" + "\n".join(rows) + "\n").encode()
    at = upload(open_upload(app), "gaps.csv", raw)
    warnings = " ".join(texts(at, "warning"))
    assert "1 missing and 2 infinite" in warnings
    at.button(key="drop_bad_target").click().run()
    assert_healthy(at)
    assert "30 rows" in sidebar_text(at)
    assert "infinite" not in " ".join(texts(at, "warning"))


def test_constant_target_is_blocked(app: Any) -> None:
    raw = b"x,y\n" + b"".join(f"{3 * i % 11},7\n".encode() for i in range(20))
    at = upload(open_upload(app), "flat.csv", raw)
    at.selectbox(key="target").select("y").run()
    assert any("single value" in e for e in texts(at, "error"))
    at.switch_page("pages/train.py").run()
    assert_healthy(at)
    assert any("single value" in e for e in texts(at, "error"))
    assert not at.metric, "no model is trained on a constant target"


def test_no_feature_selected_is_explained(app: Any) -> None:
    at = app(DATA)
    at.multiselect(key="features").set_value([]).run()
    assert_healthy(at)
    assert any("at least one feature" in w for w in texts(at, "warning"))
    at.switch_page("pages/train.py").run()
    assert_healthy(at)
    assert any("Load a dataset and choose" in i for i in texts(at, "info"))


def test_changing_target_resets_features_and_task(app: Any) -> None:
    at = app(DATA)
    at.selectbox(key="target").select("petal_width").run()
    assert_healthy(at)
    assert "species" in at.multiselect(key="features").value
    assert at.radio(key="task").value.value == "regression"


def test_a_rerun_reads_the_whole_table_no_more(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashing the upload, checking the target, guessing the task and the profile's small
    histograms read every row (0.4 s per rerun of this page on a million rows): once per data,
    then from the cache."""
    from mllib import data, profile

    calls: list[str] = []
    for module, name in [
        (data, "fingerprint_bytes"),
        (profile, "check_target"),
        (profile, "detect_task"),
        (profile, "distributions"),
    ]:
        real = getattr(module, name)
        monkeypatch.setattr(
            module, name, lambda *a, _n=name, _f=real, **k: calls.append(_n) or _f(*a, **k)
        )
    monkeypatch.setattr("ui.cache.fingerprint_bytes", data.fingerprint_bytes)
    monkeypatch.setattr("ui.cache.check_target", profile.check_target)
    monkeypatch.setattr("ui.cache.detect_task", profile.detect_task)
    monkeypatch.setattr("ui.cache.profile_distributions", profile.distributions)
    at = upload(open_upload(app), "counted.csv", GOOD_CSV.replace(b"x1", b"z1"))
    assert {"fingerprint_bytes", "check_target", "detect_task", "distributions"} <= set(calls)
    calls.clear()
    at.run()
    at.run()
    assert_healthy(at)
    assert calls == [], calls
