"""Train: pick an algorithm, move its sliders, read honest train/test/CV scores."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from mllib import catalogue, training
from mllib.catalogue import ModelSpec
from mllib.csv_safe import rows_csv_bytes
from mllib.i18n import N_, Message
from mllib.profile import Task
from mllib.training import TrainConfig
from ui import background_fit, cache, lesson, shell
from ui.i18n import _, current, dataset_name, term, text, tr
from ui.state import (
    ALGORITHM_WIDGET,
    SPLIT_WIDGETS,
    Split,
    Workspace,
    bind,
    choose_algorithm,
    keep_valid,
    reset_settings,
    workspace,
)
from ui.widgets import param_form

CV_CHOICES = (0, 3, 5, 10)
FOUR_DIGITS = st.column_config.NumberColumn(format="%.4f")
# Time a small fit first when the cost model alone puts a fit above this share of the threshold
# (it may be several times off on this machine or with these settings).
CALIBRATE_FROM = 0.1
HISTORY_KEY = "_train_history_table"  # (rows, last row, language, table, CSV) of the last draw
# History values that are Glassbox's words even when a saved project gave them back as text
TRANSLATED = ("algorithm", "settings")
TEST_PCT, SEED, CV_FOLDS = SPLIT_WIDGETS


shell.ensure_app_shell()


def algorithm_name(spec: ModelSpec) -> str:
    """The algorithm's name inside a sentence ("Training support vector machine…"): lower
    case in English, as written in other languages."""
    name = term(spec.name)
    return name.lower() if current() == "en" else name


def pick_algorithm(ws: Workspace) -> ModelSpec:
    assert ws.task is not None
    specs = catalogue.specs_for(ws.task)
    keys = [s.key for s in specs]
    chosen = ws.algorithm if ws.algorithm in keys else keys[0]
    t = tr()  # format_func runs outside the session too (AppTest): use this translator
    key = st.selectbox(
        _("Algorithm"),
        keys,
        key=bind(keep_valid(ALGORITHM_WIDGET, keys), chosen),
        format_func=lambda k: t.text(catalogue.get_spec(k).name),
        disabled="algorithm" in lesson.locked(ws),
    )
    ws.algorithm = key
    spec = catalogue.get_spec(key)
    st.caption(text(spec.summary))
    return spec


def input_facts(ws: Workspace) -> dict[str, float]:
    """Facts about the model's input that place text options on sliders (γ "auto")."""
    model = ws.model
    if model is not None and list(model.config.features) == list(ws.features):
        return {"columns": float(model.input_width)}
    return {"columns": float(max(len(ws.features), 1))}


def split_widgets(ws: Workspace) -> Split:
    """The split's widgets, seeded from the workspace; the split chosen."""
    assert ws.task is not None
    lo_pct, hi_pct, default = ws.test_pct_range()
    t = tr()  # format_func runs outside the session too (AppTest): use this translator
    c1, c2, c3 = st.columns(3)
    test_pct = keep_valid(TEST_PCT, range(lo_pct, hi_pct + 1), fallback=default)
    pct = c1.slider(
        _("Test share (%)"),
        lo_pct,
        max(hi_pct, lo_pct + 1),
        key=bind(test_pct, ws.test_pct_in_effect()),
        help=_(
            "Rows held out to score the model honestly; stratified so every class appears in "
            "both parts."
        )
        if ws.task == Task.CLASSIFICATION
        else _("Rows held out to score the model honestly."),
    )
    seed = c2.number_input(
        _("Random seed"),
        0,
        10_000,
        key=bind(SEED, ws.seed),
        step=1,
        help=_("Same seed, same split and same model."),
    )
    folds = c3.selectbox(
        _("Cross-validation"),
        CV_CHOICES,
        key=bind(CV_FOLDS, ws.cv_folds),
        format_func=lambda k: t("off") if k == 0 else t("{k}-fold", k=k),
    )
    ws.test_pct, ws.seed, ws.cv_folds = int(pct), int(seed), int(folds)
    return Split(pct / 100, int(seed), int(folds))


def cost_gate(ws: Workspace, spec: ModelSpec, config: TrainConfig) -> TrainConfig | None:
    """Ask before a slow fit and offer a faster path; ``None`` means "wait for the user"."""
    assert ws.frame is not None and ws.profile is not None and ws.dataset is not None
    t = tr()
    n_rows, n_features = len(ws.frame), len(config.features)
    n_text = training.count_text(ws.profile, config.features)
    estimate = training.training_seconds(spec, n_rows, n_features, config.cv_folds, n_text)
    if not training.is_measured(spec) and estimate >= CALIBRATE_FROM * training.SLOW_FIT_SECONDS:
        # Nothing timed yet for this algorithm: a small fit tells this machine's speed.
        with st.spinner(_("Timing {algorithm} on a small sample…", algorithm=algorithm_name(spec))):
            training.calibrate(ws.frame, ws.profile, config)
        estimate = training.training_seconds(spec, n_rows, n_features, config.cv_folds, n_text)
    # The choice holds for this algorithm until the data, target or features change: moving a
    # slider afterwards retrains at once (on the sample, with the new value), without asking,
    # also once the sample's fit has taught the estimate that all rows would be quick.
    # The sample's size is fixed when it is chosen ("sample:200000"): sizing it again on each
    # run from costs that every fit updates made the sample, and so the model, flip between
    # sizes on successive reruns (each fit retaught the costs; the 1M-row bench never settled).
    key = training.gate_key(ws.dataset.fingerprint, config)
    choice, _sep, chosen_rows = ws.confirmed.get(key, "").partition(":")
    if estimate < training.SLOW_FIT_SECONDS and choice != "sample":
        return config
    sample = (
        int(chosen_rows)
        if chosen_rows.isdigit()
        else training.affordable_rows(spec, n_features, config.cv_folds, n_text)
    )
    rows, seconds = t.number(n_rows), t.number(estimate, 0)
    if choice == "full" or (choice == "sample" and sample >= n_rows):
        return config
    if choice == "sample":
        st.button(  # the choice holds, but can be changed
            _("Train on all {rows} rows instead (about {seconds} s)", rows=rows, seconds=seconds),
            key="go_full",
            on_click=ws.confirmed.__setitem__,
            args=(key, "full"),
        )
        return replace(config, sample_rows=sample)
    basis = _("timed on this machine") if training.is_measured(spec) else _("a rough estimate")
    facts = {"algorithm": term(spec.name), "rows": rows, "seconds": seconds, "basis": basis}
    st.warning(
        _(
            "**{algorithm}** on {rows} rows may take about {seconds} s ({basis}; {note}). "
            "Choose how to go on:",
            note=text(spec.slow_note),
            **facts,
        )
        if spec.slow_note
        else _(
            "**{algorithm}** on {rows} rows may take about {seconds} s ({basis}). "
            "Choose how to go on:",
            **facts,
        ),
        icon=":material/hourglass:",
    )
    c1, c2, c3 = st.columns(3)
    c1.button(
        _("Train on a {rows}-row random sample", rows=t.number(sample)),
        key="go_sample",
        type="primary",
        on_click=ws.confirmed.__setitem__,
        args=(key, f"sample:{sample}"),
    )
    if spec.faster is not None:
        # A callback: the algorithm widget is already drawn in this run, so its state can only
        # change before the next run draws it.
        faster, label = spec.faster
        c2.button(text(label), key="go_linear", on_click=use_algorithm, args=(ws, faster))
    c3.button(
        _("Train on all {rows} rows anyway", rows=rows),
        key="go_full",
        on_click=ws.confirmed.__setitem__,
        args=(key, "full"),
    )
    return None


def use_algorithm(ws: Workspace, algorithm: str) -> None:
    choose_algorithm(ws, algorithm)


#: The score tables' columns as the page shows them (the tables' own names are English keys).
SCORE_COLUMNS = {
    "metric": N_("metric"),
    "train": N_("train"),
    "test": N_("test"),
    "gap": N_("gap"),
    "mean": N_("mean"),
    "std": N_("std"),
    "folds": N_("folds"),
}


def score_table(table: pd.DataFrame) -> pd.DataFrame:
    """A score table with its headers and metric names in the reader's language."""
    shown = table.assign(metric=table["metric"].map(term)) if "metric" in table else table
    return shown.rename(columns={k: _(v) for k, v in SCORE_COLUMNS.items()})


def show_results(ws: Workspace) -> None:
    model = ws.model
    assert model is not None
    t = tr()
    primary = next(iter(model.test_scores))
    cols = st.columns(4)
    gap = model.test_scores[primary] - model.train_scores[primary]
    cols[0].metric(
        _("Test {metric}", metric=term(primary)),
        t.number(model.test_scores[primary], 3),
        delta=_("{gap} vs train", gap=("+" if gap >= 0 else "-") + t.number(abs(gap), 3)),
        delta_color="off",
        # explicit: Streamlit reads the arrow off the text's first character, and the Chinese
        # text starts with words, so a lower test score showed an upward arrow
        delta_arrow="up" if gap >= 0 else "down",
    )
    second = list(model.test_scores)[1]
    cols[1].metric(_("Test {metric}", metric=term(second)), t.number(model.test_scores[second], 3))
    cols[2].metric(
        _("Rows (train / test)"), f"{t.number(model.n_train)} / {t.number(model.n_test)}"
    )
    cols[3].metric(_("Fit time"), _("{seconds} s", seconds=t.number(model.fit_seconds, 2)))
    for note in model.warnings:
        st.warning(text(note), icon=":material/warning:")
    left, right = st.columns([3, 2])
    with left:
        st.markdown(_("**Scores on the training and the held-out test rows**"))
        st.dataframe(  # number formats, not a Styler: cheaper on every rerun
            score_table(model.train_test_table()),
            hide_index=True,
            column_config={
                _("train"): FOUR_DIGITS,
                _("test"): FOUR_DIGITS,
                _("gap"): st.column_config.NumberColumn(format="%+.4f"),
            },
        )
        st.caption(_("A large gap (train much better than test) means the model over-fits."))
    with right:
        if model.cv is not None:
            folds = int(model.cv["folds"].iloc[0])
            st.markdown(_("**{k}-fold cross-validation**", k=folds))
            st.dataframe(
                score_table(model.cv),
                hide_index=True,
                column_config={_("mean"): FOUR_DIGITS, _("std"): FOUR_DIGITS},
            )
        else:
            st.caption(_("Turn on cross-validation for a steadier estimate (mean ± std)."))
    with st.expander(_("What was done to the columns before training")):
        st.dataframe(model.plan.describe(t), hide_index=True)
    st.page_link("pages/model.py", label=_("See inside this model"), icon=":material/visibility:")


def history_table(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, bytes]:
    """The history as a table and as CSV bytes, both in the reader's language, rebuilt only
    when a run was added or the language changed (rows are only ever appended, so its length
    and last row identify it). Data (the target, a file's name) stays as it is."""
    language = current()
    cached = st.session_state.get(HISTORY_KEY)
    fresh = cached is not None and cached[0] == len(rows) and cached[1] is rows[-1]
    if fresh and cached[2] == language:
        return cached[3], cached[4]
    t = tr()
    shown = [
        {
            t.text(training.history_header(key)): (
                t.text(value) if isinstance(value, Message) or key in TRANSLATED else value
            )
            for key, value in row.items()
        }
        for row in rows[::-1]
    ]
    table = pd.DataFrame(shown)
    data = rows_csv_bytes(shown)
    st.session_state[HISTORY_KEY] = (len(rows), rows[-1], language, table, data)
    return table, data


def history(ws: Workspace) -> None:
    if not ws.history:
        return
    st.subheader(_("Run history"))
    table, data = history_table(ws.history)
    st.dataframe(table, hide_index=True)
    st.download_button(
        _("Download the history as CSV"),
        data,
        "glassbox_runs.csv",
        "text/csv",
        key="history_csv",
    )


def main() -> None:
    ws = workspace()
    shell.page_header(_("Train"), _("Pick an algorithm and tune it; the model retrains as you go."))
    if not shell.require_data(ws):
        return
    assert ws.dataset is not None and ws.profile is not None and ws.task and ws.target
    st.caption(
        _(
            "**{data}** · predicting **{target}** ({task}) from {n} feature(s)",
            data=dataset_name(ws.dataset),
            target=ws.target,
            task=term(ws.task.value),
            n=len(ws.features),
        )
    )
    settings, how = st.columns([3, 2], gap="large")
    with settings:
        spec = pick_algorithm(ws)
        values = param_form(
            spec, ws.task, ws.params.get(spec.key, {}), input_facts(ws), lesson.locked(ws)
        )
        ws.params[spec.key] = values
        split = split_widgets(ws)
        st.button(
            _("Reset to defaults"),
            key="train_reset",
            icon=":material/restart_alt:",
            on_click=reset_settings,
            args=(ws, [spec.key]),
            help=_(
                "{algorithm}'s hyperparameters and the split go back to their defaults.",
                algorithm=term(spec.name),
            ),
        )
    with how, st.container(border=True):
        st.markdown(_("**How {algorithm} works**", algorithm=algorithm_name(spec)))
        st.markdown(text(spec.explanation))
    config = TrainConfig.make(
        spec.key,
        ws.task,
        ws.target,
        ws.features,
        values,
        test_size=split.test_size,
        seed=split.seed,
        cv_folds=split.cv_folds,
    )
    background_fit.show_stop_note()
    config = cost_gate(ws, spec, config)
    if config is None:
        return
    key = training.training_key(ws.dataset.fingerprint, config)
    current = ws.model  # a model restored from a saved project is used, not refitted
    estimate = fit_estimate(ws, spec, config)
    if (
        current is not None
        and training.training_key(current.data_fingerprint, current.config) == key
    ):
        model = current
    elif background_fit.holds(key) or background_fit.runs_in_background(estimate):
        model = background_fit.fit(ws, config, key, estimate)
        if model is None:  # running, stopped or failed: the previous model stays
            if ws.model is not None:
                st.divider()
                show_results(ws)
            return
    else:
        # Streamlit writes the elapsed time in English ("(5.4 seconds)"): shown in English only
        # (an inline fit takes under BACKGROUND_FIT_SECONDS; longer ones have their own line)
        training_text = _("Training {algorithm}…", algorithm=algorithm_name(spec))
        with st.spinner(training_text, show_time=tr().language == "en"):
            model = cache.trained_model(key, ws.dataset, ws.profile, config)
    ws.set_model(model)
    st.divider()
    show_results(ws)
    history(ws)


def fit_estimate(ws: Workspace, spec: ModelSpec, config: TrainConfig) -> float:
    """Seconds :func:`mllib.training.training_seconds` expects for this fit (its sample)."""
    assert ws.dataset is not None and ws.profile is not None
    rows = min(ws.dataset.n_rows, config.sample_rows or ws.dataset.n_rows)
    n_text = training.count_text(ws.profile, config.features)
    return training.training_seconds(spec, rows, len(config.features), config.cv_folds, n_text)


main()
