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
from mllib.schema import DATETIME, NUMERIC, Feature, FeatureSchema, data_number
from ui import cache, i18n, lesson, shell
from ui.i18n import _
from ui.state import Workspace, bind_choice, workspace

PREVIEW_ROWS = 200
MISSING = "— missing —"  # the "missing" choice of a category (its label is translated)

shell.ensure_app_shell()


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def batch_prediction(
    key: str, _bundle: ModelBundle, _raw: bytes, filename: str
) -> tuple[pd.DataFrame, Checked, str | None, bool]:
    """Read, check and predict an upload once per (model, file content). The last value says
    whether this is the file the model was trained on (the page says why that is optimistic)."""
    dataset = data.read_table(_raw, filename)
    table = dataset.frame
    checked = check_table(table, _bundle.schema)
    prediction = _bundle.predict(checked.frame)
    out = append_predictions(table, prediction, _bundle.target)
    agreement = target_agreement(table, prediction, _bundle.schema)
    trained_on = dataset.fingerprint == _bundle.metadata.data.fingerprint
    checked.frame = checked.frame.iloc[:0]  # the cache keeps only what the page shows
    return out, checked, agreement, trained_on


def optimistic_note(bundle: ModelBundle) -> str:
    """Why agreement on the training file says little, with the honest test score."""
    name, value = bundle.metadata.metrics.primary or ("score", None)
    if value is None:
        return _(
            "This is the file the model was trained on, so most of these rows are training "
            "rows and this is optimistic."
        )
    return _(
        "This is the file the model was trained on, so most of these rows are training "
        "rows and this is optimistic; the honest test {metric} is {value}.",
        metric=i18n.term(name),
        value=i18n.tr().number(value, 3),
    )


def available_bundles(ws: Workspace) -> dict[str, tuple[str, ModelBundle]]:
    """The models to predict with: ``"trained"`` and/or ``"imported"`` → (label, bundle).

    The keys, not the labels, are the radio's options, so switching the language (which
    changes the labels) keeps the chosen model.
    """
    out: dict[str, tuple[str, ModelBundle]] = {}
    try:
        bundle = cache.current_bundle(ws)
    except GlassboxError as err:  # e.g. the data changed under the model
        st.warning(i18n.error_text(err), icon=":material/warning:")
    else:
        if bundle is not None:
            title = i18n.bundle_title(bundle)
            out["trained"] = (_("Trained here: {title}", title=title), bundle)
    if ws.imported is not None:
        label = _(
            "Imported ({source}): {title}",
            source=ws.imported.source,
            title=i18n.bundle_title(ws.imported),
        )
        out["imported"] = (label, ws.imported)
    return out


def choose_bundle(ws: Workspace) -> ModelBundle | None:
    if ws.model is None and ws.imported is None and not shell.require_model(ws):
        # require_model trains a quick default model when it can, else says how to get one
        st.page_link(
            "pages/export.py", label=_("Or import a .skops model"), icon=":material/upload:"
        )
        return None
    bundles = available_bundles(ws)
    if not bundles:
        return None
    sources = list(bundles)
    if len(sources) == 1:
        st.session_state.pop("predict_source", None)
        return bundles[sources[0]][1]
    choice = st.radio(
        _("Model to use"),
        sources,
        format_func=lambda source: bundles[source][0],
        key=bind_choice("predict_source", sources, sources[0]),
    )
    return bundles[choice][1]


def describe(bundle: ModelBundle) -> None:
    tr = i18n.tr()
    primary = bundle.metadata.metrics.primary
    score = (
        tr(" · test {metric} {value}", metric=i18n.term(primary[0]), value=tr.number(primary[1], 3))
        if primary and primary[1] is not None
        else ""
    )
    rows = bundle.metadata.training_rows
    st.caption(
        tr(
            "**{title}** · {n} feature(s) · trained on {rows} rows",
            title=i18n.bundle_title(bundle),
            n=len(bundle.schema.features),
            rows=tr.number(rows) if isinstance(rows, int | float) else "?",
        )
        + score
    )
    if bundle.threshold:
        st.caption(
            tr(
                "Decision threshold: {threshold} (chosen on See the model; it travels into the "
                "exported model and the service).",
                threshold=threshold.describe(bundle.threshold),
            )
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
    tr = i18n.tr()
    missing = (
        tr(" · missing in {share} of training rows", share=tr.percent(feature.missing))
        if feature.missing
        else ""
    )
    if feature.role == NUMERIC:
        if feature.integer:
            value: Any = st.number_input(
                feature.name,
                value=int(feature.example()),
                step=1,
                key=key,
                help=tr("Whole number") + missing,
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
                help=tr("Number") + missing,
            )
        else:
            value = st.number_input(feature.name, value=0.0, key=key)
        if hint:
            st.caption(tr("training range {range}", range=hint))
        return value
    if feature.role == DATETIME:
        default = dt.date.fromisoformat(feature.example()[:10])
        chosen = st.date_input(
            feature.name,
            value=default,
            min_value=dt.date(1900, 1, 1),
            max_value=dt.date(2100, 12, 31),
            key=key,
            help=tr("Date") + missing,
        )
        if hint:
            st.caption(tr("training range {range}", range=hint))
        return chosen.isoformat() if isinstance(chosen, dt.date) else None
    if feature.json_boolean:
        help_text = missing.removeprefix(" · ") or None
        return st.toggle(feature.name, value=bool(feature.example()), key=key, help=help_text)
    options = [*feature.categories, MISSING]
    index = options.index(feature.mode) if feature.mode in options else 0
    choice = st.selectbox(
        feature.name,
        options,
        index=index,
        key=key,
        help=tr("Category") + missing,
        format_func=lambda v: tr("— missing —") if v == MISSING else v,
    )
    st.caption(tr("{n} categories seen in training", n=len(feature.categories)))
    return None if choice == MISSING else choice


def form_prefix(schema: FeatureSchema) -> str:
    """Widget keys change when the schema does, so another model starts from fresh values."""
    text = repr(schema.to_dict())
    return "row_" + hashlib.sha256(text.encode()).hexdigest()[:8]


def one_row(bundle: ModelBundle) -> None:
    schema = bundle.schema
    prefix = form_prefix(schema)
    st.markdown(
        _(
            "Change any value: the prediction follows. Start values are the training medians "
            "and the most frequent categories."
        )
    )
    if st.button(_("Reset to typical values"), key="predict_reset", icon=":material/restart_alt:"):
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
        st.error(
            _("These values cannot be predicted: {problems}", problems=i18n.error_text(err)),
            icon=":material/error:",
        )
        return
    prediction = bundle.predict(checked.frame)
    for note in checked.warnings:
        st.warning(i18n.text(note), icon=":material/warning:")
    left, right = st.columns([1, 2], gap="large")
    value = prediction.values[0]
    tr = i18n.tr()
    with left:
        if schema.is_classifier:
            st.metric(tr("Predicted {target}", target=schema.target), str(value))
            if prediction.scores is not None and prediction.score_kind == "probability":
                top = float(prediction.scores.iloc[0].max())
                st.caption(
                    tr(
                        "The model gives this class a probability of {share}.",
                        share=tr.percent(top),
                    )
                )
        else:
            st.metric(tr("Predicted {target}", target=schema.target), data_number(float(value)))
            if schema.target_range:
                low, high = schema.target_range
                st.caption(
                    tr(
                        "Training targets ranged {low} – {high}.",
                        low=data_number(low),
                        high=data_number(high),
                    )
                )
    with right:
        if prediction.scores is not None:
            kind = prediction.score_kind or "probability"
            chart = probability_chart(class_score_table(prediction), kind, tr)
            st.altair_chart(chart, width="stretch")
            if kind != "probability":
                st.caption(
                    tr(
                        "SVMs give signed distances to the boundary, not probabilities: the "
                        "largest score wins."
                    )
                )


# --- a whole file ---------------------------------------------------------------------------


def show_problems(err: ValidationError) -> None:
    lines = "\n".join(f"- {p.text(i18n.tr())}" for p in err.problems)
    st.error(_("This file cannot be predicted yet:") + f"\n\n{lines}", icon=":material/error:")


def whole_file(bundle: ModelBundle) -> None:
    schema = bundle.schema
    st.markdown(
        _(
            "Upload a table with the {n} feature column(s): {names}. Other columns are kept and "
            "ignored; the predictions are shown first below and added as the last columns of "
            "the downloaded file.",
            n=len(schema.features),
            names=", ".join(f"`{n}`" for n in schema.names),
        )
    )
    st.download_button(
        _("Download a template CSV"),
        csv_bytes(template_table(schema)),
        "glassbox-template.csv",
        "text/csv",
        key="predict_template",
        icon=":material/description:",
    )
    upload = st.file_uploader(
        _("CSV, TSV, Excel .xlsx or Parquet with the feature columns"),
        type=data.SUPPORTED_TYPES,
        key="predict_upload",
    )
    if upload is None:
        return
    raw = upload.getvalue()
    key = f"{bundle.key}:{hashlib.sha256(raw).hexdigest()}:{upload.name}"
    try:
        with st.spinner(_("Predicting {name}…", name=upload.name)):
            out, checked, agreement, trained_on = batch_prediction(key, bundle, raw, upload.name)
    except ValidationError as err:
        show_problems(err)
        return
    except GlassboxError as err:
        st.error(i18n.error_text(err), icon=":material/error:")
        return
    tr = i18n.tr()
    st.success(
        tr("Predicted {rows} row(s) of {name}.", rows=tr.number(len(out)), name=upload.name),
        icon=":material/check_circle:",
    )
    for note in checked.warnings:
        st.warning(i18n.text(note), icon=":material/warning:")
    if checked.ignored:
        st.caption(
            tr(
                "Kept but not used by the model: {names}.",
                names=", ".join(f"`{c}`" for c in checked.ignored),
            )
        )
    for note in checked.notes:
        st.caption(i18n.text(note))
    if agreement:
        note = f"{agreement} {optimistic_note(bundle)}" if trained_on else agreement
        st.info(note, icon=":material/fact_check:")
    prediction_col = next(c for c in out.columns if str(c).startswith(f"predicted_{schema.target}"))
    if schema.is_classifier:
        counts = out[prediction_col].value_counts().rename_axis(tr("predicted class"))
        st.markdown(tr("**Predicted classes**"))
        table = counts.reset_index().rename(columns={"count": tr("rows")})
        st.dataframe(table, hide_index=True, width="content")
    first = list(out.columns).index(prediction_col)
    ordered = [*out.columns[first:], *out.columns[:first]]  # predictions first on screen
    st.dataframe(out.head(PREVIEW_ROWS)[ordered], hide_index=True, height=320)
    if len(out) > PREVIEW_ROWS:
        st.caption(
            tr(
                "The first {shown} of {rows} rows, predictions first; the download has every "
                "row, with the predictions added at the right.",
                shown=PREVIEW_ROWS,
                rows=tr.number(len(out)),
            )
        )
    stem = upload.name.rsplit(".", 1)[0]
    st.download_button(
        tr("Download all {rows} rows with predictions (CSV)", rows=tr.number(len(out))),
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
        _("Predict"),
        _("Ask the model about new rows: fill in one on the form, or upload a whole file."),
    )
    bundle = choose_bundle(ws)
    if bundle is None:
        return
    describe(bundle)
    if lesson.lesson_mode(ws):  # no uploads in lesson mode
        one_row(bundle)
        return
    row_tab, file_tab = st.tabs([_("One row"), _("A whole file")])
    with row_tab:
        one_row(bundle)
    with file_tab:
        whole_file(bundle)


main()
