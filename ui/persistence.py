"""The one place that ties a session to a saved project: ``?project=<id>`` in the URL.

:func:`restore` runs before each page: a project id in the URL that is not the session's loads
that project (a reload, a shared link, "open" on the Projects page). :func:`autosave` runs after
each page: it compares a small snapshot of the workspace with what was last saved and queues
only what changed (settings rows always; the Parquet data only when the data changed; the model
only when a new one was trained, debounced) on a background thread.

Other query parameters (lesson links) are left alone. ``GLASSBOX_PERSIST=0`` turns saving off.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import streamlit as st

from mllib import projects, samples, training
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.i18n import from_data, msg, to_data
from mllib.profile import Task, default_target, profile_table
from ui import i18n
from ui.i18n import _
from ui.state import (
    ALGORITHM_WIDGET,
    DATA_WIDGET_KEYS,
    Workspace,
    forget_widgets,
    replace_workspace,
)

log = logging.getLogger("glassbox")

PARAM = "project"
MODEL_SAVE_DELAY_S = 1.0  # a burst of slider moves writes one model, not one per step
ROW_SAVE_DELAY_S = 0.25  # settings and runs are written just after the page, not during it
SESSION_WIDGETS = ("data_source", "sample", ALGORITHM_WIDGET, "upload", *DATA_WIDGET_KEYS)


def enabled() -> bool:
    return os.environ.get("GLASSBOX_PERSIST", "1").strip() not in {"0", "false", "no", "off"}


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(root: str) -> projects.ProjectStore:
    return projects.ProjectStore(Path(root))


def store() -> projects.ProjectStore:
    """The store under ``GLASSBOX_HOME`` (one per home, shared by every session)."""
    return _store(str(projects.home()))


def saver() -> projects.BackgroundSaver:
    return projects.shared_saver()


# --- the workspace as rows ------------------------------------------------------------------


def settings_of(ws: Workspace) -> dict[str, Any]:
    """The workspace's choices as JSON values: what a settings row holds (cheap to build)."""
    return {
        "target": ws.target,
        "features": list(ws.features),
        "excluded": dict(ws.excluded),
        "task": ws.task.value if ws.task else None,
        "task_reason": ws.task_reason,
        "algorithm": ws.algorithm,
        "params": ws.params,
        "split": {"test_pct": ws.test_pct, "seed": ws.seed, "cv_folds": ws.cv_folds},
        "upload_digest": ws.upload_digest,
        "thresholds": ws.thresholds,
    }


def dataset_meta(dataset: Dataset) -> dict[str, Any]:
    meta = {f.name: getattr(dataset, f.name) for f in dataclasses.fields(dataset)}
    meta.pop("frame")
    meta["sheets"] = list(meta["sheets"])
    return meta


def dataset_from(meta: dict[str, Any], frame: Any) -> Dataset:
    fields = {f.name for f in dataclasses.fields(Dataset)} - {"frame"}
    values = {k: v for k, v in meta.items() if k in fields}
    values["sheets"] = tuple(values.get("sheets") or ())
    values["notes"] = list(values.get("notes") or [])
    return Dataset(frame=frame, **values)


def load_workspace(st_: projects.ProjectStore, project_id: str) -> Workspace:
    """A workspace rebuilt from a saved project; a model that no longer loads is left out
    with a note instead of failing the whole project."""
    ws = Workspace(project_id=project_id)
    found = st_.dataset(project_id)
    values = st_.settings(project_id)
    ws.history = [{k: from_data(v) for k, v in row.items()} for row in st_.runs(project_id)]
    if found is None:
        return ws
    meta, frame = found
    ws.dataset = dataset_from(meta, frame)
    ws.profile = profile_table(frame)
    names = set(ws.profile.names)
    target = values.get("target")
    ws.set_target(target if target in names else default_target(ws.profile))
    ws.features = [f for f in values.get("features", ws.features) if f in names and f != ws.target]
    ws.excluded = {k: v for k, v in (values.get("excluded") or {}).items() if k in names}
    if values.get("task") in {t.value for t in Task}:
        ws.task, ws.task_reason = Task(values["task"]), values.get("task_reason") or ws.task_reason
    ws.algorithm = values.get("algorithm")
    ws.params = {k: v for k, v in (values.get("params") or {}).items() if isinstance(v, dict)}
    split = values.get("split") or {}
    ws.test_pct = split.get("test_pct")
    ws.seed, ws.cv_folds = int(split.get("seed") or 0), int(split.get("cv_folds") or 0)
    ws.upload_digest = values.get("upload_digest")
    ws.thresholds = {
        key: entry
        for key, entry in (values.get("thresholds") or {}).items()
        if _is_threshold(entry)
    }
    ws.model = load_model(st_, project_id, ws)
    ws.saved = saved_marks(ws)
    return ws


def _is_threshold(entry: Any) -> bool:
    """A saved decision threshold as mllib.threshold.metadata writes it (anything else is
    dropped: a project file may have been edited by hand)."""
    keys = {"value", "positive_class", "negative_class", "score"}
    if not (isinstance(entry, dict) and keys <= entry.keys()):
        return False
    value = entry["value"]
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def load_model(st_: projects.ProjectStore, project_id: str, ws: Workspace) -> Any:
    found = st_.model(project_id)
    if found is None or ws.dataset is None or ws.profile is None:
        return None
    data, record = found
    if record.get("data_fingerprint") != ws.dataset.fingerprint:
        return None
    from mllib import export  # skops and ONNX take seconds to import: only when needed

    try:
        bundle, _notes = export.load_skops(data, "model.skops")  # the Export page's safe loader
        return training.restore_model(ws.dataset.frame, ws.profile, bundle.pipeline, record)
    except (GlassboxError, KeyError, TypeError, ValueError) as err:
        ws.notice = msg(
            "The saved model could not be loaded back ({problem}); train it again.", problem=err
        )
        return None


def saved_marks(ws: Workspace) -> dict[str, Any]:
    """What is on disk for this workspace: compared after each run to find what changed."""
    return {
        "settings": json.loads(json.dumps(settings_of(ws), default=str)),  # a copy, not a view
        "dataset": ws.dataset.fingerprint if ws.dataset is not None else None,
        "model": id(ws.model) if ws.model is not None else None,
        "runs": _runs_mark(ws),
    }


def _runs_mark(ws: Workspace) -> tuple[int, int]:
    return (len(ws.history), id(ws.history[-1]) if ws.history else 0)


# --- before and after each page -------------------------------------------------------------


def restore(ws: Workspace) -> Workspace:
    """Open the project named in the URL when it is not this session's; keep the URL naming
    the session's project while the user moves between pages."""
    if not enabled():
        return ws
    wanted = st.query_params.get(PARAM)
    if wanted and wanted == ws.project_id:
        return ws
    if not wanted:
        if ws.project_id:
            st.query_params[PARAM] = ws.project_id  # page navigation drops query parameters
        return ws
    return open_project(wanted, ws)


def open_project(project_id: str, ws: Workspace) -> Workspace:
    """Make ``project_id`` this session's project; an unknown link starts afresh, said so."""
    st_ = store()
    saver().flush(project_id)
    if st_.get(project_id) is None:
        del st.query_params[PARAM]
        st.warning(
            _(
                "That project link is unknown or has expired (projects unused for {days:g} days "
                "are removed); you are working in a new project.",
                days=st_.limits.max_age_days,
            ),
            icon=":material/link_off:",
        )
        ws.project_id, ws.saved = None, {}
        return ws
    try:
        loaded = load_workspace(st_, project_id)
    except (GlassboxError, OSError, ValueError, KeyError) as err:
        log.warning("Project %s could not be opened: %s", project_id[:6], err)
        del st.query_params[PARAM]
        st.warning(
            _("This project could not be opened ({problem}).", problem=i18n.error_text(err)),
            icon=":material/error:",
        )
        return ws
    if loaded.notice:
        st.warning(i18n.text(loaded.notice), icon=":material/warning:")
        loaded.notice = None
    for key in SESSION_WIDGETS:
        st.session_state.pop(key, None)
    forget_widgets()
    replace_workspace(loaded)
    return loaded


def _pristine(ws: Workspace) -> bool:
    """Nothing worth a project yet: the default sample as it opens, no model, no runs (so
    visitors who only look, and health checks, do not fill the server with projects)."""
    if ws.history or ws.model is not None:
        return False
    if ws.dataset is None:
        return True
    default = samples.SAMPLES[samples.DEFAULT_SAMPLE]
    return (
        ws.dataset.source == "sample"
        and ws.dataset.name == default.title
        and ws.target == default.target
        and not any(ws.params.values())
    )


def autosave(ws: Workspace) -> None:
    """Queue what changed since the last save (nothing when nothing changed)."""
    if not enabled():
        return
    try:
        _autosave(ws)
    except GlassboxError as err:
        message, hint = err.parts  # a Message stays translatable (shown in the reader's language)
        ws.saved["error"] = message if hint is None else str(err)
    except Exception:  # saving must never break a page
        log.exception("Autosave failed")


def _autosave(ws: Workspace) -> None:
    if ws.project_id is None:
        if _pristine(ws):
            return
        name = ws.dataset.name if ws.dataset is not None else "Untitled project"
        info = store().create(name)
        ws.project_id, ws.saved = info.id, {}
        st.query_params[PARAM] = info.id
    project_id, st_, queue = ws.project_id, store(), saver()
    marks = saved_marks(ws)
    dataset, model = ws.dataset, ws.model
    if dataset is not None and marks["dataset"] != ws.saved.get("dataset"):
        meta = dataset_meta(dataset)
        queue.submit(
            project_id, "dataset", lambda: st_.put_dataset(project_id, meta, dataset.frame)
        )
    if marks["settings"] != ws.saved.get("settings"):
        values = marks["settings"]
        queue.submit(
            project_id,
            "settings",
            lambda: st_.put_settings(project_id, values),
            delay=ROW_SAVE_DELAY_S,
        )
    if marks["model"] != ws.saved.get("model"):
        if model is None or dataset is None:
            queue.submit(project_id, "model", lambda: st_.clear_model(project_id))
        else:
            profile = ws.profile

            def save_model() -> None:
                from mllib import export  # heavy: imported on the saving thread, not the page

                bundle = export.bundle_from_model(model, dataset, profile)
                st_.put_model(project_id, export.to_skops(bundle), training.model_record(model))

            queue.submit(project_id, "model", save_model, delay=MODEL_SAVE_DELAY_S)
    if marks["runs"] != ws.saved.get("runs"):
        rows = [{k: to_data(v) for k, v in r.items()} for r in ws.history]  # Messages kept
        queue.submit(
            project_id, "runs", lambda: st_.put_runs(project_id, rows), delay=ROW_SAVE_DELAY_S
        )
    ws.saved = {**marks, "error": ws.saved.get("error")}


def save_problem(ws: Workspace) -> str | None:
    """Why this session's work is not being saved, if it is not."""
    if not enabled():
        return None
    if ws.saved.get("error"):
        return ws.saved["error"]  # not str(): that would drop a Message's msgid
    if ws.project_id:
        return saver().errors.get(ws.project_id)
    return None
