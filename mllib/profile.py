"""Understand a table: each column's role, the task a target implies, and sensible defaults.

Roles drive everything downstream: which columns start ticked as features, how the pipeline
treats them, and which target problems are worth a message. Large tables are profiled on a
sample (``PROFILE_SAMPLE`` rows) and the result says so.

One topic: what each column is and what the target allows (roles, task, default target and
features, target checks), each conclusion with its reason as a translatable ``msg()``, which is
most of the length.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mllib.i18n import N_, Message, msg
from mllib.target_checks import TargetCheck as TargetCheck  # re-exported: callers use profile.*
from mllib.target_checks import check_target as check_target
from mllib.target_checks import typed_value
from mllib.vocab import Role as Role  # re-exported: callers import them from here too
from mllib.vocab import Task as Task
from mllib.vocab import data_number, is_numeric

PROFILE_SAMPLE = 100_000
_ID_NAME = re.compile(r"(^|_|\b)(id|uuid|guid|key|index|code)$|^(id|uuid)(_|\b)", re.I)
_TARGET_NAME = re.compile(
    r"^(target|label|labels|class|y|outcome|species|diagnosis|churn(ed)?|price|survived)$", re.I
)
_TRUTHY = {"true", "false", "yes", "no", "y", "n", "t", "f"}
# A date needs a day: times alone ("12:30") would be stamped with today's date by the parser,
# so their year/month/day parts would change with the day the model is used.
_DATEISH = re.compile(r"\d{1,4}[-/.]\d{1,2}")


USABLE_ROLES = {Role.NUMERIC, Role.CATEGORICAL, Role.BOOLEAN, Role.DATETIME}


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    dtype: str
    role: Role
    missing: float
    distinct: int
    minimum: float | str | None = None
    maximum: float | str | None = None
    mean: float | None = None
    reason: str = ""
    # for dates: the parts (DATE_PARTS) that vary in the data; a constant part
    # (the month and day of a year-only column) would only add a column of one value
    date_parts: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return self.role in USABLE_ROLES


@dataclass(frozen=True)
class TableProfile:
    """Column profiles; ``n_rows`` counts the whole table, ``sampled_rows`` the rows profiled
    when the table was too large to profile in full."""

    columns: tuple[ColumnProfile, ...]
    n_rows: int
    sampled_rows: int | None = None

    def __getitem__(self, name: str) -> ColumnProfile:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "column": c.name,
                "type": c.dtype,
                "role": c.role.value,
                "missing %": round(100 * c.missing, 1),
                "distinct": c.distinct,
                "min": _fmt(c.minimum),
                "max": _fmt(c.maximum),
                "mean": _fmt(c.mean),
                "note": c.reason,
            }
            for c in self.columns
        ]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class TaskGuess:
    task: Task
    reason: str


@dataclass(frozen=True)
class FeatureChoice:
    features: list[str]
    excluded: dict[str, str] = field(default_factory=dict)


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return data_number(value)


def profile_table(frame: pd.DataFrame) -> TableProfile:
    """Profile every column; on more than ``PROFILE_SAMPLE`` rows, a seeded sample."""
    sampled = None
    n_rows = len(frame)
    if n_rows > PROFILE_SAMPLE:
        frame = frame.sample(PROFILE_SAMPLE, random_state=0)
        sampled = PROFILE_SAMPLE
    return TableProfile(
        columns=tuple(profile_column(frame[c]) for c in frame.columns),
        n_rows=n_rows,
        sampled_rows=sampled,
    )


def profile_column(series: pd.Series) -> ColumnProfile:
    name = str(series.name)
    n = len(series)
    non_null = series.dropna()
    if is_numeric(series):
        finite = non_null[np.isfinite(non_null.to_numpy(dtype=float))]
    else:
        finite = non_null
    missing = 1 - len(finite) / n if n else 1.0
    distinct = int(finite.nunique())
    dtype = str(series.dtype)
    role, reason = infer_role(series, finite, distinct)
    lo: float | str | None = None
    hi: float | str | None = None
    mean: float | None = None
    parts: tuple[str, ...] = ()
    if role in (Role.NUMERIC, Role.ID_LIKE) and pd.api.types.is_numeric_dtype(finite) and distinct:
        lo, hi, mean = float(finite.min()), float(finite.max()), float(finite.mean())
    elif role == Role.DATETIME and distinct:
        dates = parse_dates(finite)
        lo, hi = str(dates.min().date()), str(dates.max().date())
        parts = varying_date_parts(dates)
        used = _and([DATE_PART_NAMES[p] for p in parts])
        unused = [DATE_PART_NAMES[p] for p in DATE_PARTS if p not in parts]
        reason = (
            msg(
                "dates; expanded into {parts} ({unused}: the same in every row)",
                parts=used,
                unused=_and(unused),
            )
            if unused
            else msg("dates; expanded into {parts}", parts=used)
        )
    return ColumnProfile(name, dtype, role, missing, distinct, lo, hi, mean, reason, parts)


DATE_PARTS = ("year", "month", "day", "dayofweek")
DATE_PART_NAMES = {
    "year": N_("year"),
    "month": N_("month"),
    "day": N_("day"),
    "dayofweek": N_("weekday"),
}
# The pandas accessor behind each part's name (``dt.dayofweek`` is deprecated in pandas 3).
DATE_ATTRIBUTES = {"dayofweek": "day_of_week"}


def date_part(dates: pd.Series, part: str) -> pd.Series:
    values: pd.Series = getattr(dates.dt, DATE_ATTRIBUTES.get(part, part))
    return values


def varying_date_parts(dates: pd.Series) -> tuple[str, ...]:
    """The date parts with more than one value (the year when none varies, so the column
    still gives the model one input)."""
    dates = dates.dropna()
    varying = tuple(p for p in DATE_PARTS if date_part(dates, p).nunique() > 1)
    return varying or ("year",)


def _and(items: list[str]) -> Message:
    """ "year, month and weekday" as a Message whose words are translated with it."""
    if len(items) == 1:
        return Message(items[0])
    if len(items) == 2:
        return msg("{first} and {last}", first=Message(items[0]), last=Message(items[1]))
    return msg("{first}, {rest}", first=Message(items[0]), rest=_and(items[1:]))


def infer_role(series: pd.Series, finite: pd.Series, distinct: int) -> tuple[Role, str]:
    n = len(finite)
    if n == 0:
        return Role.EMPTY, msg("every value is missing")
    if distinct == 1:
        return Role.CONSTANT, msg("every value is {value}", value=typed_value(finite.iloc[0]))
    if pd.api.types.is_bool_dtype(series):
        return Role.BOOLEAN, ""
    if pd.api.types.is_datetime64_any_dtype(series):
        return Role.DATETIME, msg("expanded into year, month, day and weekday")
    if pd.api.types.is_numeric_dtype(series):
        whole = pd.api.types.is_integer_dtype(finite) or bool((finite % 1 == 0).all())
        row_number = _is_sequence(finite) and float(finite.min()) in (0.0, 1.0)
        id_named = bool(_ID_NAME.search(str(series.name)))
        if whole and distinct == n and n >= 20 and (id_named or row_number):
            return Role.ID_LIKE, msg("a unique number per row, like a row ID")
        return Role.NUMERIC, ""
    values = finite.astype(str)
    if distinct <= 2 and set(values.str.lower().unique()) <= _TRUTHY:
        return Role.BOOLEAN, ""
    if _looks_datetime(values):
        return Role.DATETIME, msg("dates; expanded into year, month, day and weekday")
    ratio = distinct / n
    # a name or an id: one-hot encoding it learns nothing general. In a small table only when
    # every value differs (cpunish.csv's 17 states: one weight per row, test R² -3.6).
    if (n >= 20 and ratio > 0.5) or (n >= 5 and distinct == n):
        avg_words = values.head(200).str.count(r"\S+").mean()  # words per value
        if avg_words > 3:
            return Role.TEXT, msg("free text (almost every value is different)")
        if ratio > 0.9 or _ID_NAME.search(str(series.name)):
            return Role.ID_LIKE, msg(
                "{distinct} different values in {n} rows, like an ID", distinct=distinct, n=n
            )
        return Role.ID_LIKE, msg(
            "{distinct} different values in {n} rows, like a name or an ID",
            distinct=distinct,
            n=n,
        )
    if distinct > 1000:
        return Role.ID_LIKE, msg(
            "{distinct} categories: too many to one-hot encode", distinct=distinct
        )
    return Role.CATEGORICAL, ""


def _is_sequence(values: pd.Series) -> bool:
    diffs = np.diff(np.sort(values.to_numpy(dtype=float)))
    return bool(len(diffs)) and bool((diffs == 1).all())


def parse_dates(values: pd.Series, max_chars: int = 64) -> pd.Series:
    """Dates as every part of Glassbox reads them (profile, pipeline, schema, prediction):
    any common format, row by row; unreadable values become NaT.

    Text longer than ``max_chars`` is no date and becomes NaT unparsed: the row-by-row parser
    spends minutes on one 10 MB string.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    found = parse_distinct_dates(values, max_chars)
    if found is not None:
        codes, parsed = found
        taken = parsed.array.take(codes, allow_fill=True)  # code -1 (missing): NaT
        return pd.Series(taken, index=values.index, name=values.name)
    return _parse_each(_no_long_text(values, max_chars))


def parse_distinct_dates(
    values: pd.Series, max_chars: int = 64
) -> tuple[np.ndarray, pd.Series] | None:
    """(each row's code, each distinct text parsed as :func:`parse_dates` parses it) for a long
    text column: tables repeat their dates, and each is parsed once. ``None`` for any other
    column (numbers and flags too: factorize counts 1, 1.0 and True as one value)."""
    if len(values) < 1000 or not pd.api.types.is_string_dtype(values):
        return None
    codes, distinct = pd.factorize(values)
    return codes, _parse_each(_no_long_text(pd.Series(distinct, name=values.name), max_chars))


def _no_long_text(values: pd.Series, max_chars: int) -> pd.Series:
    """Text longer than ``max_chars`` as missing (no date is that long)."""
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        try:
            lengths = values.str.len()  # NaN for values that are not text
        except AttributeError:  # no text at all
            return values
        if (lengths > max_chars).any():
            return values.where(lengths <= max_chars)
    return values


def _parse_each(values: pd.Series) -> pd.Series:
    """Every value parsed on its own (``format="mixed"``): tables mix formats. Dates with
    and without a time zone (or in several) are read as UTC: pandas refuses to mix them,
    even with ``errors="coerce"``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(values, errors="coerce", format="mixed")
        except ValueError:
            return pd.to_datetime(values, errors="coerce", format="mixed", utc=True)


def _looks_datetime(values: pd.Series) -> bool:
    head = values.head(200)
    if not head.str.contains(_DATEISH).mean() > 0.9:
        return False
    parsed = parse_dates(head)
    return bool(parsed.notna().mean() > 0.95)


# --- choosing target, features and task --------------------------------------------------------


def default_target(profile: TableProfile) -> str:
    """A column named like a target, else the last usable column."""
    return target_guess(profile)[0]


def target_guess(profile: TableProfile) -> tuple[str, str]:
    """The default target and why it was chosen, in words for the Data page."""
    usable = [
        c for c in profile.columns if c.role in (Role.NUMERIC, Role.CATEGORICAL, Role.BOOLEAN)
    ]
    for col in usable:
        if _TARGET_NAME.match(col.name):
            return col.name, msg("its name is one targets usually have")
    if usable:
        return usable[-1].name, msg("tables usually keep the column to predict last")
    return profile.columns[-1].name, msg("no column looks usable, so the last one")


def default_features(profile: TableProfile, target: str) -> FeatureChoice:
    """Every usable column except the target; the rest are listed with the reason."""
    features: list[str] = []
    excluded: dict[str, str] = {}
    for col in profile.columns:
        if col.name == target:
            continue
        if col.usable:
            features.append(col.name)
        else:
            role = Message(col.role.value)
            excluded[col.name] = (
                msg("{role}: {reason}", role=role, reason=col.reason) if col.reason else role
            )
    return FeatureChoice(features, excluded)


def detect_task(series: pd.Series) -> TaskGuess:
    """Regression or classification for this target column, with the reason in words."""
    values = series.dropna()
    if pd.api.types.is_bool_dtype(values):
        return TaskGuess(Task.CLASSIFICATION, msg("the target is true/false"))
    if not pd.api.types.is_numeric_dtype(values):
        k = values.nunique()
        return TaskGuess(Task.CLASSIFICATION, msg("the target holds {k} text labels", k=k))
    values = values[np.isfinite(values.to_numpy(dtype=float))]
    distinct = values.nunique()
    few = distinct <= max(10, min(20, len(values) // 50)) and distinct <= len(values) / 2
    if len(values) and (values % 1 == 0).all() and few:
        return TaskGuess(
            Task.CLASSIFICATION,
            msg("the target has only {distinct} distinct whole numbers", distinct=distinct),
        )
    return TaskGuess(
        Task.REGRESSION,
        msg("the target is numeric with {distinct} distinct values", distinct=distinct),
    )


def drop_bad_target_rows(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    series = frame[target]
    keep = series.notna()
    if is_numeric(series):
        keep &= np.isfinite(series.to_numpy(dtype=float))
    if keep.all():  # the common case: no copy of a possibly large table
        return (
            frame.reset_index(drop=True)
            if not frame.index.equals(pd.RangeIndex(len(frame)))
            else frame
        )
    return frame.loc[keep].reset_index(drop=True)


def drop_rare_classes(frame: pd.DataFrame, target: str, min_count: int = 2) -> pd.DataFrame:
    counts = frame[target].value_counts()
    keep = frame[target].isin(counts[counts >= min_count].index)
    return frame.loc[keep].reset_index(drop=True)


def distributions(frame: pd.DataFrame, prof: TableProfile, bins: int = 12) -> list[list[float]]:
    """A tiny histogram per column for the profile table: bin counts for numbers, the counts
    of the top categories for text (computed on the same sample as the profile)."""
    if prof.sampled_rows:
        frame = frame.sample(prof.sampled_rows, random_state=0)
    out: list[list[float]] = []
    for col in prof.columns:
        series = frame[col.name]
        if col.role == Role.NUMERIC:
            values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            counts = np.histogram(values, bins=bins)[0] if len(values) else np.zeros(0)
            out.append([float(c) for c in counts])
        elif col.role in (Role.CATEGORICAL, Role.BOOLEAN):
            out.append([float(c) for c in series.value_counts().head(bins).to_numpy()])
        else:
            out.append([])
    return out
