"""Projects: the saved work of this session, and new, open, rename, duplicate, delete,
download and upload. A project opens only with its link unless GLASSBOX_SINGLE_USER=1."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd
import streamlit as st

from mllib import projects
from mllib.errors import GlassboxError
from ui import i18n, persistence, shell
from ui.i18n import _
from ui.state import Workspace, replace_workspace, workspace

MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")
_LINK_ID = re.compile(r"(?:[?&]project=)?([A-Za-z0-9_-]{16,64})\s*$")

shell.ensure_app_shell()


def when(stamp: float) -> str:
    return i18n.tr().date(dt.datetime.fromtimestamp(stamp), "yyyy-MM-dd HH:mm")


def switch_to(project_id: str | None) -> None:
    """Open ``project_id`` (``None``: a fresh session) on the next run, which restores it."""
    if project_id is None:
        st.query_params.pop(persistence.PARAM, None)
    else:
        st.query_params[persistence.PARAM] = project_id
    st.rerun()


def current(ws: Workspace, store: projects.ProjectStore) -> None:
    st.subheader(_("This project"))
    info = store.get(ws.project_id) if ws.project_id else None
    if info is None:
        st.info(
            _(
                "Nothing is saved yet: a project starts the moment you load data or train a "
                "model, and its link appears in the address bar."
            ),
            icon=":material/cloud_queue:",
        )
        if st.button(_("Start a saved project now"), key="project_start", icon=":material/add:"):
            name = ws.dataset.name if ws.dataset is not None else _("Untitled project")
            created = create(store, name)
            if created is not None:
                ws.project_id, ws.saved = created.id, {}
                st.query_params[persistence.PARAM] = created.id
                st.rerun()
        return
    c1, c2 = st.columns([3, 2])
    with c1:
        name = st.text_input(_("Name"), value=info.name, key=f"project_name_{info.id}")
        if name.strip() and name != info.name:
            store.rename(info.id, name)
            st.toast(_("Renamed"))
        room = projects.human_mb(store.limits.max_project_bytes)
        st.caption(
            _(
                "Created {created} · last saved {saved} · {size} of {room}",
                created=when(info.created),
                saved=when(info.updated),
                size=projects.human_mb(info.bytes),
                room=room,
            )
        )
        st.markdown(
            _(
                "**Its link** is this page's address (it ends in `?project=…`). Anyone with the "
                "link can open the project, and nobody can find it without the link: keep it "
                "private."
            )
        )
        st.code(project_link(info.id), language=None)
    with c2:
        if st.button(_("New project"), key="project_new", icon=":material/add:", width="stretch"):
            persistence.saver().flush(info.id)
            created = create(store, _("Untitled project"))
            if created is not None:
                switch_to(created.id)
        if st.button(
            _("Duplicate"), key="project_duplicate", icon=":material/content_copy:", width="stretch"
        ):
            persistence.saver().flush(info.id)
            try:
                copy = store.duplicate(info.id, _("{name} (copy)", name=info.name))
            except GlassboxError as err:
                st.error(i18n.error_text(err), icon=":material/error:")
            else:
                switch_to(copy.id)
        download(store, info)
        with st.popover(_("Delete…"), icon=":material/delete:", width="stretch"):
            st.markdown(
                _("Delete **{name}** with its data, model and run history?", name=info.name)
            )
            if st.button(_("Delete it for good"), key="project_delete", type="primary"):
                store.delete(info.id)
                st.session_state.pop("project_file", None)
                replace_workspace(Workspace())
                switch_to(None)


def project_link(project_id: str) -> str:
    """The full address that reopens the project (the server's own URL when known)."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?project={project_id}" if base else f"?project={project_id}"


def create(store: projects.ProjectStore, name: str) -> projects.ProjectInfo | None:
    try:
        return store.create(name)
    except GlassboxError as err:
        st.error(i18n.error_text(err), icon=":material/error:")
        return None


def download(store: projects.ProjectStore, info: projects.ProjectInfo) -> None:
    """Packing reads the data and model from disk, so it happens on request, not each run."""
    ready = st.session_state.get("project_file")
    if ready is None or ready[0] != (info.id, info.updated):
        if st.button(
            _("Prepare a project file"),
            key="project_pack",
            icon=":material/archive:",
            width="stretch",
        ):
            persistence.saver().flush(info.id)
            fresh = store.get(info.id) or info
            st.session_state["project_file"] = ((info.id, fresh.updated), store.export_zip(info.id))
            st.rerun()
        return
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", info.name).strip("-") or "project"
    st.download_button(
        _("Download the project file"),
        ready[1],
        f"{safe}.glassbox.zip",
        "application/zip",
        key="project_download",
        icon=":material/download:",
        width="stretch",
        help=_("One zip: data, settings, run history and model, with SHA-256 sums."),
    )


def upload(store: projects.ProjectStore) -> None:
    st.subheader(_("Open a project file"))
    file = st.file_uploader(
        _(
            "A .zip downloaded from a Projects page — up to {size}",
            size=projects.human_mb(min(store.limits.max_project_bytes, MAX_UPLOAD_MB * 2**20)),
        ),
        type=["zip"],
        key="project_upload",
    )
    if file is None:
        return
    raw = file.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    done = st.session_state.get("project_upload_done")
    if done and done[0] == digest:
        if done[1]:
            st.error(done[1], icon=":material/error:")
        return
    try:
        with st.spinner(_("Checking {name}…", name=file.name)):
            info = store.import_zip(raw, file.name, check=projects.validate_project_file)
    except GlassboxError as err:
        message = _("{problem} Nothing was changed.", problem=i18n.error_text(err))
        st.session_state["project_upload_done"] = (digest, message)
        st.error(message, icon=":material/error:")
        return
    st.session_state["project_upload_done"] = (digest, None)
    switch_to(info.id)


def open_link(store: projects.ProjectStore) -> None:
    st.subheader(_("Open a project by its link"))
    text = st.text_input(
        _("Project link or id"),
        key="project_link",
        placeholder="http://…/?project=…",
        help=_("Paste the address of a saved project."),
    )
    if not text:
        return
    match = _LINK_ID.search(text.strip())
    found = store.get(match.group(1)) if match else None
    if found is None:
        st.error(
            _(
                "No project has that link (it may have been deleted, or expired after "
                "{days:g} days without use).",
                days=store.limits.max_age_days,
            ),
            icon=":material/link_off:",
        )
        return
    if st.button(_("Open “{name}”", name=found.name), key="project_open_link", type="primary"):
        switch_to(found.id)


def listing(ws: Workspace, store: projects.ProjectStore) -> None:
    st.subheader(_("All projects on this server"))
    if not projects.single_user():
        st.caption(
            _(
                "Not listed: this server may be shared, so each project opens only with its "
                "link. On your own machine, start Glassbox with `GLASSBOX_SINGLE_USER=1` to "
                "list them here."
            )
        )
        return
    items = store.list_projects()
    if not items:
        st.caption(_("No saved projects yet."))
        return
    table = pd.DataFrame(
        {
            _("name"): [p.name for p in items],
            _("last saved"): [when(p.updated) for p in items],
            _("size"): [projects.human_mb(p.bytes) for p in items],
            _("current"): ["✓" if p.id == ws.project_id else "" for p in items],
        }
    )
    st.dataframe(table, hide_index=True)
    others = [p for p in items if p.id != ws.project_id]
    if not others:
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(
        _("Project"), [p.id for p in others], format_func={p.id: p.name for p in others}.get
    )
    if c2.button(_("Open"), key="project_open_listed", icon=":material/folder_open:"):
        switch_to(chosen)


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("Projects"),
        _("Your work is saved as you go; a project's link reopens it, here or on another day."),
    )
    if not persistence.enabled():
        st.info(
            _("Saving is turned off on this server (GLASSBOX_PERSIST=0)."), icon=":material/info:"
        )
        return
    store = persistence.store()
    current(ws, store)
    st.divider()
    left, right = st.columns(2, gap="large")
    with left:
        upload(store)
    with right:
        open_link(store)
    st.divider()
    listing(ws, store)
    limits = store.limits
    st.caption(
        _(
            "This server keeps up to {count} projects of at most {size} each, and removes a "
            "project after {days:g} days without use.",
            count=i18n.tr().number(limits.max_projects),
            size=projects.human_mb(limits.max_project_bytes),
            days=limits.max_age_days,
        )
    )


main()
