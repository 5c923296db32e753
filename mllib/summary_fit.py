"""Glassbox's preprocessing fitted and stacked faster, with scikit-learn's own steps and results.

scikit-learn's ``OneHotEncoder`` with ``min_frequency``/``max_categories`` counts categories in
Python, one ``is_scalar_nan`` call per value (over half of a million-row linear fit), and its
``transform`` looks each value up in a dict. Inside a session the cleaning step hands the
categorical columns over as pandas categoricals (:func:`mllib.cleaning.category_values`), whose
codes give every count at numpy speed. :class:`CountedCategories` is the same
``Pipeline([("impute", SimpleImputer), ("onehot", OneHotEncoder)])`` with two shortcuts for such
input, both made of scikit-learn's own steps:

* ``fit``: the categories, their counts, the missing values and the most frequent value come
  from the codes; the imputer is then fitted on one row of those most frequent values and the
  encoder on a small table that has every category and the same frequent/infrequent split (the
  fitted steps are exactly those a fit on every row makes: ``tests/test_summary_fit.py``);
* ``transform``: the fitted steps encode each column's few distinct values (plus a missing
  one), and the rows take their encoding by code.

Any other input (text columns, mixed types, other encoder settings, fewer than ``MIN_ROWS``
rows) goes through scikit-learn unchanged. :class:`MedianNumbers` and :class:`StackedColumns` do
the same for the median imputer and the sparse stacking, and :func:`plain` turns all three into
the plain ``Pipeline``/``ColumnTransformer`` they extend, sharing the fitted steps, so the
exported model holds scikit-learn objects only (:func:`mllib.pipeline.portable`).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline, _fit_transform_one, _transform_one
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _safe_indexing

__all__ = ["CountedCategories", "MedianNumbers", "StackedColumns", "plain"]

# Fewer rows are encoded by scikit-learn directly: counting them in Python costs less than
# the stand-in table (at least 1,000 rows) and the extra steps.
MIN_ROWS = 20_000


class CountedCategories(Pipeline):  # type: ignore[misc]  # sklearn has no types
    """``Pipeline([("impute", SimpleImputer(most_frequent)), ("onehot", OneHotEncoder)])``,
    fitted and applied from category codes when its input is pandas categoricals."""

    def fit(self, X: Any, y: Any = None, **params: Any) -> CountedCategories:
        if params or not categorical_frame(X) or not self._fit_from(X, _summary(X)):
            super().fit(X, y, **params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        return self.fit(X, y, **params).transform(X)

    def transform(self, X: Any, **params: Any) -> Any:
        if params or not categorical_frame(X):
            return super().transform(X, **params)
        return self._transform_codes(X)

    def _fit_from(self, X: pd.DataFrame, summary: list[_Column]) -> bool:
        """Fit both steps from ``summary``; ``False`` (nothing fitted) if this branch's
        settings are not the ones the shortcut reproduces."""
        if len(self.steps) != 2:
            return False
        imputer, encoder = self.steps[0][1], self.steps[1][1]
        rate, cap = encoder.min_frequency, encoder.max_categories
        if (
            getattr(imputer, "strategy", None) != "most_frequent"
            or getattr(imputer, "add_indicator", True)
            or encoder.categories != "auto"
            or not (isinstance(rate, float) and 0 < rate < 1)
            or not (cap is None or (isinstance(cap, int | np.integer) and cap >= 2))
            or any(not c.counts.any() for c in summary)  # a column with no value: sklearn's
        ):
            return False
        n = len(X)
        modes = pd.DataFrame(
            {c.name: pd.Series([c.mode], dtype=object) for c in summary}, columns=X.columns
        )
        imputer.fit(modes)
        limit = None if cap is None else int(cap)
        kept = [_infrequent(c.imputed_counts(), n, float(rate), limit) for c in summary]
        table = _stand_in(summary, kept, float(rate))
        if table is None:
            return False
        encoder.fit(imputer.transform(table))
        found = encoder.infrequent_categories_
        for column, infrequent, grouped, known in zip(
            summary, kept, found, encoder.categories_, strict=True
        ):
            expected = list(column.categories[infrequent])
            if (
                list(known) != list(column.categories)
                or list(grouped if grouped is not None else []) != expected
            ):
                super().fit(X)  # not reproduced: fit on every row after all
                return True
        return True

    def code_targets(self, X: pd.DataFrame) -> tuple[list[np.ndarray], int] | None:
        """Where each category code of each column of ``X`` lands in the encoded block (-1:
        no entry), the last place of each array being a missing value's, and the block's
        width: each column's few distinct values (plus a missing one) encoded once by the
        fitted steps, as ``Pipeline.transform`` encodes them (``None`` if the encoder's
        columns cannot be told apart)."""
        columns = list(X.columns)
        levels = [X[name].cat.categories for name in columns]
        size = max(len(values) for values in levels) + 1
        table = pd.DataFrame(
            {
                name: pd.Series(list(values) + [np.nan] * (size - len(values)), dtype=object)
                for name, values in zip(columns, levels, strict=True)
            }
        )
        encoded = super().transform(table)
        blocks = _block_sizes(self.steps[-1][1])
        if sum(blocks) != encoded.shape[1]:
            return None
        starts = np.cumsum([0, *blocks])
        matrix = sp.csr_matrix(encoded)
        targets = []
        for j, values in enumerate(levels):
            own = matrix[: len(values) + 1, starts[j] : starts[j + 1]].tocsr()
            where = np.full(len(values) + 1, -1, dtype=np.int64)
            hits = np.diff(own.indptr) > 0
            where[hits] = own.indices[own.indptr[:-1][hits]] + starts[j]
            targets.append(where)
        return targets, int(encoded.shape[1])

    def _transform_codes(self, X: pd.DataFrame) -> Any:
        """The rows take their encoding by code (:meth:`code_targets`): the same matrix as
        ``Pipeline.transform`` (missing values take the place of a missing row, so they are
        imputed as scikit-learn imputes them)."""
        found = self.code_targets(X)
        if found is None:
            return super().transform(X)
        where_all, width = found
        rows = len(X)
        targets = np.empty((rows, len(where_all)), dtype=np.int64)
        for j, (name, where) in enumerate(zip(X.columns, where_all, strict=True)):
            codes = X[name].cat.codes.to_numpy()
            targets[:, j] = where[np.where(codes >= 0, codes, len(where) - 1)]
        encoder = self.steps[-1][1]
        values_dtype = encoder.dtype
        if not encoder.sparse_output:
            out = np.zeros((rows, width), dtype=values_dtype)
            for j in range(targets.shape[1]):
                hit = targets[:, j] >= 0
                out[np.flatnonzero(hit), targets[hit, j]] = 1
            return out
        present = targets >= 0
        indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(present.sum(axis=1), out=indptr[1:])
        indices = targets[present]
        data = np.ones(len(indices), dtype=values_dtype)
        return sp.csr_matrix((data, indices, indptr), shape=(rows, width))


class _Column:
    """One categorical column as counts: its sorted distinct texts, how often each occurs,
    how many values are missing, and the value the imputer fills them with."""

    def __init__(self, name: Any, values: pd.Series) -> None:
        self.name = name
        categories = values.cat.categories
        codes = values.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(categories))
        order = np.argsort(np.asarray(categories, dtype=object), kind="stable")
        self.categories = np.asarray(categories, dtype=object)[order]
        self.counts = counts[order]
        self.missing = int((codes < 0).sum())
        present = self.counts > 0
        self.categories, self.counts = self.categories[present], self.counts[present]
        # scikit-learn's most_frequent: the smallest of the values seen most often
        self.mode = self.categories[np.argmax(self.counts)] if len(self.counts) else np.nan

    def imputed_counts(self) -> np.ndarray:
        """Counts after the imputer filled the missing values with the mode."""
        counts = self.counts.copy()
        counts[np.argmax(counts)] += self.missing
        return counts


def categorical_frame(X: Any, min_rows: int | None = None) -> bool:
    """Whether every column of ``X`` is a pandas categorical of plain strings (the cleaning
    step's output in a session), in ``min_rows`` (``MIN_ROWS``) rows or more."""
    least = MIN_ROWS if min_rows is None else min_rows
    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0 or len(X) < max(1, least):
        return False
    for _, values in X.items():
        dtype = values.dtype
        if not isinstance(dtype, pd.CategoricalDtype) or dtype.categories.dtype != object:
            return False
        if not all(type(c) is str for c in dtype.categories):
            return False
    return True


def _summary(X: pd.DataFrame) -> list[_Column]:
    return [_Column(name, values) for name, values in X.items()]


def _infrequent(counts: np.ndarray, n: int, rate: float, cap: int | None) -> np.ndarray:
    """Which categories ``OneHotEncoder(min_frequency=rate, max_categories=cap)`` groups as
    infrequent for these counts in ``n`` rows (its documented rule, ties kept in order)."""
    mask = counts < n * rate
    if cap is not None and cap < counts.size - mask.sum() + 1:
        smallest = np.argsort(counts, kind="mergesort")[: -(cap - 1)]
        mask[smallest] = True
    return mask


def _stand_in(summary: list[_Column], infrequent: list[np.ndarray], rate: float) -> Any:
    """A small table with every category of each column, on which the encoder makes the same
    frequent/infrequent split: infrequent categories once, frequent ones ``often`` times
    (the first frequent one pads the column to the common length). ``None`` when a column
    has no frequent category (the split then depends on the exact counts)."""
    if any(mask.all() for mask in infrequent):
        return None
    rare = max(int(mask.sum()) for mask in infrequent)
    frequent = max(int((~mask).sum()) for mask in infrequent)
    room = 1 - rate * frequent  # frequent ones need rate·length rows each
    if room <= 0:
        return None
    length = max(1000, math.ceil(2 / rate), math.ceil((rare + 2 * frequent + 1) / room))
    often = math.ceil(rate * length) + 1
    columns = {}
    for column, mask in zip(summary, infrequent, strict=True):
        repeats = np.where(mask, 1, often)
        first = int(np.flatnonzero(~mask)[0])
        repeats[first] += length - int(repeats.sum())
        if repeats[first] < often:
            return None
        columns[column.name] = np.repeat(column.categories, repeats)
    return pd.DataFrame(columns)


def _block_sizes(encoder: Any) -> list[int]:
    """How many output columns each input column has: its categories, the infrequent ones
    counted as one, less the dropped reference."""
    sizes = []
    rare = encoder.infrequent_categories_
    drop = encoder.drop_idx_ if encoder.drop_idx_ is not None else [None] * len(rare)
    for known, grouped, dropped in zip(encoder.categories_, rare, drop, strict=True):
        size = len(known) - (len(grouped) - 1 if grouped is not None else 0)
        sizes.append(size - (dropped is not None))
    return sizes


class MedianNumbers(Pipeline):  # type: ignore[misc]  # sklearn has no types
    """``Pipeline([("impute", SimpleImputer(strategy="median")), ...])`` whose imputer gets
    its medians from ``numpy.partition`` (scikit-learn sorts a masked copy of every column:
    1.4 s for 12 columns of a million rows). The median is scikit-learn's to the bit: the
    mean of the two middle values, ``(low + high) / 2`` (one value twice for an odd count)."""

    def fit(self, X: Any, y: Any = None, **params: Any) -> MedianNumbers:
        self._fit_medians(X, params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        return self._fit_medians(X, params)

    def _fit_medians(self, X: Any, params: dict[str, Any]) -> Any:
        imputer = self.steps[0][1]
        medians = None if params else _medians(X)
        if (
            medians is None
            or getattr(imputer, "strategy", None) != "median"
            or getattr(imputer, "add_indicator", True)
        ):
            return super().fit_transform(X, **params)
        imputer.fit(pd.DataFrame([medians], columns=X.columns))
        out = imputer.transform(X)
        for _, step in self.steps[1:]:
            if isinstance(step, StandardScaler):  # scale the imputer's fresh copy in place
                out = step.fit(out).transform(out, copy=False)
            elif step is not None and step != "passthrough":
                out = step.fit_transform(out)
        return out


def _medians(X: Any) -> np.ndarray | None:
    """Each column's median over its present values, if ``X`` is a frame of float64 columns
    that all have one (an empty column is left to scikit-learn's rule)."""
    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0 or len(X) == 0:
        return None
    if not all(dtype == np.float64 for dtype in X.dtypes):
        return None
    medians = [column_median(values.to_numpy()) for _, values in X.items()]
    return None if any(m is None for m in medians) else np.array(medians)


def column_median(values: np.ndarray) -> float | None:
    """scikit-learn's median of a column's present values, to the bit: the mean of the two
    middle values, ``(low + high) / 2`` (one value twice for an odd count); ``None`` for no
    value."""
    missing = np.isnan(values)
    present = values[~missing] if missing.any() else values
    k = len(present)
    if k == 0:
        return None
    low, high = (k - 1) // 2, k // 2
    parted = np.partition(present, [low, high])
    return float((parted[low] + parted[high]) / 2)


class StackedColumns(ColumnTransformer):  # type: ignore[misc]  # sklearn has no types
    """scikit-learn's ``ColumnTransformer`` whose sparse output is stacked row by row with
    numpy (``scipy.sparse.hstack`` goes through a COO copy of everything: 2 s for 750k rows
    × 22 values). The same CSR matrix, entry for entry, in the same order."""

    def fit_transform(
        self, X: Any, y: Any = None, *, rows: np.ndarray | None = None, **params: Any
    ) -> Any:
        """scikit-learn's ``fit_transform`` of ``X.iloc[rows]`` (every row by default); a
        large sparse output is written a chunk at a time (:mod:`mllib.matrix_fill`)."""
        from mllib import matrix_fill

        if not params and (out := matrix_fill.fit_transform(self, X, rows)) is not None:
            return out
        return super().fit_transform(_rows(X, rows), y, **params)

    def transform(self, X: Any, *, rows: np.ndarray | None = None, **params: Any) -> Any:
        """scikit-learn's ``transform`` of ``X.iloc[rows]``, written as ``fit_transform``."""
        from mllib import matrix_fill

        if not params and (out := matrix_fill.transform(self, X, rows)) is not None:
            return out
        return super().transform(_rows(X, rows), **params)

    def _call_func_on_transformers(
        self, X: Any, y: Any, func: Any, column_as_labels: bool, routed_params: Any
    ) -> list[Any]:
        """Fit or apply the branches one after another in this thread when there is one job
        (always, in Glassbox). scikit-learn's version hands them to its ``Parallel`` even
        then, whose tasks reset the process-wide warning filters and put back the ones they
        captured: inside a cross-validation or search task on a thread, a sibling thread
        capturing them at that moment finds none and warns "``sklearn.utils.parallel.delayed``
        should be used with ``sklearn.utils.parallel.Parallel``" (scikit-learn#32631). The
        work done is the same: each branch cloned and fitted (or applied) on its columns."""
        fitting = func is _fit_transform_one
        if effective_n_jobs(self.n_jobs) != 1 or not (fitting or func is _transform_one):
            return super()._call_func_on_transformers(  # type: ignore[no-any-return]
                X, y, func, column_as_labels, routed_params
            )
        branches = list(
            self._iter(
                fitted=not fitting,
                column_as_labels=column_as_labels,
                skip_drop=True,
                skip_empty_columns=True,
            )
        )
        if any(isinstance(branch, str) for _, branch, _, _ in branches):  # "passthrough"
            return super()._call_func_on_transformers(  # type: ignore[no-any-return]
                X, y, func, column_as_labels, routed_params
            )
        out = []
        for idx, (name, branch, columns, weight) in enumerate(branches, start=1):
            extra = (
                {
                    "message_clsname": "ColumnTransformer",
                    "message": self._log_message(name, idx, len(branches)),
                }
                if fitting
                else {}
            )
            out.append(
                func(
                    transformer=clone(branch) if fitting else branch,
                    X=_safe_indexing(X, columns, axis=1),
                    y=y,
                    weight=weight,
                    **extra,
                    params=routed_params[name],
                )
            )
        return out

    def _hstack(self, Xs: list[Any], *, n_samples: int) -> Any:
        if not self.sparse_output_ or not all(_plain_numbers(X) for X in Xs):
            return super()._hstack(Xs, n_samples=n_samples)
        return _stack_rows(Xs, n_samples)


def _rows(X: Any, rows: np.ndarray | None) -> Any:
    return X if rows is None else _safe_indexing(X, rows)


def _plain_numbers(X: Any) -> bool:
    dtype = getattr(X, "dtype", None)
    return (sp.issparse(X) or isinstance(X, np.ndarray)) and dtype == np.float64


def _stack_rows(Xs: list[Any], n_rows: int) -> Any:
    """Side by side blocks (dense or sparse) as one CSR matrix without explicit zeros, each
    row holding its blocks' entries in column order: ``scipy.sparse.hstack(Xs).tocsr()``."""
    width = sum(X.shape[1] for X in Xs)
    regular = [_regular(X) for X in Xs]
    if all(r is not None for r in regular):  # the same number of entries in every row
        per_row = sum(r[0].shape[1] for r in regular if r is not None)
        index_type = np.int32 if n_rows * per_row < 2**31 - 1 else np.int64
        data = np.empty((n_rows, per_row))
        indices = np.empty((n_rows, per_row), dtype=index_type)
        start = offset = 0
        for (values, columns), X in zip(regular, Xs, strict=True):  # type: ignore[misc]
            stop = start + values.shape[1]
            data[:, start:stop] = values
            np.add(columns, offset, out=indices[:, start:stop], casting="unsafe")
            start, offset = stop, offset + X.shape[1]
        indptr = np.arange(n_rows + 1, dtype=index_type) * per_row
        return sp.csr_matrix((data.ravel(), indices.ravel(), indptr), shape=(n_rows, width))
    return _stack_irregular([_csr(X) for X in Xs], n_rows, width)


def _regular(X: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, column indices) as rows × k arrays if every row of ``X`` holds exactly k
    stored non-zero entries in increasing columns; else ``None``."""
    if isinstance(X, np.ndarray):
        if np.count_nonzero(X) != X.size:
            return None
        return X, np.broadcast_to(np.arange(X.shape[1]), X.shape)
    X = X.tocsr()
    counts = np.diff(X.indptr)
    k = int(counts[0]) if len(counts) else 0
    if not len(counts) or (counts != k).any() or not X.has_canonical_format:
        return None
    return X.data.reshape(len(counts), k), X.indices.reshape(len(counts), k)


def _csr(X: Any) -> Any:
    """``X`` as canonical CSR, as the COO route of ``hstack`` keeps it: a dense block's
    zeros are left out, a sparse block's stored entries kept."""
    out = sp.csr_matrix(X) if isinstance(X, np.ndarray) else X.tocsr(copy=True)
    out.sum_duplicates()
    return out


def _stack_irregular(blocks: list[Any], n_rows: int, width: int) -> Any:
    counts = np.stack([np.diff(block.indptr) for block in blocks])  # blocks × rows
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=indptr[1:])
    total = int(indptr[-1])
    index_type = np.int32 if total < 2**31 - 1 else np.int64
    data = np.empty(total, dtype=np.float64)
    indices = np.empty(total, dtype=index_type)
    before = indptr[:-1].copy()  # where each row's next block starts
    offset = 0
    for block, count in zip(blocks, counts, strict=True):
        # destination of each entry: its row's start + its place within the row's block
        rows = np.repeat(np.arange(n_rows), count)
        place = np.arange(len(block.data)) - np.repeat(block.indptr[:-1], count)
        target = before[rows] + place
        data[target] = block.data
        indices[target] = block.indices + offset
        before += count
        offset += block.shape[1]
    parts: Any = (data, indices, indptr.astype(index_type))
    return sp.csr_matrix(parts, shape=(n_rows, width))


def plain(step: Any) -> Any:
    """``step`` as the plain scikit-learn class it extends (``Pipeline`` or
    ``ColumnTransformer``), sharing its fitted parts: what an exported model holds."""
    if isinstance(step, CountedCategories | MedianNumbers):
        return Pipeline(step.steps, memory=step.memory, verbose=step.verbose)
    if isinstance(step, StackedColumns):
        out = copy.copy(step)
        out.__class__ = ColumnTransformer
        out.transformers = [(name, plain(branch), cols) for name, branch, cols in out.transformers]
        if hasattr(step, "transformers_"):
            out.transformers_ = [
                (name, plain(branch), cols) for name, branch, cols in step.transformers_
            ]
        return out
    return step
