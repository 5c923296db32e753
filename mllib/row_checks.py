"""Check input rows against a model's feature schema, for the Predict page and the service.

Two surfaces, two documented policies (see ``docs/serving.md``):

* JSON rows (the service, :func:`check_records`) are strict: every feature must be present
  (``null`` means missing and is filled in as in training), unknown fields, wrong JSON types,
  NaN/infinity and categories the model never saw are errors that name the field.
* Tables (the Predict page, :func:`check_table`) are forgiving where it is safe: columns that
  differ only in case or punctuation are matched (and said), extra columns are kept but
  ignored, unseen categories are predicted anyway (the encoder ignores them) with a warning.
  Missing columns and values of the wrong type block the prediction with a message naming them.

One topic: rows checked against a schema, on both surfaces, sharing one collector of
problems and one way of echoing user text; :mod:`mllib.predict` predicts the checked rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mllib.errors import GlassboxError
from mllib.i18n import N_, Message, Text, Translator, msg, translator
from mllib.pipeline import category_text
from mllib.profile import parse_dates
from mllib.schema import (
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    NUMERIC,
    Feature,
    FeatureSchema,
)

MAX_LISTED = 8
MAX_PROBLEMS = 20  # distinct problems reported; the rest are only counted
MAX_SHOWN_CHARS = 40  # user text echoed in a message
MAX_TEXT_CHARS = 1_000  # a category value
MAX_DATE_CHARS = 10  # "2024-01-31"
# Numbers beyond ±1e38 are refused: trees compute in float32 (largest 3.4e38), and linear
# models and SVMs overflow to infinity near 1e308 (the OpenAPI document says so).
MAX_ABS_NUMBER = 1e38
MAX_SUGGESTED_NAME = 100  # longer unknown names get no "did you mean" search
# The dates the service accepts: an ISO 8601 calendar date (OpenAPI's ``format: date``); the
# model uses only the day (year, month, day, weekday), so a time of day would change nothing.
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_iso_date(value: Any) -> bool:
    """A real calendar day written ``YYYY-MM-DD`` (checked by pattern and length first, so no
    string reaches a parser's slow path)."""
    if not isinstance(value, str) or len(value) != MAX_DATE_CHARS or not ISO_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass
class Problem:
    """One kind of problem with one field, and the rows (0-based) where it occurs."""

    message: Text  # a Message: said in the reader's language
    field: str | None = None
    rows: list[int] = dataclasses.field(default_factory=list)
    count: int = 0

    def text(self, tr: Translator | None = None) -> str:
        """The problem and its rows in ``tr``'s language (English without one)."""
        tr = tr or translator("en")
        said = tr.text(self.message)
        if not self.rows:
            return said
        rows = ", ".join(str(r) for r in self.rows[:MAX_LISTED])
        if self.count > MAX_LISTED:
            return tr(
                "{problem} (rows {rows} and {more} more)",
                problem=said,
                rows=rows,
                more=self.count - MAX_LISTED,
            )
        if self.count == 1:
            return tr("{problem} (row {rows})", problem=said, rows=rows)
        return tr("{problem} (rows {rows})", problem=said, rows=rows)

    def to_dict(self, tr: Translator | None = None) -> dict[str, Any]:
        said = (tr or translator("en")).text(self.message)
        out: dict[str, Any] = {"field": self.field, "problem": said}
        if self.rows:
            out["rows"] = self.rows[:MAX_LISTED]
            out["count"] = self.count
        return out


def shown(value: Any, limit: int = MAX_SHOWN_CHARS) -> str:
    """User text made safe to echo: at most ``limit`` characters, with control characters and
    lone surrogates (which cannot be encoded) written as escapes such as ``\\ud800``."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    if not text.isprintable() or _has_surrogate(text):
        text = "".join(
            c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else _escape(c) for c in text
        )
    return text + ("…" if cut else "")


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class ValidationError(GlassboxError):
    """Input that does not fit the model's schema; ``problems`` name every field at fault.

    ``more`` counts the problems beyond :data:`MAX_PROBLEMS` that were found but not kept.
    """

    def __init__(self, problems: list[Problem], status: int = 422, more: int = 0) -> None:
        self.problems = problems
        self.status = status
        self.more = more
        super().__init__(self.text(translator("en")))

    def text(self, tr: Translator) -> str:
        """Every kept problem in ``tr``'s language, and how many more there are."""
        hidden = max(len(self.problems) - MAX_LISTED, 0) + self.more
        listed = tr(CLAUSE_SEPARATOR).join(p.text(tr) for p in self.problems[:MAX_LISTED])
        if hidden:
            return tr("{problems}; and {hidden} more problem(s).", problems=listed, hidden=hidden)
        return tr("{problems}.", problems=listed)


class _Collector:
    """Groups identical problems so 1,000 rows missing one field make one message, and keeps
    at most :data:`MAX_PROBLEMS` of them (a body of 500,000 unknown names is one answer of
    twenty problems and a count, not a 56 MB reply)."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str | None, str], Problem] = {}
        self.more = 0

    @property
    def full(self) -> bool:
        return len(self._by_key) >= MAX_PROBLEMS

    def add(self, message: Text, name: str | None = None, row: int | None = None) -> None:
        key = (name, message)
        if key not in self._by_key and self.full:
            self.more += 1
            return
        problem = self._by_key.setdefault(key, Problem(message, name))
        if row is not None:
            problem.count += 1
            if len(problem.rows) < MAX_LISTED:
                problem.rows.append(row)

    @property
    def problems(self) -> list[Problem]:
        return list(self._by_key.values())

    def raise_if_any(self, status: int = 422) -> None:
        if self._by_key:
            raise ValidationError(self.problems, status, self.more)


@dataclass
class Checked:
    """Rows ready for the pipeline (feature columns in schema order) and what was noticed."""

    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)  # Messages, like notes
    ignored: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


CLAUSE_SEPARATOR = N_("; ")


def suggest(name: str, candidates: Sequence[str]) -> Text:
    """' (did you mean “x”?)' when a candidate is close, else '' (always '' for names longer
    than :data:`MAX_SUGGESTED_NAME`: no feature is named like that)."""
    if len(name) > MAX_SUGGESTED_NAME:
        return ""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close:
        folded = {_fold(c): c for c in candidates}
        close = [folded[_fold(name)]] if _fold(name) in folded else []
    return msg(" (did you mean “{name}”?)", name=close[0]) if close else ""


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _json_type(value: Any) -> Text:
    if isinstance(value, bool):
        return msg("the boolean {value}", value=str(value).lower())
    if isinstance(value, int | float):
        return msg("the number {value}", value=repr(value))
    if isinstance(value, str):
        return msg("the text “{value}”", value=shown(value))
    if isinstance(value, list):
        return msg("a list")
    if isinstance(value, dict):
        return msg("an object")
    return type(value).__name__


def _listed(values: Sequence[Any], limit: int = MAX_LISTED) -> Text:
    text = ", ".join(f"“{shown(v)}”" for v in values[:limit])
    if len(values) > limit:
        return msg("{values} and {more} more", values=text, more=len(values) - limit)
    return text


# --- JSON rows (the service) ----------------------------------------------------------------


def rows_from_payload(payload: Any, schema: FeatureSchema) -> list[Any]:
    """``{"rows": [...]}`` or one row object → the list of rows; anything else is a 422."""
    if isinstance(payload, dict) and "rows" in payload and "rows" not in schema:
        others = sorted(k for k in payload if k != "rows")
        if others:
            raise ValidationError(
                [
                    Problem(
                        msg(
                            "unknown top-level field(s) {fields}: the body is "
                            '{{"rows": [...]}} or a single row object',
                            fields=_listed(others),
                        ),
                        shown(others[0]),
                    )
                ]
            )
        rows = payload["rows"]
        if not isinstance(rows, list):
            raise ValidationError(
                [
                    Problem(
                        msg(
                            "“rows” must be a list of row objects, not {got}",
                            got=_json_type(rows),
                        ),
                        "rows",
                    )
                ]
            )
        if not rows:
            raise ValidationError([Problem(msg("“rows” is empty: send at least one row"), "rows")])
        return rows
    if isinstance(payload, dict):
        return [payload]
    raise ValidationError(
        [
            Problem(
                msg(
                    'the body must be a JSON object, {{"rows": [...]}} or one row, not {got}',
                    got=_json_type(payload),
                )
            )
        ]
    )


def check_records(
    rows: Sequence[Any], schema: FeatureSchema, max_rows: int | None = None
) -> Checked:
    """Strictly validate JSON rows; raise :class:`ValidationError` naming every bad field."""
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationError(
            [
                Problem(
                    msg(
                        "too many rows: {sent:,} sent, at most {limit:,} per request",
                        sent=len(rows),
                        limit=max_rows,
                    ),
                    "rows",
                )
            ],
            status=413,
        )
    names = schema.names
    known = set(names)
    problems = _Collector()
    good_rows: list[int] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.add(
                msg("each row must be an object of features, not {got}", got=_json_type(row)),
                None,
                i,
            )
        elif row.keys() == known:  # the usual case, one set comparison
            good_rows.append(i)
        else:
            missing = [n for n in names if n not in row]
            for name in missing:
                problems.add(
                    msg("missing field “{name}” (send null for a missing value)", name=name),
                    name,
                    i,
                )
            for key in row:
                if key not in known:
                    if problems.full:  # counted only: no search, no message for the rest
                        problems.more += 1
                        continue
                    hint = suggest(str(key), missing or names)
                    problems.add(
                        msg("unknown field “{name}”{hint}", name=shown(key), hint=hint),
                        shown(key),
                        i,
                    )
            good_rows.append(i)
    columns: dict[str, list[Any]] = {}
    for feature in schema.features:  # column by column: one fast check, details only on failure
        present = [i for i in good_rows if feature.name in rows[i]]
        values = [rows[i][feature.name] for i in present]
        columns[feature.name] = _check_column_values(feature, values, present, problems)
    problems.raise_if_any()
    frame = pd.DataFrame(columns, columns=names)
    return Checked(frame, range_warnings(schema, frame))


_NUMBER_TYPES = frozenset({int, float, type(None)})


def _check_column_values(
    feature: Feature, values: list[Any], rows: list[int], problems: _Collector
) -> list[Any]:
    """The column's values for the pipeline; problems are added with their row numbers."""
    kinds = set(map(type, values))
    if feature.role == NUMERIC and kinds <= _NUMBER_TYPES:
        try:
            array = np.array(values, dtype=float)  # None → NaN
        except OverflowError:
            array = np.array([np.inf])
        with np.errstate(invalid="ignore"):
            usable = int((np.abs(array) <= MAX_ABS_NUMBER).sum())
        if usable + values.count(None) == len(values):
            return values
    elif feature.role == DATETIME and kinds <= {str, type(None)}:
        _check_dates(feature, values, rows, problems)
        return values
    elif feature.json_boolean:
        if kinds <= {bool, type(None)}:
            return values
    elif feature.role in (CATEGORICAL, BOOLEAN) and kinds <= {str, type(None)}:
        known = set(feature.categories)
        if not known or set(values) - {None} <= known:
            return values
    allowed = frozenset(feature.categories)
    out = []
    for value, i in zip(values, rows, strict=True):
        checked, error = check_value(feature, value, allowed)
        if error:
            problems.add(
                msg("“{name}”: {problem}", name=feature.name, problem=error), feature.name, i
            )
        out.append(checked)
    return out


def _check_dates(
    feature: Feature, values: list[Any], rows: list[int], problems: _Collector
) -> None:
    """Dates in JSON are ISO 8601 calendar days (:func:`is_iso_date`): no string can keep a
    date parser busy."""
    for value, row in zip(values, rows, strict=True):
        if value is not None and not is_iso_date(value):
            problems.add(
                msg("“{name}”: {problem}", name=feature.name, problem=_not_a_date(value)),
                feature.name,
                row,
            )


def _not_a_date(value: str) -> Message:
    return msg(
        "“{value}” is not a date (use ISO 8601, YYYY-MM-DD, e.g. “2024-01-31”)", value=shown(value)
    )


def check_value(
    feature: Feature,
    value: Any,
    allowed: frozenset[str] | None = None,
) -> tuple[Any, Text | None]:
    """``(value for the pipeline, None)`` or ``(None, what is wrong)`` for one JSON value.

    ``allowed`` is ``feature.categories`` as a set (faster for many rows).
    """
    if value is None:
        return None, None
    if feature.role == NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, msg("expected a number, got {got}", got=_json_type(value))
        try:
            number = float(value)
        except OverflowError:
            return None, msg("the number is too large")
        if not math.isfinite(number):
            return None, msg("expected a finite number, got {value}", value=repr(value))
        if abs(number) > MAX_ABS_NUMBER:
            return None, msg(
                "{number:g} is beyond ±{limit:g}, the largest number accepted",
                number=number,
                limit=MAX_ABS_NUMBER,
            )
        return number, None
    if feature.role == DATETIME:
        if not isinstance(value, str):
            return None, msg(
                "expected a date as text (e.g. “2024-01-31”), got {got}", got=_json_type(value)
            )
        if not is_iso_date(value):
            return None, _not_a_date(value)
        return value, None
    if feature.json_boolean:
        if not isinstance(value, bool):
            return None, msg("expected true or false, got {got}", got=_json_type(value))
        return value, None
    if not isinstance(value, str):
        return None, msg(
            "expected one of {values}, got {got}",
            values=_listed(feature.categories),
            got=_json_type(value),
        )
    if len(value) > MAX_TEXT_CHARS:
        return None, msg("the text is longer than {limit:,} characters", limit=MAX_TEXT_CHARS)
    known = allowed if allowed is not None else feature.categories
    if feature.categories and value not in known:
        return None, msg(
            "unseen category “{value}”; known: {values}",
            value=shown(value),
            values=_listed(feature.categories),
        )
    return value, None


# --- tables (the Predict page) --------------------------------------------------------------


def match_columns(columns: Sequence[str], schema: FeatureSchema) -> dict[str, str]:
    """``{column in the file: feature}`` for exact names, then names equal up to case and
    punctuation (``Sepal Length`` → ``sepal_length``) when the match is unambiguous."""
    mapping = {c: c for c in columns if c in schema}
    left = [f for f in schema.names if f not in mapping.values()]
    folded_features: dict[str, list[str]] = {}
    for name in left:
        folded_features.setdefault(_fold(name), []).append(name)
    folded_columns: dict[str, list[str]] = {}
    for col in columns:
        if col not in mapping:
            folded_columns.setdefault(_fold(col), []).append(col)
    for key, feats in folded_features.items():
        cols = folded_columns.get(key, [])
        if len(feats) == 1 and len(cols) == 1:
            mapping[cols[0]] = feats[0]
    return mapping


def check_table(table: pd.DataFrame, schema: FeatureSchema) -> Checked:
    """Validate an uploaded table; raise :class:`ValidationError` for what blocks predicting."""
    columns = [str(c) for c in table.columns]
    mapping = match_columns(columns, schema)
    renamed = {col: feat for col, feat in mapping.items() if col != feat}
    reverse = {feat: col for col, feat in mapping.items()}
    ignored = [c for c in columns if c not in mapping]
    problems = _Collector()
    if table.empty:
        problems.add(msg("the table has no rows to predict"))
    missing = [f for f in schema.names if f not in reverse]
    for name in missing:
        problems.add(
            msg("the column “{name}” is missing{hint}", name=name, hint=suggest(name, ignored)),
            name,
        )
    warnings: list[str] = []
    if renamed:
        warnings.append(
            msg(
                "Columns matched by name up to case and punctuation: {pairs}.",
                pairs=", ".join(f"“{c}” → “{f}”" for c, f in renamed.items()),
            )
        )
    data: dict[str, pd.Series] = {}
    for feature in schema.features:
        if feature.name not in reverse:
            continue
        series = table[reverse[feature.name]].reset_index(drop=True)
        data[feature.name] = series
        _check_column(feature, series, problems, warnings)
    problems.raise_if_any()
    frame = pd.DataFrame(data, columns=schema.names)
    notes: list[str] = []
    gaps = {name: int(frame[name].isna().sum()) for name in schema.names}
    gaps = {name: count for name, count in gaps.items() if count}
    if gaps:
        notes.append(
            msg(
                "Missing values are filled in as in training (median, or most frequent "
                "category): {counts}.",
                counts=", ".join(f"{name} ({count:,})" for name, count in gaps.items()),
            )
        )
    return Checked(frame, warnings + range_warnings(schema, frame), ignored, renamed, notes)


NOT_NUMBERS = N_("“{name}” should hold numbers, but {count} value(s) are not: {examples}")
NOT_DATES = N_("“{name}” should hold dates, but {count} value(s) are not: {examples}")


def _unreadable(
    problems: _Collector, series: pd.Series, bad: pd.Series, name: str, message: str
) -> None:
    """One problem for the ``bad`` values of column ``name``: ``message`` with its ``{name}``,
    ``{count}`` of bad values and up to five ``{examples}`` filled in."""
    examples = _listed(series[bad].astype(str).unique().tolist(), 5)
    problems.add(msg(message, name=name, count=int(bad.sum()), examples=examples), name)


def _check_column(
    feature: Feature, series: pd.Series, problems: _Collector, warnings: list[str]
) -> None:
    name = feature.name
    present = series.notna()
    if feature.role == NUMERIC:
        if pd.api.types.is_bool_dtype(series):
            problems.add(
                msg("“{name}” should hold numbers but holds true/false values", name=name), name
            )
            return
        numbers = pd.to_numeric(series, errors="coerce")
        bad = present & numbers.isna()
        if bad.any():
            _unreadable(problems, series, bad, name, NOT_NUMBERS)
            return
        values = numbers.to_numpy(dtype=float)
        infinite = int(np.isinf(values).sum())
        if infinite:
            warnings.append(
                msg(
                    "“{name}”: {count} infinite value(s) are treated as missing and filled in.",
                    name=name,
                    count=infinite,
                )
            )
    elif feature.role == DATETIME:
        dates = parse_dates(series)
        bad = present & dates.isna()
        if bad.any():
            _unreadable(problems, series, bad, name, NOT_DATES)
    elif feature.categories:
        text = series.astype(object).map(category_text)
        unseen_mask = text.notna() & ~text.isin(list(feature.categories))
        if unseen_mask.any():
            unseen = text[unseen_mask].value_counts().index.tolist()
            warnings.append(
                msg(
                    "“{name}”: {count} row(s) hold categories the model never saw ({unseen}); "
                    "they are predicted as if the category were unknown. Known: {known}.",
                    name=name,
                    count=int(unseen_mask.sum()),
                    unseen=_listed(unseen, 5),
                    known=_listed(feature.categories),
                )
            )


def range_warnings(schema: FeatureSchema, frame: pd.DataFrame) -> list[str]:
    """Numbers outside the training range: the model extrapolates there, so say where."""
    out: list[str] = []
    for feature in schema.features:
        if feature.role != NUMERIC or feature.minimum is None or feature.maximum is None:
            continue
        if feature.name not in frame.columns:
            continue
        values = pd.to_numeric(frame[feature.name], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            low = int((values < float(feature.minimum)).sum())
            high = int((values > float(feature.maximum)).sum())
        if low or high:
            params = {"name": feature.name, "range": feature.range_text()}
            out.append(
                msg(
                    "“{name}”: {count} value(s) outside the training range {range}; the model "
                    "is extrapolating there.",
                    count=low + high,
                    **params,
                )
                if len(values) > 1
                else msg(
                    "“{name}”: {value:g} is outside the training range {range}; the model is "
                    "extrapolating there.",
                    value=values[0],
                    **params,
                )
            )
    return out
