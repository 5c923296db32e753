"""The rows of one split as a model sees them, kept while only the model's settings change.

Moving a hyperparameter slider on Train changes the estimator, not its input: the cleaning
step and the imputers, encoders and scalers are fitted on the same training rows again and
give the same matrices. :class:`PreparedRows` holds those fitted steps and matrices, and
:class:`PreparedCache` keeps a few small ones (bounded by count and bytes, keyed by a cheap
string: the data's content hash and the choices that shape the input), so that a slider
change fits only the estimator. Large tables are not kept: their matrices would cost more
memory than their preparation costs time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MAX_ENTRIES = 4
MAX_BYTES = 64_000_000  # per entry: about 100k rows × 80 dense columns


@dataclass(frozen=True)
class PreparedRows:
    """Fitted preparation steps, the prepared train/test matrices and what was said on the way.

    Shared by every model trained from it: read-only (the matrices are marked so)."""

    clean: Any  # the fitted mllib.pipeline.Clean step
    prep: Any  # the fitted ColumnTransformer
    Xt_train: Any
    Xt_test: Any
    y_train: pd.Series
    y_test: pd.Series
    train_index: np.ndarray
    test_index: np.ndarray
    n_rows: int  # rows split into train and test (after dropping bad targets and sampling)
    notes: tuple[str, ...]
    seconds: float  # fitting the preparation on the training rows
    test_seconds: float  # preparing the test rows
    # a training matrix too large to keep: the test rows' matrix is made by this once the
    # model is fitted and the training matrix let go (Xt_test is None until then)
    test_later: Callable[[], Any] | None = None

    @property
    def nbytes(self) -> int:
        return matrix_bytes(self.Xt_train) + matrix_bytes(self.Xt_test)


def matrix_bytes(matrix: Any) -> int:
    """Bytes held by a dense array or a scipy sparse matrix."""
    if hasattr(matrix, "indptr"):
        return int(matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes)
    return int(getattr(matrix, "nbytes", 0))


def read_only(matrix: Any) -> Any:
    """``matrix`` marked read-only, so that no estimator can change a shared input in place."""
    for array in (matrix, getattr(matrix, "data", None)):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return matrix


class PreparedCache:
    """A few recent :class:`PreparedRows` by key; thread-safe (searches run on threads)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, PreparedRows] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> PreparedRows | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: str, rows: PreparedRows) -> None:
        """Keep ``rows`` unless they are too large to be worth the memory."""
        if rows.nbytes > self.max_bytes:
            return
        read_only(rows.Xt_train)
        read_only(rows.Xt_test)
        with self._lock:
            self._entries[key] = rows
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = PreparedCache()
