"""The Projects page: rename, duplicate, delete, new, the project file both ways, privacy."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mllib import projects
from tests.app.helpers import assert_healthy, texts
from tests.app.test_persistence import CSV, reopen, sidebar_text
from tests.conftest import APP

DATA, TRAIN, PROJECTS = "pages/data.py", "pages/train.py", "pages/projects.py"


def trained(app: Any, algorithm: str = "svm") -> Any:
    at = app(DATA)
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("penguins.csv", CSV, "text/csv")).run()
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select(algorithm).run()
    assert_healthy(at)
    return at


def workspace(at: Any) -> Any:
    return at.session_state["glassbox_workspace"]


def project_file(at: Any, download_bytes: Callable[[Any], bytes]) -> bytes:
    at.switch_page(PROJECTS).run()
    at.button(key="project_pack").click().run()
    assert_healthy(at)
    return download_bytes(at.get("download_button")[0])


def upload_project(at: Any, raw: bytes, name: str = "study.glassbox.zip") -> Any:
    at.switch_page(PROJECTS).run()
    at.file_uploader(key="project_upload").set_value((name, raw, "application/zip")).run()
    assert_healthy(at)
    return at


def test_project_file_round_trips_to_a_fresh_home_and_predicts_the_same(
    app: Any, download_bytes: Callable[[Any], bytes], tmp_path: Path, monkeypatch: Any
) -> None:
    at = trained(app)
    raw = project_file(at, download_bytes)
    before = workspace(at)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert {"project.json", "data.parquet", "model.skops", "SHA256SUMS"} <= set(
            archive.namelist()
        )
    monkeypatch.setenv("GLASSBOX_HOME", str(tmp_path / "fresh"))  # another server
    other = upload_project(reopen(None, PROJECTS), raw)
    after = workspace(other)
    assert after.project_id and after.project_id != before.project_id
    assert sidebar_text(other) == sidebar_text(at)
    rows = before.dataset.frame[before.features]
    np.testing.assert_array_equal(
        after.model.pipeline.predict(rows), before.model.pipeline.predict(rows)
    )
    assert after.history == before.history
    assert other.query_params["project"] == after.project_id


@pytest.mark.parametrize(
    "make",
    [
        lambda raw: b"PK\x03\x04 this is not really a zip",
        lambda raw: raw[:-200],
        lambda raw: raw.replace(b"project.json", b"../../x.json"),
    ],
    ids=["garbage", "cut", "renamed-entry"],
)
def test_a_corrupt_or_hostile_project_file_is_refused_and_changes_nothing(
    app: Any, download_bytes: Callable[[Any], bytes], make: Callable[[bytes], bytes]
) -> None:
    at = trained(app, "tree")
    raw = project_file(at, download_bytes)
    before_sidebar, before_id = sidebar_text(at), workspace(at).project_id
    count = len(projects.ProjectStore(projects.home()).list_projects())
    upload_project(at, make(raw), "evil.zip")
    assert any("Nothing was changed" in e for e in texts(at, "error")), texts(at, "error")
    assert sidebar_text(at) == before_sidebar
    assert workspace(at).project_id == before_id == at.query_params["project"]
    assert len(projects.ProjectStore(projects.home()).list_projects()) == count


def test_a_project_file_with_a_foreign_model_is_refused(
    app: Any, download_bytes: Callable[[Any], bytes]
) -> None:
    at = trained(app, "tree")
    raw = project_file(at, download_bytes)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    import hashlib
    import pickle

    files["model.skops"] = pickle.dumps({"not": "a model"})
    files["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items() if n != "SHA256SUMS"
    ).encode()
    upload_project(at, projects.write_zip(files))
    assert any("model is refused" in e for e in texts(at, "error")), texts(at, "error")


def test_rename_duplicate_new_and_delete(app: Any, project_home: Path) -> None:
    at = trained(app, "tree")
    first = workspace(at).project_id
    at.switch_page(PROJECTS).run()
    at.text_input(key=f"project_name_{first}").input("Penguin study").run()
    store = projects.ProjectStore(project_home)
    assert store.get(first).name == "Penguin study"
    at.button(key="project_duplicate").click().run()
    assert_healthy(at)
    copy = workspace(at).project_id
    assert copy != first and store.get(copy).name == "Penguin study (copy)"
    assert "penguins.csv" in sidebar_text(at) and "Decision tree" in sidebar_text(at)
    at.button(key="project_new").click().run()
    assert_healthy(at)
    new = workspace(at).project_id
    assert new not in (first, copy) and "penguins.csv" not in sidebar_text(at)
    at.button(key="project_delete").click().run()
    assert_healthy(at)
    assert store.get(new) is None
    assert "project" not in at.query_params
    assert {p.id for p in store.list_projects()} == {first, copy}


def test_projects_are_listed_only_on_a_single_user_server(
    app: Any, project_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trained(app, "tree")
    other = reopen(None, PROJECTS)
    assert any("Not listed" in c for c in texts(other, "caption"))
    assert not other.dataframe
    monkeypatch.setenv("GLASSBOX_SINGLE_USER", "1")
    listed = AppTest.from_file(APP, default_timeout=60)
    listed.switch_page(PROJECTS)
    listed.run()
    assert list(listed.dataframe[0].value["name"]) == ["penguins.csv"]


def test_open_by_link(app: Any) -> None:
    at = trained(app, "tree")
    mine = workspace(at).project_id
    other = reopen(None, PROJECTS)
    other.text_input(key="project_link").input(f"http://host:8501/train?project={mine}").run()
    other.button(key="project_open_link").click().run()
    assert_healthy(other)
    assert workspace(other).project_id == mine
    assert "penguins.csv" in sidebar_text(other)
    wrong = reopen(None, PROJECTS)
    wrong.text_input(key="project_link").input("?project=" + "B" * 22).run()
    assert any("No project has that link" in e for e in texts(wrong, "error"))
