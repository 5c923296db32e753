"""Compare & tune: every algorithm on the same split, then a hyperparameter search with progress.

A comparison runs in small steps whose results are kept in this page's state after each step:
any click interrupts the script, and the next run carries on from where it stopped. Searches and
curves run beside the page (:class:`mllib.jobs.Job`): the page draws, then polls them, so Stop
takes effect at once (fits finishing after it are not counted) and starting one curve never
discards another.
"""

from __future__ import annotations

import streamlit as st

from mllib import parallel
from mllib.i18n import LANGUAGES, N_, translator
from ui import i18n, shell
from ui.compare_view.common import page_state
from ui.compare_view.comparison import compare_tab
from ui.compare_view.tune import forget_other_data, tune_tab
from ui.compare_view.waiting import watch
from ui.i18n import _
from ui.state import workspace

TABS = (N_("Compare"), N_("Tune"))
TAB_KEY = "compare_tab"

shell.ensure_app_shell()


def tab_labels() -> list[str]:
    """The tabs' labels in the reader's language; the open tab stays open when the language
    changes (the tabs' state is the label, so one in another language is carried over)."""
    labels = [_(tab) for tab in TABS]
    chosen = st.session_state.get(TAB_KEY)
    for tab, label in zip(TABS, labels, strict=True):
        if chosen != label and chosen in {translator(code)(tab) for code in LANGUAGES}:
            st.session_state[TAB_KEY] = label
    return labels


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("Compare & tune"),
        _("Which algorithm should I choose, and how do I make it better?"),
    )
    if not shell.require_data(ws):
        return
    assert ws.dataset is not None and ws.task and ws.target
    tr = i18n.tr()
    st.caption(
        _(
            "**{data}** · predicting **{target}** ({task}) from {n} feature(s)",
            data=i18n.dataset_name(ws.dataset),
            target=ws.target,
            task=i18n.term(ws.task.value),
            n=tr.number(len(ws.features)),
        )
        + f" · :material/memory: {parallel.describe_backend(tr)}"
    )
    state = page_state()
    forget_other_data(ws, state)
    compare_, tune_ = st.tabs(tab_labels(), key=TAB_KEY, on_change="rerun")
    bar = None
    if compare_.open:
        with compare_:
            compare_tab(ws, state)
    if tune_.open:
        with tune_:
            bar = tune_tab(ws, state)
        watch(state, bar)


main()
