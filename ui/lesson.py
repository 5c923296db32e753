"""Lesson links in the app: open one (once per link), and offer the link of the current view.

Reads and writes only its own query keys (:data:`mllib.lesson.OWN_KEYS`, ``p.*``, ``w.*``), so
it coexists with ``?project=`` (:mod:`ui.persistence`). The link's settings go into the
:class:`~ui.state.Workspace` like any user's choices; lesson mode itself is ``ws.lesson``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from mllib import i18n as mllib_i18n
from mllib import lesson
from mllib.errors import GlassboxError
from mllib.lesson import LessonLink
from mllib.samples import SAMPLES
from ui import cache, i18n
from ui.i18n import _
from ui.state import Workspace, choose_algorithm, choose_split, load_dataset

DEFAULT_BASE = "http://localhost:8501"


def tab_name(label: Any) -> str | None:
    """The English name (:data:`mllib.lesson.TABS`) of a See-the-model tab shown as ``label`` in
    any language: links name tabs in English whatever the reader's language."""
    for name in lesson.TABS:
        if any(label == mllib_i18n.translator(code)(name) for code in mllib_i18n.LANGUAGES):
            return name
    return None


def _own_query() -> dict[str, str]:
    keys = [k for k in st.query_params if k in lesson.OWN_KEYS or str(k).startswith(("p.", "w."))]
    return {k: str(st.query_params.get(k)) for k in keys}


def _drop_own_query() -> None:
    for key in _own_query():
        del st.query_params[key]


def apply_link(ws: Workspace) -> None:
    """When the URL holds a lesson link not yet applied in this session, load its sample,
    algorithm, settings, split, tab and controls; the model trains from them on first view."""
    query = _own_query()
    if not lesson.is_link(query):
        return
    try:
        link = lesson.decode(query)
    except GlassboxError as err:
        st.warning(
            _("This lesson link could not be opened: {problem}", problem=i18n.error_text(err)),
            icon=":material/link_off:",
        )
        _drop_own_query()
        return
    if ws.lesson == link:
        return  # the URL keeps the link while the user stays on this page
    info = SAMPLES[link.sample]
    loaded = ws.dataset is not None and ws.dataset.source == "sample"
    if not (loaded and ws.dataset is not None and ws.dataset.name == info.title):
        dataset, profile = cache.sample_dataset(link.sample)
        load_dataset(ws, dataset, profile, info.target)
        ws.notice = None
    choose_algorithm(ws, link.algorithm, link.params)
    choose_split(ws, link.test_pct, link.seed, ws.cv_folds)
    ws.model = None  # trained from these settings where it is first needed
    stale = ("model_tab", "threshold_for", *lesson.VIEW_CONTROLS)
    for key in [k for k in st.session_state if k in stale]:
        del st.session_state[key]
    for key, value in link.controls.items():
        st.session_state[key] = value
    if link.tab:
        st.session_state["model_tab"] = link.tab
    ws.lesson = link


def lesson_mode(ws: Workspace) -> bool:
    """True when a lesson link turned lesson mode on: no upload, no export."""
    return bool(ws.lesson is not None and ws.lesson.lesson)


def locked(ws: Workspace) -> frozenset[str]:
    """Settings the lesson link locked (parameter names, or ``algorithm``)."""
    return frozenset(ws.lesson.locked) if lesson_mode(ws) and ws.lesson else frozenset()


def current_link(ws: Workspace, lesson_on: bool, lock: tuple[str, ...]) -> LessonLink | None:
    """The link that reproduces what this session shows now (bundled samples only)."""
    if ws.dataset is None or ws.dataset.source != "sample" or ws.model is None:
        return None
    sample = next((s.key for s in SAMPLES.values() if s.title == ws.dataset.name), None)
    if sample is None:
        return None
    model = ws.model
    controls: dict[str, Any] = {}
    for key in lesson.VIEW_CONTROLS:
        value = st.session_state.get(key)
        if isinstance(value, bool | int | float | str) and _json_safe(value):
            controls[key] = value
    tab = tab_name(st.session_state.get("model_tab"))
    return LessonLink(
        sample,
        model.config.algorithm,
        model.config.param_dict,
        model.config.seed,
        round(model.config.test_size * 100),
        tab,
        controls,
        lesson_on,
        lock,
        i18n.current(ws),
    )


def _json_safe(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


def link_url(link: LessonLink, page: str = "model") -> str:
    """The full URL of ``link`` on this server (the browser's own address when known)."""
    try:
        current = st.context.url or DEFAULT_BASE
    except Exception:  # no browser behind this session (tests, scripts)
        current = DEFAULT_BASE
    parts = urlsplit(current)
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else DEFAULT_BASE
    return f"{base}/{page}?{urlencode(lesson.encode(link))}"


def share_box(ws: Workspace) -> None:
    """ "Copy a link to this view": the URL, with lesson mode and locks to choose."""
    model = ws.model
    if model is None:
        return
    tr = i18n.tr()
    with st.expander(tr("Copy a link to this view"), icon=":material/link:"):
        if ws.dataset is None or ws.dataset.source != "sample":
            st.caption(
                tr(
                    "Links rebuild the view from a bundled sample; for your own data, share "
                    "the project link in the address bar instead."
                )
            )
            return
        c1, c2 = st.columns([1, 2])
        lesson_on = c1.toggle(
            tr("Lesson mode"),
            key="lesson_on",
            help=tr("Opened from this link, Glassbox hides data upload and export."),
        )
        params = [p for p in model.spec.params_for(model.task) if p.name in model.config.param_dict]
        names = ["algorithm", *(p.name for p in params)]
        labels = {"algorithm": tr("Algorithm"), **{p.name: tr(p.label) for p in params}}
        lock = c2.multiselect(
            tr("Lock these settings (lesson mode)"),
            names,
            key="lesson_lock",
            format_func=lambda n: labels[n],
            disabled=not lesson_on,
        )
        link = current_link(ws, lesson_on, tuple(lock) if lesson_on else ())
        if link is None:
            return
        st.code(link_url(link), language=None, wrap_lines=True)
        st.caption(
            tr(
                "Copy it with the button at the top right of the box. Opening it on any "
                "Glassbox server shows the same sample, algorithm, settings, tab and controls."
            )
        )


def hidden_pages(ws: Workspace) -> set[str]:
    """Pages lesson mode leaves out: export (and Compare & tune, which could apply settings
    past the locks)."""
    if not lesson_mode(ws):
        return set()
    return {"export", "compare"} if locked(ws) else {"export"}


def sidebar_note(ws: Workspace) -> None:
    if lesson_mode(ws):
        names = ", ".join(sorted(locked(ws)))
        st.caption(
            _(
                ":material/school: **Lesson mode**: set by the link you opened. Upload and "
                "export are off; locked: {names}.",
                names=names,
            )
            if names
            else _(
                ":material/school: **Lesson mode**: set by the link you opened. Upload and "
                "export are off."
            )
        )
