"""The reader's language in the app: ``?lang=`` in the URL, the sidebar switch, the browser.

The choice is kept on the :class:`~ui.state.Workspace` (``ws.language``) and written back into
the URL after each page change, so a reload, a copied link or a lesson link keeps it; switching
only reruns the page, so the data, the model and the open page stay. Pages write
``_("English sentence", name=value)`` and get it in the reader's language.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from mllib import i18n
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.i18n import LANGUAGES, Message, Translator
from ui.state import Workspace, workspace

PARAM = "lang"
SWITCH_KEY = "ui_language"


def browser_language() -> str:
    """The language the browser asks for (``st.context.locale``), English when unknown."""
    try:
        locale = st.context.locale
    except Exception:  # no browser behind this session (scripts)
        locale = None
    return i18n.language_of(locale) or i18n.DEFAULT


def current(ws: Workspace | None = None) -> str:
    """The language this session shows: the reader's choice, else the browser's."""
    chosen = (ws or workspace()).language
    return chosen if chosen in LANGUAGES else browser_language()


def tr() -> Translator:
    """This session's translator."""
    return i18n.translator(current())


def _(msgid: str, /, **params: Any) -> str:
    """``msgid`` in the reader's language, ``params`` filled in (data is never translated)."""
    return tr()(msgid, **params)


def text(message: str | Message | None) -> str:
    """A :class:`~mllib.i18n.Message` (or a constant English sentence) in the reader's language."""
    return tr().text(message)


def apply_url(ws: Workspace) -> None:
    """Take ``?lang=`` from the URL when it names a language; put the choice back into the URL
    when page navigation dropped it (Streamlit clears query parameters on a page change)."""
    asked = i18n.language_of(st.query_params.get(PARAM))
    if asked:
        ws.language = asked
    elif ws.language in LANGUAGES:
        st.query_params[PARAM] = ws.language
    elif PARAM in st.query_params:
        del st.query_params[PARAM]  # ?lang=xx that Glassbox does not speak


def _switched() -> None:
    chosen = st.session_state.get(SWITCH_KEY)
    if chosen in LANGUAGES:
        ws = workspace()
        ws.language = chosen
        st.query_params[PARAM] = chosen
        _redraw_choices()


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _redraw_choices() -> None:
    """Make the browser redraw the page's choices in the new language. A select box keeps the
    text of its chosen option while its options are relabelled (the Train page still read
    "Ridge regression" and "off" in Chinese until the reader left the page); a value written
    back from Python is sent with the widget and redrawn. Only plain values are written back:
    buttons and uploads (booleans, files) cannot be set from Python."""
    for key, value in list(st.session_state.items()):
        plain = _plain(value) or (isinstance(value, list | tuple) and all(_plain(v) for v in value))
        if key != SWITCH_KEY and plain:
            st.session_state[key] = value


def switch(ws: Workspace) -> None:
    """The sidebar's language switch; each language is named in its own script."""
    st.session_state[SWITCH_KEY] = current(ws)
    st.radio(
        _("Language"),
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=SWITCH_KEY,
        horizontal=True,
        on_change=_switched,
    )


#: Names that are keys in mllib (task values), marked here for extraction until the modules
#: that declare them mark them themselves (mllib.metrics marks the metric names, the catalogue
#: the algorithm names); shown via :func:`term`.
VOCABULARY = (
    i18n.N_("regression"),
    i18n.N_("classification"),
    # the column profile (mllib.profile): headers and column roles
    i18n.N_("type"),
    i18n.N_("role"),
    i18n.N_("missing %"),
    i18n.N_("distinct"),
    i18n.N_("min"),
    i18n.N_("max"),
    i18n.N_("mean"),
    i18n.N_("numeric"),
    i18n.N_("categorical"),
    i18n.N_("boolean"),
    i18n.N_("datetime"),
    i18n.N_("ID-like"),
    i18n.N_("constant"),
    i18n.N_("empty"),
    i18n.N_("free text"),
    # the export's hash table (mllib.export)
    i18n.N_("file"),
    i18n.N_("size"),
    i18n.N_("SHA-256"),
)


def term(name: str) -> str:
    """A name Glassbox itself gives (a task, a metric, an algorithm) in the reader's language;
    anything else (a column, a category) comes back unchanged."""
    return tr().text(name)


def dataset_name(dataset: Dataset) -> str:
    """The data's name as shown: a bundled sample's title is Glassbox's words (translated); a
    file name is data (never translated)."""
    return term(dataset.name) if dataset.source == "sample" else dataset.name


def bundle_title(bundle: Any) -> str:
    """A model bundle's title ("Decision tree predicting “species” (classification)", see
    :attr:`mllib.export.ModelBundle.title`) in the reader's language."""
    return _(
        "{algorithm} predicting “{target}” ({task})",
        algorithm=term(bundle.algorithm),
        target=bundle.target,
        task=term(bundle.task),
    )


def error_text(err: Exception) -> str:
    """An error's message for the page: a GlassboxError in the reader's language."""
    return err.text(tr()) if isinstance(err, GlassboxError) else str(err)
