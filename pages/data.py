"""Data: load a sample or a file, look at it, choose target, features and task."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mllib import data, profile, samples, training
from mllib.data import DELIMITERS, ENCODINGS, LoadOptions
from mllib.errors import GlassboxError
from mllib.i18n import N_
from mllib.profile import Task
from ui import cache, i18n, lesson, shell
from ui.i18n import _
from ui.state import Workspace, bind, load_dataset, workspace

PREVIEW_ROWS = 200
MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")
SAMPLE, UPLOAD = N_("Sample dataset"), N_("Upload a file")  # the source choices (state values)


shell.ensure_app_shell()


def loaded_sample(ws: Workspace) -> str | None:
    """The key of the sample that is loaded now, or ``None`` when the data is not a sample."""
    if ws.dataset is None or ws.dataset.source != "sample":
        return None
    return next((s.key for s in samples.SAMPLES.values() if ws.dataset.name == s.title), None)


def source_picker(ws: Workspace) -> None:
    """Sample or upload. Only a choice the user makes here changes the data: widgets re-seed
    from what is loaded, so coming back to this page never reloads anything."""
    current = loaded_sample(ws)
    uploaded = ws.dataset is not None and current is None
    tr = i18n.tr()  # format_func runs outside the session too (AppTest): use this translator
    mode = st.segmented_control(
        _("Source"),
        [SAMPLE, UPLOAD],
        key=bind("data_source", UPLOAD if uploaded else SAMPLE),
        required=True,
        format_func=tr,
    )
    if mode == UPLOAD:
        upload_picker(ws)
        return
    key = st.selectbox(
        _("Sample dataset"),
        list(samples.SAMPLES),
        key=bind("sample", current),
        index=None,
        placeholder=_("Choose a sample to replace the loaded data"),
        format_func=lambda k: tr(samples.SAMPLES[k].title),
    )
    if key is None:
        return
    st.caption(i18n.term(samples.SAMPLES[key].blurb))
    if key != current:
        dataset, prof = cache.sample_dataset(key)
        load_dataset(ws, dataset, prof, samples.SAMPLES[key].target)


def upload_picker(ws: Workspace) -> None:
    upload = st.file_uploader(
        _(
            "CSV, TSV, TXT (optionally .gz), Excel .xlsx or Parquet — up to {size} MB",
            size=MAX_UPLOAD_MB,
        ),
        type=data.SUPPORTED_TYPES,
        key="upload",
    )
    tr = i18n.tr()
    with st.expander(_("Reading options"), expanded=False):
        c1, c2, c3 = st.columns(3)
        delimiter = c1.selectbox(
            _("Delimiter"),
            [None, *DELIMITERS],
            key=bind("opt_delimiter", None),
            format_func=lambda d: tr("detect") if d is None else tr(DELIMITERS[d]),
        )
        encoding = c2.selectbox(
            _("Encoding"),
            [None, *ENCODINGS],
            key=bind("opt_encoding", None),
            format_func=lambda e: tr("detect") if e is None else e,
        )
        decimal = c3.selectbox(
            _("Decimal mark"),
            [None, ".", ","],
            key=bind("opt_decimal", None),
            format_func=lambda d: tr("detect") if d is None else f"“{d}”",
        )
        skip_bad = st.checkbox(
            _("Skip malformed lines"),
            key=bind("opt_skip", False),
            help=_("Lines with the wrong number of fields are left out."),
        )
    if upload is None:
        return
    if ws.dataset is None or ws.dataset.name != upload.name:
        st.session_state.pop("opt_sheet", None)  # a new workbook starts on its first sheet
    options = LoadOptions(delimiter, encoding, st.session_state.get("opt_sheet"), decimal, skip_bad)
    raw = upload.getvalue()
    digest = cache.upload_digest(upload.file_id, raw, options) + upload.name
    if digest != ws.upload_digest:
        ws.upload_digest = digest
        read_upload(ws, upload.name, raw, digest, options)
    elif ws.upload_error:
        show_load_error(ws, ws.upload_error)
    if ws.dataset is not None and ws.dataset.name == upload.name and len(ws.dataset.sheets) > 1:
        st.selectbox(
            _("Sheet"),
            ws.dataset.sheets,
            key=bind("opt_sheet", ws.dataset.sheet),
            help=_("This workbook has several sheets; choose the one with your table."),
        )


def read_upload(ws: Workspace, name: str, raw: bytes, digest: str, options: LoadOptions) -> None:
    try:
        with st.spinner(_("Reading {name}…", name=name)):
            dataset, prof = cache.uploaded_dataset(digest, raw, name, options)
        training.check_dataset(dataset.frame, name)
    except GlassboxError as err:
        ws.upload_error = i18n.error_text(err)
        show_load_error(ws, ws.upload_error)
        return
    ws.upload_error = None
    load_dataset(ws, dataset, prof)
    tr = i18n.tr()
    st.toast(
        tr(
            "Loaded {name}: {rows} rows × {cols} columns",
            name=name,
            rows=tr.number(dataset.n_rows),
            cols=tr.number(dataset.n_cols),
        )
    )


def show_load_error(ws: Workspace, message: str) -> None:
    st.error(message, icon=":material/error:")
    if ws.dataset is not None:
        st.caption(
            _(
                "Still loaded: **{name}** ({rows} rows).",
                name=i18n.dataset_name(ws.dataset),
                rows=i18n.tr().number(ws.dataset.n_rows),
            )
        )


def overview(ws: Workspace) -> None:
    ds, prof = ws.dataset, ws.profile
    assert ds is not None and prof is not None
    tr = i18n.tr()
    st.subheader(i18n.dataset_name(ds))
    st.caption(
        tr(
            "{rows} rows × {cols} columns · read as {reading}",
            rows=tr.number(ds.n_rows),
            cols=tr.number(ds.n_cols),
            reading=ds.describe_reading(tr),
        )
    )
    if ds.notes:
        with st.expander(tr("Data-quality notes ({n})", n=len(ds.notes)), expanded=True):
            st.markdown("\n".join(f"- {tr.text(note)}" for note in ds.notes))
    preview, columns = st.tabs([tr("Preview"), tr("Column profile")])
    with preview:
        head = ds.frame.head(PREVIEW_ROWS)
        numbers = [
            c
            for c in head.columns
            if pd.api.types.is_numeric_dtype(head[c]) and head[c].isna().any()
        ]
        st.dataframe(
            preview_table(head),
            height=300,
            column_config={  # numbers stay right-aligned after their gaps became ""
                c: st.column_config.TextColumn(alignment="right") for c in numbers
            },
        )
        if ds.n_rows > PREVIEW_ROWS:
            st.caption(
                tr(
                    "The first {shown} of {rows} rows.",
                    shown=PREVIEW_ROWS,
                    rows=tr.number(ds.n_rows),
                )
            )
    with columns:
        table = prof.to_frame()
        table.insert(3, "distribution", cache.distributions(ds.fingerprint, ds, prof))
        table["role"] = [tr(role) for role in table["role"]]
        # From the profile itself: a DataFrame's str column keeps the English text of a
        # Message but not its msgid, so a note with numbers in it could not be translated.
        table.pop("note")
        notes = pd.Series([tr.text(c.reason) for c in prof.columns], index=table.index)
        if notes.astype(bool).any():  # last, and only when there is something to say
            table["note"] = notes
        st.dataframe(
            table,
            hide_index=True,
            height=min(35 * (len(table) + 1) + 3, 600),
            column_config={
                "column": st.column_config.TextColumn(tr("column"), width="medium"),
                "distribution": st.column_config.BarChartColumn(
                    tr("distribution"),
                    help=tr("Histogram (numbers) or top categories (text)"),
                    y_min=0,
                ),
                "note": st.column_config.TextColumn(tr("note"), width="large"),
                **{
                    name: st.column_config.Column(tr(name))
                    for name in table.columns
                    if name not in ("column", "distribution", "note")
                },
            },
        )
        if prof.sampled_rows:
            st.caption(
                tr(
                    "Profiled on a random sample of {rows} rows.",
                    rows=tr.number(prof.sampled_rows),
                )
            )


def preview_table(head: pd.DataFrame) -> pd.DataFrame:
    """The preview with missing values as empty cells: Streamlit writes "None" in them (even
    through a Styler), which reads like a value. Only columns with gaps become text."""
    out = head.copy()
    for column in out.columns[out.isna().any().to_numpy()]:
        values = out[column]
        out[column] = (
            values.astype(object)
            .where(values.notna(), "")
            .map(lambda v: f"{v:.6g}" if isinstance(v, float) else str(v))
        )
    return out


def selection(ws: Workspace) -> None:
    assert ws.dataset is not None and ws.profile is not None
    tr = i18n.tr()
    st.subheader(tr("What to predict"))
    names = ws.profile.names
    c1, c2 = st.columns([2, 3])
    with c1:
        target = st.selectbox(
            tr("Target column"),
            names,
            key=bind("target", ws.target),
            help=tr("The column the model learns to predict."),
        )
        guess, why = profile.target_guess(ws.profile)
        if target == guess and ws.dataset.source != "sample":
            st.caption(
                tr(
                    "Chosen by default: {why}. Pick another column if you want.",
                    why=tr.text(why),
                )
            )
        if target != ws.target:
            ws.set_target(target)
            st.session_state.pop("features", None)
            st.session_state.pop("task", None)
        detected = cache.task_guess(ws.dataset.fingerprint, target, ws.dataset).task
        task = st.radio(
            tr("Task"),
            list(Task),
            key=bind("task", ws.task),
            horizontal=True,
            format_func=lambda t: (
                tr("{task} (detected)", task=tr(t.value)) if t == detected else tr(t.value)
            ),
        )
        if task != ws.task:
            ws.task, ws.model = task, None
        st.caption(
            tr(
                "Detected {task}: {reason}.",
                task=i18n.term(detected.value),
                reason=tr.text(ws.task_reason),
            )
        )
    with c2:
        options = [n for n in names if n != target]
        features = st.multiselect(
            tr("Features"),
            options,
            key=bind("features", ws.features),
            help=tr("The columns the model may use."),
        )
        if features != ws.features:
            ws.features, ws.model = list(features), None
        if ws.excluded:
            st.caption(
                tr(
                    "Left out by default: {columns}",
                    columns=tr("; ").join(
                        f"**{name}** ({tr.text(why)})" for name, why in ws.excluded.items()
                    ),
                )
            )
    if not features:
        st.warning(
            tr("Select at least one feature: a model needs something to learn from."),
            icon=":material/warning:",
        )
    target_problems(ws)


def target_problems(ws: Workspace) -> None:
    assert ws.dataset is not None and ws.target and ws.task
    check = cache.target_check(ws.dataset.fingerprint, ws.target, ws.task, ws.dataset)
    for message in check.errors:
        st.error(i18n.text(message), icon=":material/block:")
    for message in check.warnings:
        st.warning(i18n.text(message), icon=":material/warning:")
    if check.bad_rows and st.button(
        _("Drop the {n} row(s) without a usable target", n=check.bad_rows), key="drop_bad_target"
    ):
        replace_frame(
            ws,
            profile.drop_bad_target_rows(ws.dataset.frame, ws.target),
            "drop-bad-target",
            _(
                "Dropped {n} row(s) without a usable value in “{target}”.",
                n=check.bad_rows,
                target=ws.target,
            ),
        )
    if (
        ws.task == Task.CLASSIFICATION
        and check.rare_classes
        and st.button(_("Drop the rows of classes that occur only once"), key="drop_rare")
    ):
        replace_frame(
            ws,
            profile.drop_rare_classes(ws.dataset.frame, ws.target),
            "drop-rare",
            _("Dropped the rows of “{target}” classes that had a single row.", target=ws.target),
        )


def replace_frame(ws: Workspace, frame, operation: str, note: str) -> None:
    assert ws.dataset is not None and ws.target
    target, features, task = ws.target, ws.features, ws.task
    ws.dataset = ws.dataset.derive(frame, operation, note)
    ws.profile = profile.profile_table(frame)
    ws.features, ws.task, ws.model = features, task, None
    ws.target = target
    st.rerun()


def main() -> None:
    ws = workspace()
    shell.page_header(_("Data"), _("Load a table, look at it, and choose what to predict."))
    if lesson.lesson_mode(ws):
        st.caption(_(":material/school: Lesson mode: the data is set by the lesson link."))
    else:
        source_picker(ws)
    if ws.notice:
        st.info(i18n.text(ws.notice), icon=":material/restart_alt:")
        ws.notice = None
    if ws.dataset is None:
        return
    st.divider()
    overview(ws)
    st.divider()
    selection(ws)
    if ws.ready_to_train:
        st.page_link(
            "pages/train.py", label=_("Next: train a model"), icon=":material/arrow_forward:"
        )


main()
