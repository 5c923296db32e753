"""What a hyperparameter search says to people, in the reader's language: its plan before it
starts, its progress line while it runs (fits done, time spent, time left, best so far) and
how it ended. Plain functions of a :class:`~mllib.tuning.SearchPlan` or
:class:`~mllib.tuning.SearchState` and a :class:`~mllib.i18n.Translator`, so every sentence is
testable without a page; numbers and durations go through the translator's locale.
"""

from __future__ import annotations

from mllib.i18n import DEFAULT, Translator, translator
from mllib.tuning import METHODS, SearchPlan, SearchState


def plan_text(plan: SearchPlan, seconds: float, tr: Translator | None = None) -> str:
    """``"**12** settings × **5** folds = **60** fits, roughly 8 s"`` (Markdown), with the
    rounds of successive halving; ``seconds`` is the estimate (left out under a second)."""
    tr = tr or translator(DEFAULT)
    text = tr(
        "**{settings}** settings × **{folds}** folds = **{fits}** fits",
        settings=tr.number(len(plan.candidates)),
        folds=tr.number(plan.folds),
        fits=tr.number(plan.total_fits),
    )
    if plan.method == "halving" and len(plan.rounds) > 1:
        steps = " → ".join(
            tr("{n} on {rows} rows", n=tr.number(n), rows=tr.number(rows))
            for n, rows in plan.rounds
        )
        text += tr(" in {count} rounds ({steps})", count=tr.number(len(plan.rounds)), steps=steps)
    elif plan.method == "halving":
        text += tr(" (too few rows to halve: one round on all of them)")
    if seconds >= 1:
        text += tr(", roughly {seconds} s", seconds=tr.number(round(seconds), 0))
    return text


def progress_text(search: SearchState, tr: Translator | None = None) -> str:
    """The running search's progress line: fits done, time spent and left, best so far."""
    tr = tr or translator(DEFAULT)
    plan = search.plan
    text = tr(
        "{done} / {total} fits · {elapsed} s elapsed",
        done=tr.number(search.done_fits),
        total=tr.number(plan.total_fits),
        elapsed=tr.number(search.elapsed, 1),
    )
    left = search.seconds_left
    if left is not None:
        text += tr(" · about {seconds} s left", seconds=tr.number(round(left), 0))
    best = search.best()
    if best is not None:
        text += tr(
            " · best {metric} so far {score}",
            metric=tr.text(plan.metric),
            score=tr.number(best.validation, 3),
        )
    return text


def outcome_text(search: SearchState, tr: Translator | None = None) -> str:
    """How a search that is no longer running ended (empty while it runs)."""
    tr = tr or translator(DEFAULT)
    plan = search.plan
    if search.status == "stopped":
        return tr(
            "Stopped after {done} of {total} fits; these are the settings tried so far.",
            done=tr.number(search.done_fits),
            total=tr.number(plan.total_fits),
        )
    if search.status == "done":
        return tr(
            "{method} of {algorithm} finished: {fits} fits in {seconds} s.",
            method=tr.text(METHODS[plan.method]),
            algorithm=tr.text(plan.spec.name),
            fits=tr.number(search.done_fits),
            seconds=tr.number(search.elapsed, 1),
        )
    return ""
