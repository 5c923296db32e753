"""Waiting for the Tune tab's jobs: redraw progress and time spent, rerun when something is new."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mllib import search_text
from ui import i18n
from ui.compare_view.common import PageState
from ui.i18n import _

POLL_SECONDS = 0.25  # how often a running search's progress line is redrawn


def show_waiting(state: PageState) -> None:
    """Redraw each computing curve's note with the seconds spent (a Streamlit call, so a click
    meanwhile interrupts the wait at once)."""
    for key, (slot, text) in state.waiting.items():
        job = state.curve_jobs.get(key)
        if job is not None and not job.done:
            seconds = _("{seconds} s", seconds=i18n.tr().number(round(job.seconds), 0))
            slot.caption(f":material/hourglass_top: {text} {seconds}")


def watch(state: PageState, bar: Any) -> None:
    """Wait for the page's running jobs, redrawing the search's progress, until there is
    something new to show (the search ended, or every curve being computed is ready); then
    rerun so the page shows it. Any click meanwhile interrupts the wait."""
    search, job = state.search, state.search_job
    searching = search is not None and search.status == "running" and job is not None
    running_curves = [j for j in state.curve_jobs.values() if not j.done]
    if not searching and not running_curves:
        return

    def something_new() -> bool:
        if searching and job is not None and job.done:
            return True
        return bool(running_curves) and all(j.done for j in running_curves)

    tr = i18n.tr()
    while not something_new():
        (job if searching and job is not None else running_curves[0]).wait(POLL_SECONDS)
        if bar is not None and search is not None:
            bar.progress(search.progress, text=search_text.progress_text(search, tr))
        show_waiting(state)
    if searching and job is not None and job.done and search is not None:
        if job.error is not None:
            search.status = "stopped"
            state.search_error = job.error
        elif search.status == "running" and not running_curves:
            return  # cut off before its end (only when a test stops it): a new run resumes it
    st.rerun()
