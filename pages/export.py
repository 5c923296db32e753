"""Export & serve: download the model with its card and train.py, serve it, or import one."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from mllib import export
from mllib.errors import GlassboxError
from mllib.export import Artifact, ModelBundle
from mllib.i18n import translator
from mllib.predict import check_records
from mllib.schema import FeatureSchema
from ui import cache, i18n, shell
from ui.i18n import _
from ui.state import Workspace, workspace

PORT = 8000
PREVIEWED = ("model-card.md", "train.py")
IMPORT_TYPES = ["skops", "joblib", "pkl", "pickle"]  # pickles are accepted only to be refused

shell.ensure_app_shell()


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def artifacts(key: str, language: str, _bundle: ModelBundle) -> tuple[list[Artifact], str | None]:
    """Every file, written once per model and language (skops/joblib writes and the ONNX
    conversion and check cost up to seconds; the card and train.py's comments are in the
    reader's language), and why there is no ONNX file when there is none."""
    files = export.export_artifacts(_bundle, translator(language))
    return files, None if _bundle.onnx.ok else _bundle.onnx.message


def downloads(bundle: ModelBundle) -> None:
    st.subheader(_("Download the model"))
    with st.spinner(_("Writing the files and checking the ONNX copy…")):
        files, no_onnx = artifacts(bundle.key, i18n.current(), bundle)
    for artifact in files:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(
            f"**`{artifact.filename}`** · {export.human_size(artifact.size)}  \n"
            f"{i18n.text(artifact.description)}"
        )
        if artifact.downloadable:
            right.download_button(
                _("Download"),
                artifact.data,
                artifact.filename,
                artifact.mime,
                key=f"download_{artifact.filename}",
                icon=":material/download:",
                type="primary" if artifact.filename.endswith(".zip") else "secondary",
                width="stretch",
            )
        else:
            right.caption(
                _(
                    "Too large to download here (over {size}): limit the tree depth or use "
                    "fewer rows.",
                    size=export.human_size(export.MAX_DOWNLOAD_BYTES),
                )
            )
    if no_onnx:
        st.info(
            _("**No `{name}.onnx`.**", name=export.MODEL_STEM) + f" {i18n.text(no_onnx)}",
            icon=":material/info:",
        )
    st.markdown(_("**SHA-256 of each file** (the zip holds them as `SHA256SUMS`)"))
    hashes = export.hash_table(files)
    st.dataframe(hashes.rename(columns=_), hide_index=True, width="stretch")
    written = {a.filename: a.data.decode() for a in files if a.filename in PREVIEWED}
    with st.expander(_("Read the model card")):
        st.markdown(written["model-card.md"])
    with st.expander(_("Read train.py")):
        st.code(written["train.py"], language="python", line_numbers=True)


def own_code(bundle: ModelBundle, onnx: bool) -> None:
    """Copy-paste code for the files, without Glassbox (the README shows the same)."""
    st.subheader(_("Use the model in your own code"))
    st.markdown(
        _(
            "The files hold a plain scikit-learn pipeline: they load wherever scikit-learn "
            "{version} is installed, without Glassbox. Rows go in as Glassbox cleaned them: "
            "numbers, categories as text and each date as its parts, as the code below does.",
            version=bundle.metadata.versions.get("scikit-learn", ""),
        )
    )
    loaders = {"joblib": "joblib", "skops": _("skops (safe)")}
    if onnx:
        loaders["onnx"] = "ONNX Runtime"
    for tab, loader in zip(st.tabs(list(loaders.values())), loaders, strict=True):
        tab.code(export.usage_code(bundle, loader, tr=i18n.tr()), language="python")


def serving(bundle: ModelBundle) -> None:
    schema: FeatureSchema = bundle.schema
    st.subheader(_("Serve it as a JSON web service"))
    st.markdown(
        _(
            "Download **`{name}.skops`** (or `.onnx`, run by ONNX Runtime), then start the "
            "service from the Glassbox folder (where `mllib/` is). It is Flask under waitress, "
            "and it checks every request against the model's schema:",
            name=export.MODEL_STEM,
        )
    )
    st.code(export.serve_command(port=PORT), language="bash")
    st.markdown(_("Then ask it for a prediction, here with a typical row:"))
    st.code(export.curl_example(schema, PORT), language="bash", wrap_lines=True)
    example = bundle.predict(_example_frame(schema)).records()
    st.markdown(_("It answers:"))
    st.code(json.dumps(example), language="json", wrap_lines=True)
    st.caption(
        _(
            "`GET /health`, `GET /schema` and `GET /openapi.json` describe the service. Missing "
            "or unknown fields, wrong types, NaN, unseen categories and oversized requests get "
            "a 4xx JSON error naming the problem. Error messages follow the request's "
            "`Accept-Language` (English or 简体中文)."
        )
    )
    with st.expander(_("Production: several workers")):
        st.markdown(
            _(
                "The command above runs waitress with 4 threads. For several processes, use "
                "gunicorn with the factory that reads the model path from `GLASSBOX_MODEL` "
                "(details in `docs/serving.md`):"
            )
        )
        st.code(
            f"pip install gunicorn\nGLASSBOX_MODEL={export.MODEL_STEM}.skops \\\n"
            f"  gunicorn -w 4 -b 0.0.0.0:{PORT} 'mllib.serve:create_app_from_env()'",
            language="bash",
        )


def _example_frame(schema: FeatureSchema) -> pd.DataFrame:
    return check_records([schema.example_row()], schema).frame


def importer(ws: Workspace) -> None:
    st.subheader(_("Import a model"))
    st.markdown(
        _(
            "Load a model exported from Glassbox to predict with it on the Predict page. Only "
            "**`.skops`** files are accepted, and only with the types Glassbox's own pipelines "
            "use. **`.joblib` and `.pkl` files are never opened:** they are pickles, and "
            "loading a pickle runs whatever code its author put in it."
        )
    )
    # A new key empties the uploader after "Forget", so the file is not imported again.
    generation = st.session_state.get("import_generation", 0)
    key = "import_model" if not generation else f"import_model_{generation}"
    upload = st.file_uploader(_("A .skops model file"), type=IMPORT_TYPES, key=key)
    if upload is not None:
        raw = upload.getvalue()
        digest = hashlib.sha256(raw).hexdigest() + upload.name
        last = st.session_state.get("import_result")
        if last is None or last[0] != digest:
            try:
                bundle, notes = export.import_model(raw, upload.name)
            except GlassboxError as err:
                last = (digest, i18n.error_text(err), [])
            else:
                ws.imported = bundle
                last = (digest, None, notes)
            st.session_state["import_result"] = last
        _digest, error, notes = last
        if error:
            st.error(
                _("**{name}** was refused.", name=upload.name) + f" {error}",
                icon=":material/block:",
            )
        for note in notes:
            st.warning(i18n.text(note), icon=":material/warning:")
    if ws.imported is not None:
        meta = ws.imported.metadata
        st.success(
            _(
                "Imported **{source}**: {title}, created {created} with scikit-learn {version}.",
                source=ws.imported.source,
                title=i18n.bundle_title(ws.imported),
                created=meta.created or "?",
                version=meta.versions.get("scikit-learn", "?"),
            ),
            icon=":material/check_circle:",
        )
        left, right = st.columns(2)
        with left:
            st.page_link(
                "pages/predict.py", label=_("Predict with it"), icon=":material/online_prediction:"
            )
        if right.button(_("Forget the imported model"), key="import_forget"):
            ws.imported = None
            st.session_state.pop("import_result", None)
            st.session_state["import_generation"] = generation + 1
            st.rerun()


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("Export & serve"),
        _(
            "Take the model with you: files you can verify, a card that explains it, a script "
            "that rebuilds it, and a JSON service that answers predictions."
        ),
    )
    bundle = None
    if ws.model is None and ws.imported is None:
        shell.require_model(ws)  # trains a quick default model, or says how to get one
    try:
        bundle = cache.current_bundle(ws)
    except GlassboxError as err:  # e.g. the data changed under the model
        st.warning(i18n.error_text(err), icon=":material/warning:")
    if bundle is not None and ws.dataset is not None:
        st.caption(
            _(
                "Current model: **{title}**, trained on {data}.",
                title=i18n.bundle_title(bundle),
                data=i18n.dataset_name(ws.dataset),
            )
        )
        downloads(bundle)
        st.divider()
        serving(bundle)
        st.divider()
        own_code(bundle, onnx=bundle.onnx.ok)
    elif ws.model is None and ws.imported is not None:
        st.info(
            _("Train a model to export it; the imported model is below."), icon=":material/info:"
        )
    st.divider()
    importer(ws)


main()
