"""Hostile and odd input, table-driven, across upload, training, prediction and serving.

Each row is one input a real user or client could send, with what Glassbox must say. Upload and
training rows check the engine's message here; ``tests/app/test_robustness_app.py`` replays the
upload table through the Data page to check that the previously loaded data survives.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from mllib import export, predict, serve
from mllib.data import LoadOptions, read_path, read_table
from mllib.errors import DataError, GlassboxError
from mllib.profile import Role, Task, profile_table
from mllib.samples import SAMPLES
from mllib.training import TrainConfig, train_model
from tests.conftest import workbook_bytes


@dataclass(frozen=True)
class Upload:
    """A file; ``error`` is the message it must be refused with, else it loads and ``check``
    (on the Dataset and its profile) holds."""

    name: str
    raw: bytes
    error: str | None = None
    check: Callable | None = None
    options: LoadOptions | None = None


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _rows(n: int, fmt: Callable[[int], str]) -> str:
    return "\n".join(fmt(i) for i in range(n)) + "\n"


def _notes(ds: object) -> str:
    return " ".join(ds.notes)  # type: ignore[attr-defined]


SMALL = pd.DataFrame({"x": range(20), "y": [i % 3 for i in range(20)]})
WIDE = (
    ",".join(f"f{j}" for j in range(600))
    + ",y\n"
    + _rows(30, lambda i: ",".join(str((i * j) % 7) for j in range(600)) + f",{i % 2}")
)

UPLOADS = [
    Upload("empty.csv", b"", error="is empty"),
    Upload("blank.csv", b"   \n\n  \n", error="only blank space"),
    Upload("header.csv", b"a,b,c\n", error="no data rows"),
    Upload("binary.csv", bytes(range(256)) * 16, error="does not contain readable text"),
    Upload("one.csv", b"value\n1\n2\n3\n", error="Only one column"),
    Upload("ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n", error="Line 3 has 3 fields"),
    Upload("first_row_long.csv", b"a,b\n1,2,3\n4,5\n", error="Line 2 has 3 fields"),
    Upload("fake.xlsx", b"plain text, not a workbook", error="not one"),
    Upload("zip.xlsx", b"PK\x03\x04" + b"\x00" * 64, error="could not be opened as an Excel"),
    Upload("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, error=".xls"),
    Upload("cut.parquet", b"PAR1" + b"\x00" * 64, error="could not be read as Parquet"),
    Upload("bad.gz", b"\x1f\x8b\x08\x00garbage", error="could not be unpacked"),
    Upload(
        "wrong_enc.csv",
        "a,b\ncafé,1\nthé,2\n".encode("cp1252"),
        error="could not be read as utf-8",
        options=LoadOptions(encoding="utf-8"),
    ),
    Upload(
        "semicolon_decimal_comma.csv",
        _csv("size;price;city\n" + _rows(20, lambda i: f"{i},5;{100 + i},25;Lyon")),
        check=lambda ds, prof: (
            ds.delimiter == ";"
            and ds.frame["price"].dtype.kind == "f"
            and "decimal comma" in _notes(ds)
        ),
    ),
    Upload(
        "quoted_newlines.csv",
        _csv("id_text,note,y\n" + _rows(12, lambda i: f'a{i},"line one\nline two",{i % 2}')),
        check=lambda ds, prof: ds.n_rows == 12 and "\n" in ds.frame["note"].iloc[0],
    ),
    Upload(
        "thousands.csv",
        _csv("amount,label\n" + _rows(20, lambda i: f'"{1000 + 137 * i:,}",{i % 2}')),
        check=lambda ds, prof: (
            ds.frame["amount"].dtype.kind == "f" and "thousands separators" in _notes(ds)
        ),
    ),
    Upload(
        "na_tokens.csv",
        _csv("x,y\n" + _rows(30, lambda i: f"{'NA' if i % 10 == 0 else i},{i % 2}")),
        check=lambda ds, prof: ds.frame["x"].isna().sum() == 3 and ds.frame["x"].dtype.kind == "f",
    ),
    Upload(
        "stray_tokens.csv",
        _csv("x,y\n" + _rows(40, lambda i: f"{'?' if i == 5 else '-' if i == 9 else i},{i % 2}")),
        check=lambda ds, prof: ds.frame["x"].isna().sum() == 2 and "“?” (1 row)" in _notes(ds),
    ),
    Upload(
        "mixed_types.csv",
        _csv("code,y\n" + _rows(30, lambda i: f"{'A' + str(i) if i % 2 else i},{i % 2}")),
        check=lambda ds, prof: prof["code"].role in (Role.CATEGORICAL, Role.ID_LIKE),
    ),
    Upload(
        "dates.csv",
        _csv("when,v,y\n" + _rows(30, lambda i: f"2024-01-{i % 28 + 1:02d},{i},{i % 2}")),
        check=lambda ds, prof: prof["when"].role == Role.DATETIME,
    ),
    Upload(
        "booleans.csv",
        _csv("member,v,y\n" + _rows(30, lambda i: f"{'yes' if i % 3 else 'no'},{i},{i % 2}")),
        check=lambda ds, prof: prof["member"].role == Role.BOOLEAN,
    ),
    Upload(
        "wide.csv",
        _csv(WIDE),
        check=lambda ds, prof: ds.n_cols == 601 and "more columns" in _notes(ds),
    ),
    Upload(
        "gzipped.csv.gz",
        gzip.compress(_csv("a,b\n" + _rows(20, lambda i: f"{i},{i % 2}"))),
        check=lambda ds, prof: ds.n_rows == 20 and "gzip" in _notes(ds),
    ),
    Upload(
        "sheets.xlsx",
        workbook_bytes({"cover": pd.DataFrame(), "data": SMALL, "other": SMALL}),
        check=lambda ds, prof: ds.sheets == ("cover", "data", "other") and ds.n_rows == 20,
    ),
    Upload(
        "dupes.csv",
        _csv("a,a,y\n" + _rows(20, lambda i: f"{i},{2 * i},{i % 2}")),
        check=lambda ds, prof: "a → a.1" in _notes(ds),
    ),
    Upload(
        "dupes_after_trimming.csv",
        _csv("a ,a,y\n" + _rows(20, lambda i: f"{i},{2 * i},{i % 2}")),
        check=lambda ds, prof: (
            list(ds.frame.columns) == ["a", "a.1", "y"] and "a → a.1" in _notes(ds)
        ),
    ),
    Upload(
        "bom_semicolon.csv",
        b"\xef\xbb\xbf" + _csv("a;b;y\n" + _rows(20, lambda i: f"{i};{i * 2};{i % 2}")),
        check=lambda ds, prof: (
            ds.encoding == "utf-8-sig" and list(ds.frame.columns) == ["a", "b", "y"]
        ),
    ),
    Upload(
        "utf16_no_bom.txt",
        "a\tb\ty\n".encode("utf-16-le")
        + _rows(20, lambda i: f"{i}\t{i}\t{i % 2}").encode("utf-16-le"),
        check=lambda ds, prof: ds.encoding == "utf-16-le" and ds.n_rows == 20,
    ),
    Upload(
        "all_empty_column.csv",
        _csv("a,empty,y\n" + _rows(20, lambda i: f"{i},,{i % 2}")),
        check=lambda ds, prof: prof["empty"].role == Role.EMPTY and "empty" in _notes(ds),
    ),
    Upload(
        "id_column.csv",
        _csv("customer,spend,y\n" + _rows(60, lambda i: f"C{i:05d},{i * 1.5},{i % 2}")),
        check=lambda ds, prof: prof["customer"].role == Role.ID_LIKE,
    ),
    Upload(
        "inf_values.csv",
        _csv("a,y\n" + _rows(20, lambda i: f"{'inf' if i == 3 else i},{i}")),
        check=lambda ds, prof: "Infinite values" in _notes(ds),
    ),
]


@pytest.mark.parametrize("case", UPLOADS, ids=[u.name for u in UPLOADS])
def test_upload(case: Upload) -> None:
    if case.error:
        with pytest.raises(DataError, match=case.error):
            read_table(case.raw, case.name, case.options)
        return
    dataset = read_table(case.raw, case.name, case.options)
    assert case.check is not None
    assert case.check(dataset, profile_table(dataset.frame)), dataset.notes


# --- training ------------------------------------------------------------------------------------

IRIS = read_path(SAMPLES["iris"].path).frame
IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
BC = read_path(SAMPLES["breast_cancer"].path).frame
BC_FEATURES = [c for c in BC.columns if c != "diagnosis"][:8]


@dataclass(frozen=True)
class Fit:
    label: str
    frame: pd.DataFrame
    config: TrainConfig
    error: str | None = None
    warning: str | None = None


def _cls(
    algorithm: str,
    params: dict,
    frame: pd.DataFrame = IRIS,
    target: str = "species",
    features: list[str] = IRIS_FEATURES,
) -> TrainConfig:
    return TrainConfig.make(algorithm, Task.CLASSIFICATION, target, features, params)


FITS = [
    Fit(
        "svm extreme C and gamma",
        BC,
        _cls("svm", {"C": 1000.0, "gamma": 100.0}, BC, "diagnosis", BC_FEATURES),
    ),
    Fit("unlimited tree", IRIS, _cls("tree", {"max_depth": None, "min_samples_leaf": 1})),
    Fit("leaf larger than the data", IRIS, _cls("tree", {"min_samples_leaf": 100})),
    Fit(
        "logistic not converging",
        BC,
        _cls(
            "logistic",
            {"C": 1000.0, "l1_ratio": 1.0, "max_iter": 100},
            BC,
            "diagnosis",
            BC_FEATURES,
        ),
        warning="before it converged",
    ),
    Fit(
        "no features",
        IRIS,
        TrainConfig(algorithm="tree", task=Task.CLASSIFICATION, target="species", features=()),
        error="No feature",
    ),
    Fit(
        "target also a feature",
        IRIS,
        _cls("tree", {}, features=[*IRIS_FEATURES, "species"]),
        error="both the target",
    ),
    Fit(
        "regression on text labels",
        IRIS,
        TrainConfig.make("linear", Task.REGRESSION, "species", IRIS_FEATURES),
        error="Choose the classification task",
    ),
    Fit("single class", IRIS.assign(species="setosa"), _cls("tree", {}), error="single value"),
    Fit("too few rows", IRIS.iloc[[0, 1, 50, 51, 100, 101]], _cls("tree", {}), error="at least 10"),
    Fit(
        "missing target rows",
        IRIS.assign(species=IRIS["species"].where(IRIS.index % 10 != 0)),
        _cls("tree", {}),
        warning="15 missing",
    ),
]


@pytest.mark.parametrize("case", FITS, ids=[f.label for f in FITS])
def test_training(case: Fit) -> None:
    prof = profile_table(case.frame)
    if case.error:
        with pytest.raises(GlassboxError, match=case.error):
            train_model(case.frame, prof, case.config)
        return
    model = train_model(case.frame, prof, case.config)
    assert np.isfinite(list(model.test_scores.values())).all()
    if case.warning:
        assert any(case.warning in w for w in model.warnings), model.warnings


# --- prediction (batch files) and serving (JSON) ------------------------------------------------


@pytest.fixture(scope="module")
def bundle() -> export.ModelBundle:
    dataset = read_path(SAMPLES["customers"].path)
    prof = profile_table(dataset.frame)
    features = ["age", "region", "plan", "monthly_spend", "has_partner", "signup_date"]
    model = train_model(
        dataset.frame,
        prof,
        TrainConfig.make("tree", Task.CLASSIFICATION, "churned", features),
        dataset.fingerprint,
    )
    return export.bundle_from_model(model, dataset, prof)


GOOD_ROW = {
    "age": 40,
    "region": "North",
    "plan": "Basic",
    "monthly_spend": 30.5,
    "has_partner": True,
    "signup_date": "2023-02-01",
}

BATCH = [  # (label, change to a good table, blocks?, what the message names)
    ("missing column", lambda t: t.drop(columns=["plan"]), True, "“plan” is missing"),
    ("text in a number column", lambda t: t.assign(age=["forty", 30, 50]), True, "forty"),
    ("empty table", lambda t: t.head(0), True, "no rows"),
    ("unseen category", lambda t: t.assign(region=["Mars", "North", "South"]), False, "Mars"),
    (
        "renamed column",
        lambda t: t.rename(columns={"monthly_spend": "Monthly Spend"}),
        False,
        "Monthly Spend",
    ),
]


@pytest.mark.parametrize(("label", "change", "blocks", "message"), BATCH, ids=[b[0] for b in BATCH])
def test_batch_prediction(
    bundle: export.ModelBundle, label: str, change: Callable, blocks: bool, message: str
) -> None:
    table = change(pd.DataFrame([GOOD_ROW] * 3))
    if blocks:
        with pytest.raises(GlassboxError, match=message):
            predict.check_table(table, bundle.schema)
        return
    checked = predict.check_table(table, bundle.schema)
    said = " ".join(checked.warnings)
    assert message in said, said
    assert len(bundle.predict(checked.frame).values) == 3


REQUESTS = [
    ("malformed JSON", "POST", b'{"rows": [', "application/json", 400, "JSON"),
    ("wrong content type", "POST", b"age=40", "text/plain", 415, "application/json"),
    ("GET on /predict", "GET", None, None, 405, "not allowed"),
    (
        "missing field",
        "POST",
        {"rows": [{k: v for k, v in GOOD_ROW.items() if k != "age"}]},
        "application/json",
        422,
        "age",
    ),
    (
        "extra field",
        "POST",
        {"rows": [{**GOOD_ROW, "shoe_size": 42}]},
        "application/json",
        422,
        "shoe_size",
    ),
    (
        "string for a number",
        "POST",
        {"rows": [{**GOOD_ROW, "age": "forty"}]},
        "application/json",
        422,
        "age",
    ),
    ("NaN literal", "POST", b'{"rows": [{"age": NaN}]}', "application/json", 400, "NaN"),
    (
        "unseen category",
        "POST",
        {"rows": [{**GOOD_ROW, "region": "Mars"}]},
        "application/json",
        422,
        "Mars",
    ),
    ("too many rows", "POST", {"rows": [GOOD_ROW] * 20_001}, "application/json", None, "rows"),
    ("rows is not a list", "POST", {"rows": 5}, "application/json", 422, "rows"),
]


@pytest.mark.parametrize(
    ("label", "method", "body", "ctype", "status", "says"), REQUESTS, ids=[r[0] for r in REQUESTS]
)
def test_service(
    bundle: export.ModelBundle,
    label: str,
    method: str,
    body: object,
    ctype: str | None,
    status: int | None,
    says: str,
) -> None:
    client = serve.create_app(bundle).test_client()
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    response = client.open("/predict", method=method, data=data, content_type=ctype)
    assert 400 <= response.status_code < 500
    if status is not None:
        assert response.status_code == status
    assert response.is_json
    assert says in json.dumps(response.get_json())
