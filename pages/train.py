"""Train: pick an algorithm, move its sliders, read honest train/test/CV scores."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from mllib import catalogue, training
from mllib.catalogue import ModelSpec
from mllib.csv_safe import rows_csv_bytes
from mllib.profile import Task
from mllib.training import TrainConfig
from ui import background_fit, cache, lesson, shell
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
HISTORY_KEY = "_train_history_table"  # (rows, last row, table, CSV bytes) of the last draw
TEST_PCT, SEED, CV_FOLDS = SPLIT_WIDGETS


shell.ensure_app_shell()


def pick_algorithm(ws: Workspace) -> ModelSpec:
    assert ws.task is not None
    specs = catalogue.specs_for(ws.task)
    keys = [s.key for s in specs]
    current = ws.algorithm if ws.algorithm in keys else keys[0]
    key = st.selectbox(
        "Algorithm",
        keys,
        key=bind(keep_valid(ALGORITHM_WIDGET, keys), current),
        format_func=lambda k: catalogue.get_spec(k).name,
        disabled="algorithm" in lesson.locked(ws),
    )
    ws.algorithm = key
    spec = catalogue.get_spec(key)
    st.caption(spec.summary)
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
    c1, c2, c3 = st.columns(3)
    test_pct = keep_valid(TEST_PCT, range(lo_pct, hi_pct + 1), fallback=default)
    pct = c1.slider(
        "Test share (%)",
        lo_pct,
        max(hi_pct, lo_pct + 1),
        key=bind(test_pct, ws.test_pct_in_effect()),
        help="Rows held out to score the model honestly"
        + (
            "; stratified so every class appears in both parts."
            if ws.task == Task.CLASSIFICATION
            else "."
        ),
    )
    seed = c2.number_input(
        "Random seed",
        0,
        10_000,
        key=bind(SEED, ws.seed),
        step=1,
        help="Same seed, same split and same model.",
    )
    folds = c3.selectbox(
        "Cross-validation",
        CV_CHOICES,
        key=bind(CV_FOLDS, ws.cv_folds),
        format_func=lambda k: "off" if k == 0 else f"{k}-fold",
    )
    ws.test_pct, ws.seed, ws.cv_folds = int(pct), int(seed), int(folds)
    return Split(pct / 100, int(seed), int(folds))


def cost_gate(ws: Workspace, spec: ModelSpec, config: TrainConfig) -> TrainConfig | None:
    """Ask before a slow fit and offer a faster path; ``None`` means "wait for the user"."""
    assert ws.frame is not None and ws.profile is not None and ws.dataset is not None
    n_rows, n_features = len(ws.frame), len(config.features)
    n_text = training.count_text(ws.profile, config.features)
    estimate = training.training_seconds(spec, n_rows, n_features, config.cv_folds, n_text)
    if not training.is_measured(spec) and estimate >= CALIBRATE_FROM * training.SLOW_FIT_SECONDS:
        # Nothing timed yet for this algorithm: a small fit tells this machine's speed.
        with st.spinner(f"Timing {spec.name.lower()} on a small sample…"):
            training.calibrate(ws.frame, ws.profile, config)
        estimate = training.training_seconds(spec, n_rows, n_features, config.cv_folds, n_text)
    if estimate < training.SLOW_FIT_SECONDS:
        return config
    sample = training.affordable_rows(spec, n_features, config.cv_folds, n_text)
    # The choice holds for this algorithm until the data, target or features change: moving a
    # slider afterwards retrains at once (on the sample, with the new value), without asking.
    key = training.gate_key(ws.dataset.fingerprint, config)
    choice = ws.confirmed.get(key)
    if choice == "full" or (choice == "sample" and sample >= n_rows):
        return config
    if choice == "sample":
        st.button(  # the choice holds, but can be changed
            f"Train on all {n_rows:,} rows instead (about {estimate:,.0f} s)",
            key="go_full",
            on_click=ws.confirmed.__setitem__,
            args=(key, "full"),
        )
        return replace(config, sample_rows=sample)
    st.warning(
        f"**{spec.name}** on {n_rows:,} rows may take about {estimate:,.0f} s"
        + (" (timed on this machine" if training.is_measured(spec) else " (a rough estimate")
        + (f"; {spec.slow_note})." if spec.slow_note else ").")
        + " Choose how to go on:",
        icon=":material/hourglass:",
    )
    c1, c2, c3 = st.columns(3)
    c1.button(
        f"Train on a {sample:,}-row random sample",
        key="go_sample",
        type="primary",
        on_click=ws.confirmed.__setitem__,
        args=(key, "sample"),
    )
    if spec.faster is not None:
        # A callback: the algorithm widget is already drawn in this run, so its state can only
        # change before the next run draws it.
        faster, label = spec.faster
        c2.button(label, key="go_linear", on_click=use_algorithm, args=(ws, faster))
    c3.button(
        f"Train on all {n_rows:,} rows anyway",
        key="go_full",
        on_click=ws.confirmed.__setitem__,
        args=(key, "full"),
    )
    return None


def use_algorithm(ws: Workspace, algorithm: str) -> None:
    choose_algorithm(ws, algorithm)


def show_results(ws: Workspace) -> None:
    model = ws.model
    assert model is not None
    primary = next(iter(model.test_scores))
    cols = st.columns(4)
    cols[0].metric(
        f"Test {primary}",
        f"{model.test_scores[primary]:.3f}",
        delta=f"{model.test_scores[primary] - model.train_scores[primary]:+.3f} vs train",
        delta_color="off",
    )
    second = list(model.test_scores)[1]
    cols[1].metric(f"Test {second}", f"{model.test_scores[second]:.3f}")
    cols[2].metric("Rows (train / test)", f"{model.n_train:,} / {model.n_test:,}")
    cols[3].metric("Fit time", f"{model.fit_seconds:.2f} s")
    for note in model.warnings:
        st.warning(note, icon=":material/warning:")
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Scores on the training and the held-out test rows**")
        st.dataframe(  # number formats, not a Styler: cheaper on every rerun
            model.train_test_table(),
            hide_index=True,
            column_config={
                "train": FOUR_DIGITS,
                "test": FOUR_DIGITS,
                "gap": st.column_config.NumberColumn(format="%+.4f"),
            },
        )
        st.caption("A large gap (train much better than test) means the model over-fits.")
    with right:
        if model.cv is not None:
            st.markdown(f"**{int(model.cv['folds'].iloc[0])}-fold cross-validation**")
            st.dataframe(
                model.cv, hide_index=True, column_config={"mean": FOUR_DIGITS, "std": FOUR_DIGITS}
            )
        else:
            st.caption("Turn on cross-validation for a steadier estimate (mean ± std).")
    with st.expander("What was done to the columns before training"):
        st.dataframe(model.plan.describe(), hide_index=True)
    st.page_link("pages/model.py", label="See inside this model", icon=":material/visibility:")


def history_table(rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, bytes]:
    """The history as a table and as CSV bytes, rebuilt only when a run was added (rows are
    only ever appended, so its length and last row identify it)."""
    cached = st.session_state.get(HISTORY_KEY)
    if cached is not None and cached[0] == len(rows) and cached[1] is rows[-1]:
        return cached[2], cached[3]
    table = pd.DataFrame(rows[::-1])
    data = rows_csv_bytes(rows[::-1])
    st.session_state[HISTORY_KEY] = (len(rows), rows[-1], table, data)
    return table, data


def history(ws: Workspace) -> None:
    if not ws.history:
        return
    st.subheader("Run history")
    table, data = history_table(ws.history)
    st.dataframe(table, hide_index=True)
    st.download_button(
        "Download the history as CSV",
        data,
        "glassbox_runs.csv",
        "text/csv",
        key="history_csv",
    )


def main() -> None:
    ws = workspace()
    shell.page_header("Train", "Pick an algorithm and tune it; the model retrains as you go.")
    if not shell.require_data(ws):
        return
    assert ws.dataset is not None and ws.profile is not None and ws.task and ws.target
    st.caption(
        f"**{ws.dataset.name}** · predicting **{ws.target}** ({ws.task.value}) from "
        f"{len(ws.features)} feature(s)"
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
            "Reset to defaults",
            key="train_reset",
            icon=":material/restart_alt:",
            on_click=reset_settings,
            args=(ws, [spec.key]),
            help=f"{spec.name}'s hyperparameters and the split go back to their defaults.",
        )
    with how, st.container(border=True):
        st.markdown(f"**How {spec.name.lower()} works**")
        st.markdown(spec.explanation)
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
    if (
        current is not None
        and training.training_key(current.data_fingerprint, current.config) == key
    ):
        model = current
    elif background_fit.runs_in_background(estimate := fit_estimate(ws, spec, config)):
        model = background_fit.fit(ws, config, key, estimate)
        if model is None:  # running, stopped or failed: the previous model stays
            if ws.model is not None:
                st.divider()
                show_results(ws)
            return
    else:
        with st.spinner(f"Training {spec.name.lower()}…", show_time=True):
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
