"""How the charts print numbers in boxes and fractions."""

from __future__ import annotations

import math


def short_number(value: float) -> str:
    """Three significant digits, without scientific notation for everyday sizes."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 0.001:
        return f"{value:.3g}"
    return f"{value:.2e}"


def count_text(value: float) -> str:
    return f"{round(value)}" if math.isclose(value, round(value), abs_tol=1e-6) else f"{value:.1f}"
