"""The one exception type whose message is written for people, not programmers."""

from __future__ import annotations

from mllib.i18n import Message, Text, Translator

FULL_STOPS = ("。", "！", "？")


class GlassboxError(Exception):
    """A problem the user can act on; ``str(err)`` is the English sentence shown as is.

    ``hint`` is an optional next step ("choose regression instead"). Either may be a
    :class:`~mllib.i18n.Message` (msgid + parameters), so :meth:`text` can give it in the
    reader's language while ``message``/``hint`` keep the English text.
    """

    def __init__(self, message: Text, hint: Text | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.hint = None if hint is None else str(hint)
        self.parts: tuple[Text, Text | None] = (message, hint)

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message

    def text(self, tr: Translator) -> str:
        """The message and hint in ``tr``'s language (data inside stays as it is)."""
        message, hint = self.parts
        shown = tr.text(message)
        if hint is None:
            return shown
        gap = "" if shown.endswith(FULL_STOPS) else " "  # Chinese writes no space after 。
        return f"{shown}{gap}{tr.text(hint)}"


class DataError(GlassboxError):
    """A file or table that cannot be used as it is."""


class TrainingError(GlassboxError):
    """A model that cannot be trained with the current choices."""


__all__ = ["DataError", "GlassboxError", "Message", "TrainingError"]
