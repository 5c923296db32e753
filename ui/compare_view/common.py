"""What both Compare & tune tabs share: the page's kept state, the row-sample offer, labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from mllib import compare, training, tuning
from mllib.i18n import Translator
from mllib.jobs import Job
from ui import i18n
from ui.i18n import _
from ui.state import Workspace, bind

FOLD_CHOICES = (3, 5, 10)
STATE_KEY = "compare_page"


@dataclass
class PageState:
    """What this page keeps between runs (one session key): the last comparison, the last
    search with the split it runs on, and curves drawn for it."""

    comparison_key: str | None = None
    comparison: list[compare.RunResult] = field(default_factory=list)
    comparing: bool = False
    search: tuning.SearchState | None = None
    search_config: training.TrainConfig | None = None
    search_fingerprint: str | None = None
    curves: dict[str, pd.DataFrame] = field(default_factory=dict)
    search_job: Job | None = None
    search_error: BaseException | None = None
    curve_jobs: dict[str, Job] = field(default_factory=dict)
    curve_errors: dict[str, BaseException] = field(default_factory=dict)
    # this run's "still computing" notes of curves, redrawn with the time spent by ``watch``
    waiting: dict[str, tuple[Any, str]] = field(default_factory=dict)


def page_state() -> PageState:
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = PageState()
    return st.session_state[STATE_KEY]


def rows_choice(
    ws: Workspace, warning: str, label: str, key: str, sample: int, fast: float
) -> bool:
    """The Train page's cost gate for a comparison or a search: ``warning`` says how long all
    rows would take; a random sample is offered (chosen by default) and the choice holds until
    the data changes. Whether to run on the sample."""
    assert ws.dataset is not None and ws.frame is not None
    n_rows = len(ws.frame)
    tr = i18n.tr()
    st.warning(warning, icon=":material/hourglass:")
    labels = {
        "sample": _(
            "A {rows}-row random sample (about {seconds} s)",
            rows=tr.number(sample),
            seconds=tr.number(round(fast), 0),
        ),
        "all": _("All {rows} rows", rows=tr.number(n_rows)),
    }
    choice = st.segmented_control(
        label,
        list(labels),
        key=bind(f"{key}_{ws.dataset.fingerprint[:16]}", "sample"),
        format_func=labels.get,
        required=True,
    )
    return choice == "sample"


def failure_text(err: BaseException) -> str:
    """Why a search or a curve failed, in the reader's language when Glassbox wrote it (a
    library's own message is shown as it is)."""
    return i18n.error_text(err) or type(err).__name__


def fold_labels(tr: Translator) -> dict[int, str]:
    """ "5-fold" per choice, made when the page draws (a widget's labels must not depend on
    the session when Streamlit calls them again)."""
    return {k: tr("{k}-fold", k=k) for k in FOLD_CHOICES}
