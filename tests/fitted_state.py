"""Comparing fitted scikit-learn steps deeply: every attribute fitting set, to the bit, with
pipelines' steps and nested estimators compared the same way."""

from __future__ import annotations

from typing import Any

import numpy as np


def state(step: Any) -> dict[str, Any]:
    """What fitting set (and a pipeline's steps, which hold their own)."""
    return {
        k: v for k, v in vars(step).items() if k.endswith("_") or k.startswith("_") or k == "steps"
    }


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and (a.tobytes() == b.tobytes() or (a.dtype == object and list(a) == list(b)))
        )
    if hasattr(a, "get_params"):
        return type(a) is type(b) and same(state(a), state(b))
    if isinstance(a, slice | str | int | float | bool | type(None) | np.generic):
        return type(a) is type(b) and (a == b or (a != a and b != b))
    return type(a) is type(b)
