"""Fits that may take long run in a worker process, with a progress line and a Stop button.

The Train page trains quick fits inline. A fit estimated at :data:`BACKGROUND_FIT_SECONDS` or
more (a kernel SVM on many rows, "Train on all rows anyway") runs in a
:class:`mllib.workers.ProcessJob` instead: the page draws at once, a fragment redraws the
progress line until the fit ends, and Stop ends the process there and then. The model on
screen until then, and after a Stop, is the previous one, and the page says so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

from mllib import training
from mllib.errors import GlassboxError
from mllib.training import TrainConfig, TrainedModel
from mllib.workers import ProcessJob
from ui import cache
from ui.i18n import _, error_text, term, tr
from ui.state import Workspace

BACKGROUND_FIT_SECONDS = 3.0  # training.SLOW_FIT_SECONDS: what the gate asks about
POLL_SECONDS = 1.0
STATE_KEY = "train_background_fit"


@dataclass
class FitState:
    """The Train page's fit in a worker process, if any, and how the last one ended."""

    job: ProcessJob | None = None
    key: str | None = None  # training key of the fit in ``job``
    gate_key: str | None = None
    estimate: float = 0.0
    algorithm: str = ""  # the fit's algorithm (its name, a msgid) and rows
    rows: int = 0
    stopped: str | None = None  # training key of a fit the user stopped (not restarted)
    # What Stop did, said in the reader's language when shown: the seconds the fit ran, and
    # the model kept (algorithm, metric, test score) if there was one
    stopped_note: tuple[float, tuple[str, str, float] | None] | None = None
    failed: tuple[str, GlassboxError] | None = None  # (training key, error) of a fit that failed


def fit_state() -> FitState:
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = FitState()
    state: FitState = st.session_state[STATE_KEY]
    return state


def runs_in_background(estimate: float) -> bool:
    return estimate >= BACKGROUND_FIT_SECONDS


def holds(key: str) -> bool:
    """Whether the worker has the fit for ``key`` (running, or finished and not yet shown), or
    stopped or failed it: the page goes on through :func:`fit` even when the estimate has
    fallen under the threshold meanwhile (from the costs the worker itself learned), instead
    of fitting the same model again in the page and leaving the worker's result unread."""
    state = fit_state()
    return (
        (state.job is not None and state.key == key)
        or state.stopped == key
        or (state.failed is not None and state.failed[0] == key)
    )


def stop(ws: Workspace) -> None:
    """Stop's callback: end the worker, keep the previous model, and make a fit on all rows
    ask again at the gate (the sample it offers is the way on)."""
    state = fit_state()
    job = state.job
    if job is None:
        return
    job.stop()
    state.job, state.stopped = None, state.key
    kept = ws.model
    state.stopped_note = (
        job.seconds,
        None if kept is None else (kept.spec.name, *next(iter(kept.test_scores.items()))),
    )
    if state.gate_key and ws.confirmed.get(state.gate_key) == "full":
        del ws.confirmed[state.gate_key]


def train_again() -> None:
    state = fit_state()
    state.stopped = state.stopped_note = None


def show_stop_note() -> None:
    """Say what Stop did (above the gate, which may ask again)."""
    state = fit_state()
    if state.stopped_note is None:
        return
    seconds, kept = state.stopped_note
    t = tr()
    stopped = _(
        "Stopped training the {algorithm} on {rows} rows after {seconds} s.",
        algorithm=in_sentence(state.algorithm),
        rows=t.number(state.rows),
        seconds=t.number(seconds, 0),
    )
    if kept is None:
        note = _("{stopped} There is no model yet.", stopped=stopped)
    else:
        name, metric, score = kept
        note = _(
            "{stopped} The previous model ({algorithm}, test {metric} = {score}) is kept.",
            stopped=stopped,
            algorithm=term(name),
            metric=term(metric),
            score=t.number(score, 3),
        )
    st.info(note, icon=":material/stop_circle:")


def fit(ws: Workspace, config: TrainConfig, key: str, estimate: float) -> TrainedModel | None:
    """The model for ``config`` once its worker has finished; ``None`` while it runs, after
    a Stop or a failure (each said on the page)."""
    assert ws.dataset is not None and ws.profile is not None
    state = fit_state()
    if state.failed is not None and state.failed[0] == key:
        st.error(error_text(state.failed[1]), icon=":material/error:")
        return None
    if state.stopped == key:
        st.button(_("Train again"), key="train_again", on_click=train_again)
        return None
    if state.job is not None and state.key != key:
        state.job.stop()  # settings changed meanwhile: that fit is no longer wanted
        state.job = None
    if state.job is None:
        rows = min(ws.dataset.n_rows, config.sample_rows or ws.dataset.n_rows)
        work = functools.partial(
            training.train_model, ws.dataset.frame, ws.profile, config, ws.dataset.fingerprint
        )
        state.job = ProcessJob(work, algorithm=config.algorithm, name="glassbox-train")
        state.key, state.estimate = key, estimate
        state.gate_key = training.gate_key(ws.dataset.fingerprint, config)
        state.algorithm, state.rows = config.spec.name, rows
        state.stopped = state.stopped_note = state.failed = None
    job = state.job
    if job.done:
        state.job = None
        try:
            model: TrainedModel = job.result()
        except GlassboxError as err:
            state.failed = (key, err)
            st.error(error_text(err), icon=":material/error:")
            return None
        cache.log_run(model, ws.dataset, ws.profile)
        return model
    line, button = st.columns([5, 1], vertical_alignment="bottom")
    with line:
        progress_line()
    button.button(
        _("Stop"), key="train_stop", icon=":material/stop_circle:", on_click=stop, args=(ws,)
    )
    if ws.model is not None:
        st.caption(_("Until it is ready, the previous model is shown."))
    return None


@st.fragment(run_every=POLL_SECONDS)
def progress_line() -> None:
    """The running fit's time against its estimate, redrawn on its own; when the fit is over
    the whole page reruns to show the model."""
    state = fit_state()
    job = state.job
    if job is None or job.done:
        st.rerun(scope="app")
    assert job is not None
    seconds = job.seconds
    t = tr()
    line = _(
        "Training the {algorithm} on {rows} rows in a separate process: {seconds} s so far, "
        "about {estimate} s expected. Stop keeps the previous model.",
        algorithm=in_sentence(state.algorithm),
        rows=t.number(state.rows),
        seconds=t.number(seconds, 0),
        estimate=t.number(state.estimate, 0),
    )
    st.progress(min(seconds / max(state.estimate, 1e-9), 0.99), text=line)


def in_sentence(name: str) -> str:
    """An algorithm's name inside a sentence: lower case in English ("the support vector
    machine"), as written in other languages."""
    shown = term(name)
    return shown.lower() if tr().language == "en" else shown
