"""Hostile input through the pages: an unexpected error keeps the session usable and leaks
nothing, and every CSV download defuses spreadsheet formulas (CSV injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from mllib.csv_safe import FORMULA_START
from tests.app.helpers import assert_healthy, texts

# Class labels, a category and the target's name are all formulas.
INJECTED = "x,kind,=label\n" + "".join(
    f"{i},{'-cmd' if i % 2 else '@SUM(A1)'},{'=1+1' if i % 3 else '+HYPERLINK(1)'}\n"
    for i in range(40)
)


@pytest.fixture
def downloads(download_bytes: Any) -> Any:
    def read(at: Any, key: str) -> bytes:
        return download_bytes(next(b for b in at.get("download_button") if key in b.proto.id))

    return read


def upload(at: Any, name: str, raw: bytes, key: str = "upload") -> Any:
    at.file_uploader(key=key).set_value((name, raw, "text/csv")).run()
    return at


def risky_cells(raw: bytes) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(raw.decode())) for c in row]
    return [c for c in cells if c.startswith(FORMULA_START) and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_an_unexpected_error_shows_a_reference_and_the_next_rerun_works(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("secret internal detail")

    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    monkeypatch.setattr("ui.cache.read_table", broken)
    upload(at, "boom.csv", b"a,b\n1,2\n3,4\n")
    errors = texts(at, "error")
    assert any("Something went wrong" in e and "Reference" in e for e in errors), errors
    assert not any("secret" in e or "ValueError" in e for e in errors), errors
    assert not at.exception
    at.run()  # the same file again: it used to raise AttributeError: no 'upload_error'
    assert not at.exception, [e.value for e in at.exception]
    sidebar = " ".join(str(m.value) for m in at.sidebar.markdown)
    assert "Iris" in sidebar  # the data loaded before survives


def test_every_csv_download_defuses_formulas(app: Any, downloads: Any) -> None:
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    upload(at, "injected.csv", INJECTED.encode())
    assert_healthy(at)
    assert at.session_state["glassbox_workspace"].target == "=label"
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select("tree").run()
    assert_healthy(at)
    history = downloads(at, "history_csv")
    at.switch_page("pages/predict.py").run()
    assert_healthy(at)
    template = downloads(at, "predict_template")
    upload(at, "injected.csv", INJECTED.encode(), key="predict_upload")
    assert_healthy(at)
    predictions = downloads(at, "predict_download")
    header = next(csv.reader(io.StringIO(predictions.decode())))
    assert "predicted_=label" in header and "P(=1+1)" in header, header
    for name, raw in [("history", history), ("template", template), ("predictions", predictions)]:
        assert not risky_cells(raw), (name, risky_cells(raw)[:5])
    assert "'=1+1" in predictions.decode() and "'-cmd" in predictions.decode()
