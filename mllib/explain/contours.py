"""Contour lines of a function sampled on a grid (marching squares), for boundary and margins."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray


def contour_segments(
    xs: np.ndarray, ys: np.ndarray, values: np.ndarray, levels: tuple[float, ...]
) -> pd.DataFrame:
    """Marching squares: line segments where ``values`` (rows along ``ys``) cross each level.

    Each cell whose corners straddle the level gets one segment between its two crossed
    edges (two for a saddle, split by the cell centre). Returns columns level, x, y, x2, y2.
    """
    frames = []
    for level in levels:
        v = values - level
        a, b = v[:-1, :-1], v[:-1, 1:]  # bottom-left, bottom-right
        d, c = v[1:, :-1], v[1:, 1:]  # top-left, top-right
        x0, x1 = xs[:-1][None, :], xs[1:][None, :]
        y0, y1 = ys[:-1][:, None], ys[1:][:, None]
        shape = a.shape

        def cross(p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.float64]:
            with np.errstate(divide="ignore", invalid="ignore"):
                t = p / (p - q)
            return np.clip(np.nan_to_num(t, nan=0.5), 0, 1)

        # Crossing points on the four edges: bottom (a-b), right (b-c), top (d-c), left (a-d).
        edges = [
            (
                (a > 0) != (b > 0),
                np.broadcast_to(x0 + cross(a, b) * (x1 - x0), shape),
                np.broadcast_to(y0, shape),
            ),
            (
                (b > 0) != (c > 0),
                np.broadcast_to(x1, shape),
                np.broadcast_to(y0 + cross(b, c) * (y1 - y0), shape),
            ),
            (
                (d > 0) != (c > 0),
                np.broadcast_to(x0 + cross(d, c) * (x1 - x0), shape),
                np.broadcast_to(y1, shape),
            ),
            (
                (a > 0) != (d > 0),
                np.broadcast_to(x0, shape),
                np.broadcast_to(y0 + cross(a, d) * (y1 - y0), shape),
            ),
        ]
        crossed = np.stack([e[0] for e in edges])
        count = crossed.sum(axis=0)
        segments = []
        two = count == 2
        if two.any():
            idx = np.argwhere(two)
            first = np.argmax(crossed[:, two], axis=0)
            last = 3 - np.argmax(crossed[::-1, two], axis=0)
            segments.append(_pick(edges, idx, first, last))
        saddle = count == 4
        if saddle.any():
            idx = np.argwhere(saddle)
            centre = (a + b + c + d)[saddle] > 0
            same_as_a = centre == (a[saddle] > 0)
            # Corners unlike the centre are cut off: b and d → (0,1),(2,3); a and c → (0,3),(1,2).
            e1 = np.where(same_as_a, 0, 0), np.where(same_as_a, 1, 3)
            e2 = np.where(same_as_a, 2, 1), np.where(same_as_a, 3, 2)
            segments.append(_pick(edges, idx, *e1))
            segments.append(_pick(edges, idx, *e2))
        if segments:
            table = pd.DataFrame(np.vstack(segments), columns=["x", "y", "x2", "y2"])
            table.insert(0, "level", float(level))
            frames.append(table)
    if not frames:
        return pd.DataFrame(columns=["level", "x", "y", "x2", "y2"])
    return pd.concat(frames, ignore_index=True)


def _pick(edges: list[Any], idx: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    rows, cols = idx[:, 0], idx[:, 1]
    ex = np.stack([e[1][rows, cols] for e in edges])
    ey = np.stack([e[2][rows, cols] for e in edges])
    k = np.arange(len(rows))
    return np.column_stack([ex[first, k], ey[first, k], ex[last, k], ey[last, k]])
