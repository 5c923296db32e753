"""Predict: one row on a form drawn from the feature schema, or a whole file at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any

import pandas as pd
import streamlit as st

from mllib import data, threshold
from mllib.charts import probability_chart
from mllib.csv_safe import csv_bytes
from mllib.errors import GlassboxError
from mllib.export import ModelBundle
from mllib.predict import (
    Checked,
    ValidationError,
    append_predictions,
    check_records,
    check_table,
    class_score_table,
    target_agreement,
    template_table,
)
from mllib.schema import DATETIME, NUMERIC, Feature, FeatureSchema
from ui import cache, lesson, shell
from ui.state import Workspace, bind_choice, workspace

PREVIEW_ROWS = 200
MISSING = "— missing —"

shell.ensure_app_shell()


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def batch_prediction(
    key: str, _bundle: ModelBundle, _raw: bytes, filename: str
) -> tuple[pd.DataFrame, Checked, str | None]:
    """Read, check and predict an upload once per (model, file content)."""
    dataset = data.read_table(_raw, filename)
    table = dataset.frame
    checked = check_table(table, _bundle.schema)
    prediction = _bundle.predict(checked.frame)
    out = append_predictions(table, prediction, _bundle.target)
    agreement = target_agreement(table, prediction, _bundle.schema)
    if agreement and dataset.fingerprint == _bundle.metadata.data.fingerprint:
        name, value = _bundle.metadata.metrics.primary or ("score", None)
        agreement += (
            " This is the file the model was trained on, so most of these rows are training "
            "rows and this is optimistic"
            + (f"; the honest test {name} is {value:.3f}." if value is not None else ".")
        )
    checked.frame = checked.frame.iloc[:0]  # the cache keeps only what the page shows
    return out, checked, agreement


def available_bundles(ws: Workspace) -> dict[str, ModelBundle]:
    out: dict[str, ModelBundle] = {}
    try:
        bundle = cache.current_bundle(ws)
    except GlassboxError as err:  # e.g. the data changed under the model
        st.warning(str(err), icon=":material/warning:")
    else:
        if bundle is not None:
            out[f"Trained here: {bundle.title}"] = bundle
    if ws.imported is not None:
        out[f"Imported ({ws.imported.source}): {ws.imported.title}"] = ws.imported
    return out


def choose_bundle(ws: Workspace) -> ModelBundle | None:
    if ws.model is None and ws.imported is None and not shell.require_model(ws):
        # require_model trains a quick default model when it can, else says how to get one
        st.page_link("pages/export.py", label="Or import a .skops model", icon=":material/upload:")
        return None
    bundles = available_bundles(ws)
    if not bundles:
        return None
    labels = list(bundles)
    if len(labels) == 1:
        st.session_state.pop("predict_source", None)
        return bundles[labels[0]]
    choice = st.radio("Model to use", labels, key=bind_choice("predict_source", labels, labels[0]))
    return bundles[choice]


def describe(bundle: ModelBundle) -> None:
    primary = bundle.metadata.metrics.primary
    score = f" · test {primary[0]} {primary[1]:.3f}" if primary and primary[1] is not None else ""
    st.caption(
        f"**{bundle.title}** · {len(bundle.schema.features)} feature(s) · trained on "
        f"{bundle.metadata.training_rows:,} rows{score}"
    )
    if bundle.threshold:
        st.caption(
            f"Decision threshold: {threshold.describe(bundle.threshold)} (chosen on See the "
            "model; it travels into the exported model and the service)."
        )


# --- one row ---------------------------------------------------------------------------------


def _step(feature: Feature) -> float:
    span = float(feature.maximum) - float(feature.minimum)  # type: ignore[arg-type]
    if span <= 0 or not math.isfinite(span):
        return 1.0
    return float(10 ** math.floor(math.log10(span / 100)))


def feature_widget(feature: Feature, key: str) -> Any:
    """One input drawn from the schema: number, choice, switch or date; returns a JSON value."""
    hint = feature.range_text()
    missing = f" · missing in {feature.missing:.0%} of training rows" if feature.missing else ""
    if feature.role == NUMERIC:
        if feature.integer:
            value: Any = st.number_input(
                feature.name,
                value=int(feature.example()),
                step=1,
                key=key,
                help=f"Whole number{missing}",
            )
        elif feature.minimum is not None:
            step = _step(feature)
            decimals = min(6, max(2, -math.floor(math.log10(step))))
            value = st.number_input(
                feature.name,
                value=float(feature.example()),
                step=step,
                format=f"%.{decimals}f",
                key=key,
                help=f"Number{missing}",
            )
        else:
            value = st.number_input(feature.name, value=0.0, key=key)
        if hint:
            st.caption(f"training range {hint}")
        return value
    if feature.role == DATETIME:
        default = dt.date.fromisoformat(feature.example()[:10])
        chosen = st.date_input(
            feature.name,
            value=default,
            min_value=dt.date(1900, 1, 1),
            max_value=dt.date(2100, 12, 31),
            key=key,
            help=f"Date{missing}",
        )
        if hint:
            st.caption(f"training range {hint}")
        return chosen.isoformat() if isinstance(chosen, dt.date) else None
    if feature.json_boolean:
        return st.toggle(feature.name, value=bool(feature.example()), key=key, help=missing or None)
    options = [*feature.categories, MISSING]
    index = options.index(feature.mode) if feature.mode in options else 0
    choice = st.selectbox(feature.name, options, index=index, key=key, help=f"Category{missing}")
    st.caption(f"{len(feature.categories)} categories seen in training")
    return None if choice == MISSING else choice


def form_prefix(schema: FeatureSchema) -> str:
    """Widget keys change when the schema does, so another model starts from fresh values."""
    text = repr(schema.to_dict())
    return "row_" + hashlib.sha256(text.encode()).hexdigest()[:8]


def one_row(bundle: ModelBundle) -> None:
    schema = bundle.schema
    prefix = form_prefix(schema)
    st.markdown(
        "Change any value: the prediction follows. Start values are the training medians and the "
        "most frequent categories."
    )
    if st.button("Reset to typical values", key="predict_reset", icon=":material/restart_alt:"):
        for key in [k for k in st.session_state if str(k).startswith(prefix)]:
            del st.session_state[key]
        st.rerun()
    values: dict[str, Any] = {}
    with st.container(border=True):
        cols = st.columns(3)
        for i, feature in enumerate(schema.features):
            with cols[i % 3]:
                values[feature.name] = feature_widget(feature, f"{prefix}_{feature.name}")
    try:
        checked = check_records([values], schema)
    except ValidationError as err:
        st.error(f"These values cannot be predicted: {err}", icon=":material/error:")
        return
    prediction = bundle.predict(checked.frame)
    for note in checked.warnings:
        st.warning(note, icon=":material/warning:")
    left, right = st.columns([1, 2], gap="large")
    value = prediction.values[0]
    with left:
        if schema.is_classifier:
            st.metric(f"Predicted {schema.target}", str(value))
            if prediction.scores is not None and prediction.score_kind == "probability":
                top = float(prediction.scores.iloc[0].max())
                st.caption(f"The model gives this class a probability of {top:.0%}.")
        else:
            st.metric(f"Predicted {schema.target}", f"{float(value):,.4g}")
            if schema.target_range:
                low, high = schema.target_range
                st.caption(f"Training targets ranged {low:,.4g} – {high:,.4g}.")
    with right:
        if prediction.scores is not None:
            kind = prediction.score_kind or "probability"
            st.altair_chart(probability_chart(class_score_table(prediction), kind), width="stretch")
            if kind != "probability":
                st.caption(
                    "SVMs give signed distances to the boundary, not probabilities: the "
                    "largest score wins."
                )


# --- a whole file ---------------------------------------------------------------------------


def show_problems(err: ValidationError) -> None:
    lines = "\n".join(f"- {p.text()}" for p in err.problems)
    st.error(f"This file cannot be predicted yet:\n\n{lines}", icon=":material/error:")


def whole_file(bundle: ModelBundle) -> None:
    schema = bundle.schema
    st.markdown(
        f"Upload a table with the {len(schema.features)} feature column(s): "
        + ", ".join(f"`{n}`" for n in schema.names)
        + ". Other columns are kept and ignored; the predictions are shown first below and "
        "added as the last columns of the downloaded file."
    )
    st.download_button(
        "Download a template CSV",
        csv_bytes(template_table(schema)),
        "glassbox-template.csv",
        "text/csv",
        key="predict_template",
        icon=":material/description:",
    )
    upload = st.file_uploader(
        "CSV, TSV, Excel .xlsx or Parquet with the feature columns",
        type=data.SUPPORTED_TYPES,
        key="predict_upload",
    )
    if upload is None:
        return
    raw = upload.getvalue()
    key = f"{bundle.key}:{hashlib.sha256(raw).hexdigest()}:{upload.name}"
    try:
        with st.spinner(f"Predicting {upload.name}…"):
            out, checked, agreement = batch_prediction(key, bundle, raw, upload.name)
    except ValidationError as err:
        show_problems(err)
        return
    except GlassboxError as err:
        st.error(str(err), icon=":material/error:")
        return
    st.success(f"Predicted {len(out):,} row(s) of {upload.name}.", icon=":material/check_circle:")
    for note in checked.warnings:
        st.warning(note, icon=":material/warning:")
    if checked.ignored:
        st.caption(
            "Kept but not used by the model: " + ", ".join(f"`{c}`" for c in checked.ignored) + "."
        )
    for note in checked.notes:
        st.caption(note)
    if agreement:
        st.info(agreement, icon=":material/fact_check:")
    prediction_col = next(c for c in out.columns if str(c).startswith(f"predicted_{schema.target}"))
    if schema.is_classifier:
        counts = out[prediction_col].value_counts().rename_axis("predicted class").reset_index()
        st.markdown("**Predicted classes**")
        st.dataframe(counts.rename(columns={"count": "rows"}), hide_index=True, width="content")
    first = list(out.columns).index(prediction_col)
    ordered = [*out.columns[first:], *out.columns[:first]]  # predictions first on screen
    st.dataframe(out.head(PREVIEW_ROWS)[ordered], hide_index=True, height=320)
    if len(out) > PREVIEW_ROWS:
        st.caption(
            f"The first {PREVIEW_ROWS} of {len(out):,} rows, predictions first; the download "
            "has every row, with the predictions added at the right."
        )
    stem = upload.name.rsplit(".", 1)[0]
    st.download_button(
        f"Download all {len(out):,} rows with predictions (CSV)",
        csv_bytes(out),
        f"{stem}-predictions.csv",
        "text/csv",
        key="predict_download",
        type="primary",
        icon=":material/download:",
    )


def main() -> None:
    ws = workspace()
    shell.page_header(
        "Predict",
        "Ask the model about new rows: fill in one on the form, or upload a whole file.",
    )
    bundle = choose_bundle(ws)
    if bundle is None:
        return
    describe(bundle)
    if lesson.lesson_mode(ws):  # no uploads in lesson mode
        one_row(bundle)
        return
    row_tab, file_tab = st.tabs(["One row", "A whole file"])
    with row_tab:
        one_row(bundle)
    with file_tab:
        whole_file(bundle)


main()
