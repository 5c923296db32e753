"""Translations and locale-aware numbers for every sentence Glassbox shows (plain Python).

The English text is the message id (gettext's convention), so English needs no catalogue and
reads exactly as written in the code. Other languages live in ``locales/<ll_CC>/LC_MESSAGES/
glassbox.po``; a catalogue is compiled from its ``.po`` source with Babel when first used, so no
compiled ``.mo`` file is kept in the repository or needs a build step.

``mllib`` never knows the reader's language: it builds :class:`Message` values (an English
msgid plus parameters) or formats through a :class:`Translator` it is given. Parameters are
data (column names, values, file names) and are never translated; a parameter that is itself a
:class:`Message` is translated with the sentence around it.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

#: The languages Glassbox speaks: code → its name in that language (what a switch shows).
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT = "en"
DOMAIN = "glassbox"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
#: Each language's gettext catalogue folder and Babel locale (numbers, dates).
CATALOGUE_DIRS = {"zh": "zh_CN"}
BABEL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}


def N_(msgid: str) -> str:
    """Mark a constant sentence for extraction; it is translated where it is shown."""
    return msgid


class Message(str):
    """A sentence for people: the English text itself (a ``str``), plus its msgid and
    parameters so :meth:`Translator.text` can give it in another language.

    Being a ``str``, it goes wherever text went before (JSON, ``in``, joins, tests); what is
    derived from it (``+``, ``.strip()``…) is plain English text again.
    """

    msgid: str
    params: Mapping[str, Any]

    def __new__(cls, msgid: str, params: Mapping[str, Any] | None = None) -> Message:
        values = dict(params or {})
        text = msgid.format(**values) if values else msgid
        self = super().__new__(cls, text)
        self.msgid, self.params = msgid, values
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # pickled by caches: keep msgid and parameters
        return (Message, (self.msgid, dict(self.params)))


def msg(msgid: str, /, **params: Any) -> Message:
    """A translatable sentence with named ``{placeholders}`` (data goes in ``params``)."""
    return Message(msgid, params)


Text = str | Message


def to_data(value: Any) -> Any:
    """``value`` ready for JSON with a :class:`Message` kept translatable (its msgid and
    parameters), so a saved project shows it in the reader's language when it is opened."""
    if isinstance(value, Message):
        return {"msgid": value.msgid, "params": {k: to_data(v) for k, v in value.params.items()}}
    return value


def from_data(value: Any) -> Any:
    """The inverse of :func:`to_data` (anything else comes back as it is)."""
    if isinstance(value, dict) and set(value) == {"msgid", "params"}:
        params = value["params"] if isinstance(value["params"], dict) else {}
        try:
            return Message(str(value["msgid"]), {k: from_data(v) for k, v in params.items()})
        except (KeyError, IndexError, ValueError):  # a msgid that no longer fits its parameters
            return str(value["msgid"])
    return value


def pick_language(tags: str | None) -> str:
    """The supported language an ``Accept-Language`` header or a browser locale asks for.

    ``"zh-CN,zh;q=0.9,en;q=0.8"`` → ``"zh"``; unknown or empty → English. Every Chinese tag
    (also zh-TW / zh-Hant) gets 简体中文, the one Chinese catalogue there is.
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((tags or "").split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else DEFAULT


def language_of(code: str | None) -> str | None:
    """``code`` when it names a supported language (``zh``, ``zh-CN``, ``en``…), else None."""
    if not code:
        return None
    primary = str(code).strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the msgids themselves)."""
    folder = CATALOGUE_DIRS.get(language)
    if folder is None:
        return gettext.NullTranslations()
    path = LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=folder, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Translator:
    """Sentences and numbers in one language: ``tr("Rows: {n}", n=tr.number(5))``."""

    def __init__(self, language: str = DEFAULT) -> None:
        self.language = language if language in LANGUAGES else DEFAULT
        self.locale = Locale.parse(BABEL_LOCALES[self.language])
        self._catalogue = _catalogue(self.language)

    def __call__(self, msgid: str, /, **params: Any) -> str:
        """``msgid`` in this language with ``params`` filled in (format specs apply)."""
        text = self._gettext(msgid)
        if not params:
            return text
        return text.format(
            **{k: self.text(v) if isinstance(v, Message) else v for k, v in params.items()}
        )

    def plural(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        text = self._catalogue.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def text(self, message: Text | None) -> str:
        """A :class:`Message` or a constant English sentence in this language."""
        if not message:  # gettext("") is the catalogue's header, not an empty text
            return ""
        if isinstance(message, Message):
            return self(message.msgid, **message.params)
        return self._gettext(message)

    def _gettext(self, msgid: str) -> str:
        """gettext, except that "" stays "" (gettext gives the catalogue's header for it: an
        empty table cell shown through :meth:`text` read "Project-Id-Version: …")."""
        return self._catalogue.gettext(msgid) if msgid else msgid

    def number(self, value: float, digits: int | None = None) -> str:
        """``value`` with this locale's grouping and decimal sign; ``digits`` fixes decimals."""
        if digits is None:
            return format_decimal(value, locale=self.locale)
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: float, digits: int = 0) -> str:
        """``0.25`` → ``25%`` as this locale writes it."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
        return format_percent(share, format=pattern, locale=self.locale)

    def date(self, value: date | datetime, form: str = "medium") -> str:
        if isinstance(value, datetime):
            return format_datetime(value, form, locale=self.locale)
        return format_date(value, form, locale=self.locale)


@functools.cache
def translator(language: str) -> Translator:
    """The shared translator of ``language`` (built once per process)."""
    return Translator(language)
