"""What a freshly read table tells the user about itself: column names made unique (and
which were renamed), and data-quality notes: empty and partly missing columns, infinite
values, headerless columns, more columns than rows. :func:`mllib.data.read_table` adds both
to every :class:`~mllib.data.Dataset`; the names are re-exported from :mod:`mllib.data`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mllib.i18n import msg
from mllib.vocab import is_numeric


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
    numeric = [i for i, dtype in enumerate(frame.dtypes) if is_numeric(dtype)]
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
    notes: list[str] = []
    n_rows, n_cols = frame.shape
    missing = pd.Series(frame.isna().mean().to_numpy(), index=range(n_cols))
    names = [str(c) for c in frame.columns]
    empty = [names[i] for i in range(n_cols) if missing[i] == 1.0]
    if empty:
        notes.append(
            msg(
                "Entirely empty column(s), which will not be used: {empty}.", empty=", ".join(empty)
            )
        )
    partial = missing[(missing > 0) & (missing < 1)]
    if len(partial):
        worst = partial.sort_values(ascending=False).head(5)
        listed = ", ".join(f"{names[i]} ({missing[i]:.0%})" for i in worst.index.to_list())
        notes.append(
            msg(
                "{partial} column(s) have missing values, e.g. {listed}; they will be filled "
                "in (median or most frequent) before training.",
                partial=len(partial),
                listed=listed,
            )
        )
    unnamed = [c for c in names if c.startswith("Unnamed:")]
    if unnamed:
        notes.append(
            msg("Column(s) without a header were named {unnamed}.", unnamed=", ".join(unnamed))
        )
    if n_cols - 1 > n_rows:
        notes.append(
            msg(
                "There are more columns ({n_cols}) than rows ({n_rows}): models will over-fit; "
                "choose fewer features or add rows.",
                n_cols=n_cols,
                n_rows=n_rows,
            )
        )
    dup_rows = int(frame.duplicated().sum()) if n_rows <= 200_000 else 0
    if dup_rows:
        notes.append(
            msg("{dup_rows} row(s) are exact duplicates of another row.", dup_rows=dup_rows)
        )
    inf_cols = [names[i] for i in _infinite_columns(frame)]
    if inf_cols:
        notes.append(
            msg(
                "Infinite values in: {inf_cols}; they are treated as missing.",
                inf_cols=", ".join(inf_cols),
            )
        )
    return notes
