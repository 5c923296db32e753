"""The one exception type whose message is written for people, not programmers."""

from __future__ import annotations


class GlassboxError(Exception):
    """A problem the user can act on; ``str(err)`` is shown on the page as is.

    ``hint`` is an optional next step ("choose regression instead").
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class DataError(GlassboxError):
    """A file or table that cannot be used as it is."""


class TrainingError(GlassboxError):
    """A model that cannot be trained with the current choices."""
