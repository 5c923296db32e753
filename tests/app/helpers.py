"""Assertions shared by the page tests."""

from __future__ import annotations

from typing import Any


def assert_healthy(at: Any) -> None:
    """No uncaught exception and no "something went wrong" fallback message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    crashed = [e.value for e in at.error if "Something went wrong" in e.value]
    assert not crashed, crashed


def texts(at: Any, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]
