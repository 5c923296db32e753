"""A large training matrix written once, a chunk of rows at a time, from the cleaned columns.

scikit-learn's ``ColumnTransformer`` makes each branch's whole output (every number imputed,
then scaled: a copy of all numbers; the one-hot block) and stacks them into a new matrix, after
Glassbox had copied the training rows out of the cleaned table: on a million rows several
copies of the data were alive at once, and on this project's machines memory a process has not
touched before costs far more than memory it reuses. Here the same fitted steps (scikit-learn's
own imputer, scaler and encoder, fitted on the same rows, column by column; see
:mod:`mllib.summary_fit`) are applied to a few thousand rows at a time, gathered from the
cleaned table by row number, and written straight into the final CSR arrays: the same matrix,
entry for entry, and the same fitted steps, to the bit (``tests/test_matrix_fill.py``). Columns
and parts of the rows are worked on threads (numpy lets go of the GIL while it gathers, sorts
and computes).

:meth:`mllib.summary_fit.StackedColumns.fit_transform` and ``transform`` use it for Glassbox's
own branches (median-imputed, optionally scaled numbers; category codes one-hot encoded into a
sparse block) with at least ``summary_fit.MIN_ROWS`` rows; any other set-up goes through
scikit-learn unchanged.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import _safe_indexing
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import validate_data

from mllib import summary_fit

__all__ = ["fit_transform", "transform"]

CHUNK_ROWS = 16_384  # a chunk's buffers (rows × entries per row) stay in the CPU's cache
THREADS = 4  # at most; fewer where the process may use fewer CPUs


def fit_transform(ct: Any, X: Any, rows: np.ndarray | None) -> Any:
    """``ct.fit_transform(X.iloc[rows])`` as scikit-learn's ``ColumnTransformer`` does it
    (its checks, the same fitted branches and output bookkeeping), the output written by
    :func:`fill`; ``None`` (nothing fitted) where that does not apply."""
    n = len(X) if rows is None else len(rows)
    if not _plain_setup(ct, X) or n < summary_fit.MIN_ROWS:
        return None
    rows = np.arange(n) if rows is None else np.asarray(rows)
    validate_data(ct, X=X, skip_check_array=True)  # scikit-learn's checks, in its order
    ct._validate_transformers()
    ct._validate_column_callables(X)
    ct._validate_remainder(X)
    branches = [
        (branch, _safe_indexing(X, columns, axis=1))
        for _, branch, columns, _ in ct._iter(
            fitted=False, column_as_labels=False, skip_drop=True, skip_empty_columns=True
        )
    ]
    if not _fillable([b for b, _ in branches], [f for _, f in branches]):
        return None
    fitted = []
    for branch, frame in branches:
        branch = clone(branch)
        if numbers_branch(branch):
            fit_numbers(branch, frame, rows)
        else:  # counted from the category codes of those rows
            branch.fit(_safe_indexing(frame, rows))
        fitted.append(branch)
    plans = [plan_fill(branch, frame) for branch, (_, frame) in zip(fitted, branches, strict=True)]
    if any(plan is None for plan in plans):
        return None
    ct._update_fitted_transformers(fitted)
    _return_free_memory()  # the fitting's scratch, before the matrix is written
    shapes = [np.empty((0, plan.width)) for plan in plans]  # type: ignore[union-attr]
    ct._validate_output(shapes)
    ct._record_output_indices(shapes)
    frames = [frame for _, frame in branches]
    matrix, one_hot = fill(plans, frames, rows)  # type: ignore[arg-type]
    ct.sparse_output_ = _density(plans, n, one_hot) < ct.sparse_threshold  # type: ignore[arg-type]
    return matrix if ct.sparse_output_ else matrix.toarray()


def transform(ct: Any, X: Any, rows: np.ndarray | None) -> Any:
    """``ct.transform(X.iloc[rows])`` of a ``ColumnTransformer`` fitted on a DataFrame,
    written by :func:`fill`; ``None`` where that does not apply."""
    n = len(X) if rows is None else len(rows)
    fitted = hasattr(ct, "transformers_") and hasattr(ct, "feature_names_in_")
    if not fitted or not _plain_setup(ct, X) or n < summary_fit.MIN_ROWS:
        return None
    branches = list(
        ct._iter(fitted=True, column_as_labels=True, skip_drop=True, skip_empty_columns=True)
    )
    names = {str(column) for _, _, columns, _ in branches for column in columns}
    if not names <= {str(column) for column in X.columns}:
        return None  # scikit-learn says which columns are missing
    frames = [X[list(columns)] for _, _, columns, _ in branches]
    if not _fillable([b for _, b, _, _ in branches], frames):
        return None
    plans = [plan_fill(b, f) for (_, b, _, _), f in zip(branches, frames, strict=True)]
    if any(plan is None for plan in plans):
        return None
    rows = np.arange(n) if rows is None else np.asarray(rows)
    matrix, _ = fill(plans, frames, rows)  # type: ignore[arg-type]
    return matrix if ct.sparse_output_ else matrix.toarray()


def _plain_setup(ct: Any, X: Any) -> bool:
    """A DataFrame input, no weights, numpy output: what :func:`fill` reproduces."""
    return (
        isinstance(X, pd.DataFrame)
        and ct.transformer_weights is None
        and _get_output_config("transform", ct)["dense"] == "default"
    )


def _fillable(branches: list[Any], frames: list[pd.DataFrame]) -> bool:
    """Glassbox's branches only, with at least one one-hot block, on the inputs they expect."""
    kinds = [_kind(branch, frame) for branch, frame in zip(branches, frames, strict=True)]
    return None not in kinds and "codes" in kinds


def _kind(branch: Any, X: pd.DataFrame) -> str | None:
    """ "numbers" or "codes" for a branch :func:`fill` reproduces on the input it expects."""
    if numbers_branch(branch) and all(dtype == np.float64 for dtype in X.dtypes):
        return "numbers"
    if categories_branch(branch) and summary_fit.categorical_frame(X, min_rows=0):
        return "codes"
    return None


def _density(plans: list[Fill], n: int, one_hot: int) -> float:
    """``ColumnTransformer``'s density: dense blocks count every cell, sparse ones their
    entries."""
    dense = sum(p.width for p in plans if p.kind == "numbers")
    total = n * sum(p.width for p in plans)
    return (n * dense + one_hot) / total if total else 1.0


def numbers_branch(branch: Any) -> bool:
    """Whether ``branch`` is Glassbox's numbers branch: a median imputer, then at most a
    standard scaler (what :func:`fit_numbers` and :func:`fill` reproduce)."""
    steps = [step for _, step in getattr(branch, "steps", [])]
    if not steps or not isinstance(steps[0], SimpleImputer):
        return False
    imputer = steps[0]
    return (
        imputer.strategy == "median"
        and not imputer.add_indicator
        and all(isinstance(step, StandardScaler) for step in steps[1:])
        and len(steps) <= 2
    )


def categories_branch(branch: Any) -> bool:
    """Whether ``branch`` is Glassbox's categorical branch with a sparse one-hot output."""
    if not isinstance(branch, summary_fit.CountedCategories) or len(branch.steps) != 2:
        return False
    encoder = branch.steps[-1][1]
    return isinstance(encoder, OneHotEncoder) and bool(encoder.sparse_output)


def fit_numbers(branch: Any, X: pd.DataFrame, rows: np.ndarray) -> Any:
    """Fit a :func:`numbers_branch` on ``rows`` of ``X`` (float64 columns) as
    ``branch.fit(X.iloc[rows])`` does, one column at a time: the imputer on the medians, the
    scaler from single-column fits of scikit-learn's own scaler on the imputed values (its
    sums run down each column as they run down the imputer's column-major output: the same
    numbers to the bit). A million-row block and the scaler's three temporary copies of it
    are never made."""
    imputer = branch.steps[0][1]
    scaler = branch.steps[1][1] if len(branch.steps) == 2 else None

    def one(values: pd.Series) -> tuple[float | None, StandardScaler | None]:
        column = np.take(values.to_numpy(), rows)
        median = summary_fit.column_median(column)
        if median is None or scaler is None:
            return median, None
        column[np.isnan(column)] = median  # the imputer's transform
        return median, clone(scaler).fit(column[:, None])

    fitted = map_threads(one, [values for _, values in X.items()])  # columns on threads
    medians = [median for median, _ in fitted]
    if any(median is None for median in medians):  # a column with no value: scikit-learn's
        return branch.fit(_safe_indexing(X, rows))
    imputer.fit(pd.DataFrame([medians], columns=X.columns))
    if scaler is not None:
        _merge(scaler, [one_scaler for _, one_scaler in fitted])
    return branch


def _merge(scaler: StandardScaler, columns: list[StandardScaler]) -> None:
    """``scaler`` fitted as on all ``columns`` side by side (each fitted on one)."""
    scaler.fit(np.zeros((2, len(columns))))  # the attributes a fit sets, then their values
    for name in ("mean_", "var_", "scale_"):
        parts = [getattr(c, name) for c in columns]
        setattr(scaler, name, None if parts[0] is None else np.concatenate(parts))
    scaler.n_samples_seen_ = columns[0].n_samples_seen_  # every column: all training rows


@dataclass
class Fill:
    """How one fitted branch writes its entries: ``kind`` is "numbers" (one entry per column,
    left out where 0) or "codes" (one entry per column at ``targets[j][code]``, none where -1);
    ``width`` is its number of output columns."""

    kind: str
    columns: list[Any]
    width: int
    stats: np.ndarray | None = None
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    targets: list[np.ndarray] | None = None


def plan_fill(branch: Any, X: pd.DataFrame) -> Fill | None:
    """The :class:`Fill` of a fitted branch for its columns ``X``; ``None`` if it is not one
    of the branches :func:`fill` reproduces, or ``X`` is not the input it expects."""
    columns = list(X.columns)
    kind = _kind(branch, X)
    if kind == "numbers":
        imputer = branch.steps[0][1]
        stats = np.asarray(imputer.statistics_, dtype=np.float64)
        if stats.shape != (len(columns),) or np.isnan(stats).any():
            return None  # a column scikit-learn drops
        mean = scale = None
        if len(branch.steps) == 2:
            scaler = branch.steps[1][1]
            mean = scaler.mean_ if scaler.with_mean else None
            scale = scaler.scale_ if scaler.with_std else None
        return Fill("numbers", columns, len(columns), stats, mean, scale)
    if kind == "codes":
        found = branch.code_targets(X)
        if found is None:
            return None
        targets, width = found
        return Fill("codes", columns, width, targets=targets)
    return None


def fill(plans: list[Fill], frames: list[pd.DataFrame], rows: np.ndarray) -> tuple[Any, int]:
    """The CSR matrix ``scipy.sparse.hstack`` makes of the branches' outputs for ``rows`` (in
    that order), and the number of entries of their sparse (one-hot) blocks (for
    ``ColumnTransformer``'s sparse-or-dense rule). Parts of the rows are written on threads
    (numpy lets go of the GIL while it gathers and computes), each from where its first row
    would start if every row had all its entries; the parts are then moved together."""
    n = len(rows)
    width = sum(p.width for p in plans)
    per_row = sum(len(p.columns) for p in plans)
    capacity = n * per_row  # an upper bound: pages past the last entry are never touched
    index_type = np.int32 if max(capacity, width) < 2**31 - 1 else np.int64
    out = _Out(np.empty(capacity), np.empty(capacity, dtype=index_type), per_row)
    out.indptr = np.zeros(n + 1, dtype=index_type)
    arrays = [
        [
            values.to_numpy() if p.kind == "numbers" else values.cat.codes.to_numpy()
            for _, values in frame.items()
        ]
        for p, frame in zip(plans, frames, strict=True)
    ]
    parts = _parts(n)
    done = map_threads(lambda part: _fill_rows(plans, arrays, rows, part, out), parts)
    pos, one_hot = done[0]
    for (start, stop), (end, counted) in zip(parts[1:], done[1:], strict=True):
        base = start * per_row
        if base > pos:  # close the gap the part before left
            for array in (out.data, out.indices):
                _move_left(array, base, end, pos)
            out.indptr[start + 1 : stop + 1] -= base - pos
        pos += end - base
        one_hot += counted
    matrix = sp.csr_matrix((out.data[:pos], out.indices[:pos], out.indptr), shape=(n, width))
    return matrix, one_hot


@dataclass
class _Out:
    data: np.ndarray
    indices: np.ndarray
    per_row: int
    indptr: np.ndarray | None = None


def _fill_rows(
    plans: list[Fill],
    arrays: list[list[np.ndarray]],
    rows: np.ndarray,
    part: tuple[int, int],
    out: _Out,
) -> tuple[int, int]:
    """Write the entries of ``rows[start:stop]`` from ``start * per_row`` on, a chunk at a
    time; the position after the last one and the number of one-hot entries."""
    start, stop = part
    per_row = out.per_row
    size = min(CHUNK_ROWS, stop - start) or 1
    vals = np.empty((size, per_row))
    cols = np.empty((size, per_row), dtype=out.indices.dtype)
    keep = np.empty((size, per_row), dtype=bool)
    code_slots = np.array([p.kind == "codes" for p in plans for _ in p.columns])
    slot = offset = 0
    for plan in plans:  # a number's column never changes: written once
        for j in range(len(plan.columns)):
            if plan.kind == "numbers":
                cols[:, slot] = offset + j
            slot += 1
        offset += plan.width
    pos = start * per_row
    one_hot = 0
    for first in range(start, stop, size):
        picked = rows[first : min(first + size, stop)]
        c = len(picked)
        v, k, ok = vals[:c], cols[:c], keep[:c]
        slot = offset = 0
        for plan, columns in zip(plans, arrays, strict=True):
            for j, values in enumerate(columns):
                if plan.kind == "numbers":
                    column = values[picked]
                    missing = np.isnan(column)
                    if missing.any():
                        column[missing] = plan.stats[j]  # type: ignore[index]
                    if plan.mean is not None:
                        column -= plan.mean[j]
                    if plan.scale is not None:
                        column /= plan.scale[j]
                    v[:, slot] = column
                    np.not_equal(column, 0, out=ok[:, slot])  # hstack leaves dense zeros out
                else:
                    # code -1 (missing) wraps round to the last place: a missing value's
                    target = np.take(plan.targets[j], values[picked], mode="wrap")  # type: ignore[index]
                    v[:, slot] = 1.0
                    k[:, slot] = target + offset
                    np.greater_equal(target, 0, out=ok[:, slot])
                slot += 1
            offset += plan.width
        ends = out.indptr[first + 1 : first + c + 1]  # type: ignore[index]
        total = int(np.count_nonzero(ok))
        if total == c * per_row:  # every row holds all its entries
            out.data[pos : pos + total] = v.ravel()
            out.indices[pos : pos + total] = k.ravel()
            np.multiply(np.arange(1, c + 1), per_row, out=ends, casting="unsafe")
            one_hot += c * int(code_slots.sum())
        else:
            out.data[pos : pos + total] = v[ok]
            out.indices[pos : pos + total] = k[ok]
            np.cumsum(ok.sum(axis=1), out=ends)
            one_hot += int(np.count_nonzero(ok[:, code_slots]))
        ends += pos
        pos += total
    return pos, one_hot


def _return_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``). Each thread
    keeps its own heap, holding what its numpy temporaries freed: after fitting a million
    rows' columns about 100 MB that would stay in the process, on top of the matrix written
    next (peak resident memory of the fit 1.8-2.0× the DataFrame before, 1.3-1.6× after)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # another C library (musl): nothing
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _move_left(array: np.ndarray, start: int, stop: int, to: int) -> None:
    """``array[to : to + stop - start] = array[start:stop]`` in blocks (numpy copies an
    overlapping block through a temporary: a block's worth, not the whole part)."""
    block = 1 << 20
    for first in range(start, stop, block):
        last = min(first + block, stop)
        array[to + first - start : to + last - start] = array[first:last]


def _parts(n: int) -> list[tuple[int, int]]:
    """Row ranges, one per thread, on chunk boundaries."""
    chunks = -(-n // CHUNK_ROWS)
    count = max(1, min(_threads(), chunks))
    bounds = [min(n, round(chunks * i / count) * CHUNK_ROWS) for i in range(count + 1)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a] or [(0, n)]


def _threads() -> int:
    usable = (
        os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    )
    return max(1, min(THREADS, len(usable)))


def map_threads(fn: Any, items: list[Any]) -> list[Any]:
    """``[fn(item) for item in items]``, on threads when there are several items and CPUs."""
    if len(items) < 2 or _threads() < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(
        min(_threads(), len(items)), thread_name_prefix="glassbox-fill"
    ) as pool:
        return list(pool.map(fn, items))
