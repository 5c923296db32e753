"""The frame around every page: navigation, the shared sidebar and friendly error handling."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from mllib import blas_threads, samples
from mllib.errors import GlassboxError
from mllib.i18n import DEFAULT, N_
from ui import cache, i18n, lesson, persistence
from ui.i18n import _
from ui.state import Workspace, workspace

log = logging.getLogger("glassbox")


@dataclass(frozen=True)
class PageInfo:
    path: str
    title: str
    icon: str
    url: str


PAGES = (
    PageInfo("pages/home.py", N_("Home"), ":material/home:", "home"),
    PageInfo("pages/data.py", N_("Data"), ":material/table_view:", "data"),
    PageInfo("pages/train.py", N_("Train"), ":material/model_training:", "train"),
    PageInfo("pages/model.py", N_("See the model"), ":material/visibility:", "model"),
    PageInfo("pages/compare.py", N_("Compare & tune"), ":material/leaderboard:", "compare"),
    PageInfo("pages/predict.py", N_("Predict"), ":material/online_prediction:", "predict"),
    PageInfo("pages/export.py", N_("Export & serve"), ":material/download:", "export"),
    PageInfo("pages/projects.py", N_("Projects"), ":material/folder_open:", "projects"),
)


# Set while :func:`run_app` runs a page on this script thread (one thread per script run).
_inside = threading.local()


def ensure_app_shell() -> None:
    """Run the whole app instead when Streamlit ran a page file without ``app.py``.

    Because a ``pages/`` folder sits beside ``app.py``, Streamlit starts in its legacy
    multipage mode: when the first request to a fresh server is a deep link (``/train``), it
    runs that page file alone, without our navigation and sidebar (AppTest does so on every
    run). Calling ``st.navigation`` ends that mode for every session, as Streamlit documents
    ("if you call st.navigation in your app (in any session), Streamlit will switch to
    using the newer, Page-and-navigation multipage structure"), but a deep link on a fresh
    server never reaches ``app.py`` to call it. So a page run outside :func:`run_app` runs the
    app shell in place (its ``st.navigation`` call switches the mode; it runs this same page
    inside it) and stops. Doing it in place, not by ``st.rerun()``, keeps the button clicks of
    this run. Public API only: no Streamlit internals are read or set. Every page calls it.
    """
    if not getattr(_inside, "shell", False):
        run_app()
        st.stop()


# Below 1100 px, side-by-side columns narrower than 12rem wrap onto their own line instead of
# cutting their labels ("L2 (shrink a", "112 …"): Streamlit only stacks them under 640 px.
# A multiselect's chips wrap onto lines (up to about six, then it scrolls): Streamlit keeps
# them on one sideways-scrolling line, where 30 features showed only the last three.
LAYOUT_CSS = """<style>
[data-testid="stMultiSelect"] [role="group"]:has(> [data-testid="stMultiSelectTagsContainer"]) {
  height: auto !important; max-height: 11rem; overflow-y: auto;
}
[data-testid="stMultiSelectTagsContainer"],
[data-testid="stMultiSelectTagsContainer"] > span[role="group"] {
  flex-wrap: wrap !important; overflow: visible !important; height: auto !important;
}
@media (max-width: 1100px) {
  div[data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
  div[data-testid="stHorizontalBlock"] > div[data-testid="stColumn"] {
    flex: 1 1 12rem !important; min-width: min(12rem, 100%) !important;
  }
}
</style>"""


def uploader_css() -> str:
    """Streamlit's file uploaders say "Upload" and "200MB per file • CSV, ..." in English
    whatever the page's language (no API sets them). Outside English the button's word is
    drawn in the reader's language and the size-and-types line is hidden: every uploader's
    own label already says what it takes and how large."""
    if i18n.current() == DEFAULT:
        return ""
    word = json.dumps(_("Upload"), ensure_ascii=False)  # a CSS string: no \u escapes
    return f"""<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
  font-size: 0;
}}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {word}; font-size: 0.875rem;
}}
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
</style>"""


def run_app() -> None:
    """Entry point used by ``app.py``: set up, draw the sidebar, run the chosen page."""
    st.set_page_config(page_title="Glassbox", page_icon="🔍", layout="wide")
    blas_threads.limit()  # many small computations at once: see mllib/blas_threads.py
    st.html(LAYOUT_CSS)
    ws = persistence.restore(workspace())
    i18n.apply_url(ws)
    if css := uploader_css():
        st.html(css)
    lesson.apply_link(ws)
    if ws.dataset is None:
        dataset, profile = cache.sample_dataset(samples.DEFAULT_SAMPLE)
        ws.set_dataset(dataset, profile, samples.SAMPLES[samples.DEFAULT_SAMPLE].target)
    hidden = lesson.hidden_pages(ws)  # lesson mode leaves out export
    page = st.navigation([p for p in navigation_pages() if p.url_path not in hidden])
    slot = st.sidebar.container()
    _inside.shell = True
    try:
        guarded(page.run)
    finally:  # drawn after the page, so it shows what the page just loaded or trained
        _inside.shell = False
        ws = workspace()  # the page may have opened another project
        persistence.autosave(ws)
        with slot:
            sidebar(ws)


def navigation_pages() -> list[Any]:
    """The app's pages for ``st.navigation``."""
    return [
        st.Page(p.path, title=_(p.title), icon=p.icon, url_path=p.url, default=i == 0)
        for i, p in enumerate(PAGES)
    ]


def guarded(body: Callable[[], None]) -> None:
    """Run ``body``; problems become messages on the page, never tracebacks."""
    try:
        body()
    except GlassboxError as err:
        st.error(err.text(i18n.tr()), icon=":material/error:")
    except Exception:  # the last line of defence: log it, keep the session alive
        # The exception's text can hold user data or internals, so the page shows only a
        # reference that finds the traceback in the server's log.
        reference = uuid.uuid4().hex[:8]
        log.exception("Unexpected error on a page (reference %s)", reference)
        st.error(
            _(
                "Something went wrong on this page, and your data and model are still loaded. "
                "Please try a different setting. (Reference for the server log: {reference})",
                reference=reference,
            ),
            icon=":material/error:",
        )


def sidebar(ws: Workspace) -> None:
    st.markdown("### Glassbox")
    st.caption(_("Machine learning you can see through"))
    lesson.sidebar_note(ws)
    if ws.dataset is None:
        st.caption(_("No data loaded."))
    else:
        sidebar_status(ws)
    i18n.switch(ws)


def sidebar_status(ws: Workspace) -> None:
    """Data, target, model and saving, in a few lines (names of data stay as they are)."""
    assert ws.dataset is not None
    tr = i18n.tr()
    st.markdown(
        _(
            "**Data:** {name}  \n{rows} rows × {cols} columns",
            name=i18n.dataset_name(ws.dataset),
            rows=tr.number(ws.dataset.n_rows),
            cols=tr.number(ws.dataset.n_cols),
        )
    )
    if ws.target:
        st.markdown(
            _(
                "**Target:** `{target}` ({task})  \n**Features:** {n} selected",
                target=ws.target,
                task=i18n.term(ws.task.value) if ws.task else "?",
                n=tr.number(len(ws.features)),
            )
        )
    if ws.model is not None:
        primary, value = next(iter(ws.model.test_scores.items()))
        st.markdown(
            _(
                "**Model:** {name}  \ntest {metric} = {value}",
                name=i18n.term(ws.model.spec.name),
                metric=i18n.term(primary),
                value=tr.number(value, 3),
            )
        )
    else:
        st.caption(_("No model trained yet."))
    problem = persistence.save_problem(ws)
    if problem:
        st.warning(i18n.text(problem), icon=":material/cloud_off:")
    elif ws.project_id:
        st.caption(
            _(
                ":material/cloud_done: Saved as you work; this page's address reopens it. "
                "See **Projects**."
            )
        )


def page_header(title: str, caption: str) -> None:
    st.title(title)
    st.caption(caption)


def require_data(ws: Workspace) -> bool:
    if ws.ready_to_train:
        return True
    st.info(_("Load a dataset and choose a target and features first."), icon=":material/info:")
    st.page_link("pages/data.py", label=_("Go to the Data page"), icon=":material/table_view:")
    return False


def require_model(ws: Workspace) -> bool:
    """True when there is a model to show; trains a cheap default one if none exists yet.

    A user who opens "See the model" (or a deep link to it) before visiting Train gets the
    current algorithm with its current settings, said on the page, instead of a dead end.
    """
    if ws.model is None and ws.ready_to_train:
        auto_train(ws)
    if ws.model is not None:
        return True
    st.info(_("Train a model first: pick an algorithm on the Train page."), icon=":material/info:")
    st.page_link(
        "pages/train.py", label=_("Go to the Train page"), icon=":material/model_training:"
    )
    return False


def auto_train(ws: Workspace) -> None:
    from mllib import catalogue, training
    from mllib.profile import check_target

    assert ws.dataset is not None and ws.profile is not None and ws.task and ws.target
    if check_target(ws.dataset.frame, ws.target, ws.task).errors:
        return
    keys = [s.key for s in catalogue.specs_for(ws.task)]
    algorithm = ws.algorithm if ws.algorithm in keys else keys[0]
    spec = catalogue.get_spec(algorithm)
    if (
        training.training_seconds(spec, ws.dataset.n_rows, len(ws.features))
        > training.SLOW_FIT_SECONDS
    ):
        return
    config = training.TrainConfig.make(
        algorithm,
        ws.task,
        ws.target,
        ws.features,
        ws.params.get(algorithm, {}),
        test_size=ws.split().test_size,
        seed=ws.seed,
    )
    try:
        model = cache.trained_model(
            training.training_key(ws.dataset.fingerprint, config), ws.dataset, ws.profile, config
        )
    except GlassboxError:
        return  # the Train page explains what blocks training
    ws.algorithm = algorithm
    ws.set_model(model)
    st.caption(
        _(
            "No model was trained yet, so Glassbox trained a **{name}** with its current "
            "settings. Tune it on the Train page.",
            name=i18n.term(spec.name).lower(),
        )
    )
