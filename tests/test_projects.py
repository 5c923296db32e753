"""The project store: SQLite schema and migrations, files, quotas, project files, the saver."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mllib import projects, training
from mllib.errors import GlassboxError
from mllib.profile import Task, profile_table
from mllib.projects import Limits, ProjectFileError, ProjectStore, QuotaError


@pytest.fixture
def store(tmp_path: Path) -> ProjectStore:
    return ProjectStore(tmp_path / "home")


def frame(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x": np.arange(n, dtype=float),
            "colour": ["red", "green", "blue", None][:4] * (n // 4),
            "y": ["a", "b"] * (n // 2),
        }
    )


def test_home_defaults_to_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GLASSBOX_HOME", str(tmp_path / "elsewhere"))
    assert projects.home() == tmp_path / "elsewhere"
    monkeypatch.delenv("GLASSBOX_HOME")
    assert projects.home() == Path.home() / ".glassbox"


def test_database_is_wal_and_at_the_latest_schema(store: ProjectStore) -> None:
    with sqlite3.connect(store.root / projects.DB_NAME) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version() == projects.SCHEMA_VERSION


def test_a_version_1_database_is_migrated_and_keeps_its_projects(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    with sqlite3.connect(root / projects.DB_NAME) as conn:
        conn.executescript(projects.MIGRATIONS[0])
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO projects (id, name, created, updated) VALUES (?, ?, ?, ?)",
            ("A" * 22, "kept", time.time(), time.time()),
        )
        conn.execute(
            "INSERT INTO settings (project, key, value) VALUES (?, 'target', '\"y\"')", ("A" * 22,)
        )
    store = ProjectStore(root)
    assert store.schema_version() == projects.SCHEMA_VERSION
    info = store.get("A" * 22)
    assert info is not None and info.name == "kept" and info.bytes == 0
    assert store.settings("A" * 22) == {"target": "y"}
    store.put_runs("A" * 22, [{"algorithm": "Decision tree"}])  # the table version 2 added
    assert store.runs("A" * 22) == [{"algorithm": "Decision tree"}]
    assert ProjectStore(root).migrate() == projects.SCHEMA_VERSION  # idempotent


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "new"
    root.mkdir()
    with sqlite3.connect(root / projects.DB_NAME) as conn:
        conn.execute(f"PRAGMA user_version = {projects.SCHEMA_VERSION + 1}")
    with pytest.raises(GlassboxError, match="newer Glassbox"):
        ProjectStore(root)


def test_ids_are_unguessable_and_checked(store: ProjectStore) -> None:
    ids = {store.create("p").id for _ in range(20)}
    assert len(ids) == 20 and all(len(i) >= 22 for i in ids)
    for bad in (None, "", "../etc", "a" * 200, "short", "x y z 1234567890123"):
        assert store.get(bad) is None
    assert store.get("Z" * 22) is None  # well formed, unknown


def test_create_rename_duplicate_delete(store: ProjectStore) -> None:
    info = store.create("  penguins   study ")
    assert info.name == "penguins study"
    store.put_settings(info.id, {"target": "species", "params": {"svm": {"C": 10.0}}})
    store.put_dataset(info.id, {"name": "penguins.csv"}, frame())
    store.put_runs(info.id, [{"algorithm": "SVM", "test accuracy": 0.9}])
    store.rename(info.id, "renamed")
    assert store.get(info.id).name == "renamed"
    copy = store.duplicate(info.id, "copy")
    assert copy.id != info.id
    assert store.settings(copy.id) == store.settings(info.id)
    assert store.runs(copy.id) == store.runs(info.id)
    pd.testing.assert_frame_equal(store.dataset(copy.id)[1], frame())
    store.delete(info.id)
    assert store.get(info.id) is None and not store.folder(info.id).exists()
    assert store.get(copy.id) is not None
    assert [p.id for p in store.list_projects()] == [copy.id]


def test_dataset_round_trips_through_parquet(store: ProjectStore) -> None:
    info = store.create("p")
    table = frame()
    table["mixed"] = [1, "two", 3.0, None] * 10  # pyarrow cannot store this as it is
    store.put_dataset(info.id, {"name": "mixed.csv", "fingerprint": "f"}, table)
    meta, back = store.dataset(info.id)
    assert meta == {"name": "mixed.csv", "fingerprint": "f"}
    pd.testing.assert_frame_equal(back.drop(columns="mixed"), table.drop(columns="mixed"))
    assert list(back["mixed"])[:3] == ["1", "two", "3.0"]


def test_project_quota(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path, Limits(max_projects=2))
    store.create("one")
    store.create("two")
    with pytest.raises(QuotaError, match="GLASSBOX_MAX_PROJECTS"):
        store.create("three")


def test_bytes_quota_refuses_and_keeps_the_old_data(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path, Limits(max_project_bytes=200_000))
    info = store.create("p")
    store.put_dataset(info.id, {"name": "small"}, frame())
    big = pd.DataFrame({"x": np.random.default_rng(0).normal(size=100_000)})
    with pytest.raises(QuotaError, match="GLASSBOX_MAX_PROJECT_MB"):
        store.put_dataset(info.id, {"name": "big"}, big)
    meta, back = store.dataset(info.id)
    assert meta["name"] == "small" and len(back) == 40


def test_age_limit_expires_unused_projects(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path, Limits(max_age_days=1))
    old, fresh = store.create("old"), store.create("fresh")
    with sqlite3.connect(tmp_path / projects.DB_NAME) as conn:
        conn.execute(
            "UPDATE projects SET updated = ? WHERE id = ?", (time.time() - 2 * 86400, old.id)
        )
    assert store.get(old.id) is None
    assert store.purge_expired() == 1
    assert [p.id for p in store.list_projects()] == [fresh.id]


def test_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_MAX_PROJECTS", "7")
    monkeypatch.setenv("GLASSBOX_MAX_PROJECT_MB", "2")
    monkeypatch.setenv("GLASSBOX_PROJECT_DAYS", "not a number")
    limits = Limits.from_env()
    assert limits == Limits(max_projects=7, max_project_bytes=2 * 2**20, max_age_days=30.0)


def test_single_user_is_off_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not projects.single_user()
    monkeypatch.setenv("GLASSBOX_SINGLE_USER", "1")
    assert projects.single_user()


# --- project files ----------------------------------------------------------------------------


def filled(store: ProjectStore) -> str:
    info = store.create("study")
    store.put_dataset(info.id, {"name": "data.csv"}, frame())
    store.put_settings(info.id, {"target": "y", "model": {"config": {}}})
    store.put_runs(info.id, [{"algorithm": "Decision tree", "test accuracy": 0.75}])
    store._put_file(info.id, "model.skops", b"model bytes")
    return info.id


def test_project_file_round_trips(store: ProjectStore, tmp_path: Path) -> None:
    project_id = filled(store)
    raw = store.export_zip(project_id)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert sorted(archive.namelist()) == sorted(projects.PROJECT_MEMBERS)
        assert all((i.external_attr >> 16) & 0o777 == 0o644 for i in archive.infolist())
    other = ProjectStore(tmp_path / "fresh")
    info = other.import_zip(raw, "study.glassbox.zip")
    assert info.name == "study"
    assert other.settings(info.id) == store.settings(project_id)
    assert other.runs(info.id) == store.runs(project_id)
    assert other.model(info.id)[0] == b"model bytes"
    pd.testing.assert_frame_equal(other.dataset(info.id)[1], frame())


def rezip(raw: bytes, change: dict[str, bytes | None], sums: bool = True) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    for name, data in change.items():
        if data is None:
            files.pop(name, None)
        else:
            files[name] = data
    if sums:
        files.pop("SHA256SUMS", None)
        import hashlib

        files["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items()
        ).encode()
    return projects.write_zip(files)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", b"{}")
        archive.writestr("SHA256SUMS", b"")
        archive.writestr("data.parquet", b"\0" * (9 * 2**20))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda raw: b"not a zip at all", "not a zip"),
        (lambda raw: rezip(raw, {"../evil.sh": b"rm -rf /"}), "unexpected entries"),
        (lambda raw: rezip(raw, {"data.parquet": b"altered"}, sums=False), "SHA-256"),
        (lambda raw: rezip(raw, {"project.json": b"[1, 2"}), "damaged project.json"),
        (
            lambda raw: rezip(raw, {"project.json": json.dumps({"format": "other"}).encode()}),
            "not a Glassbox project",
        ),
        (
            lambda raw: rezip(
                raw,
                {
                    "project.json": json.dumps(
                        {"format": projects.PROJECT_FORMAT, "format_version": 99, "settings": {}}
                    ).encode()
                },
            ),
            "newer Glassbox",
        ),
        (lambda raw: rezip(raw, {"SHA256SUMS": None}, sums=False), "no project.json"),
        (lambda raw: zip_bomb(), "unpacks to more than"),
        (lambda raw: raw[: len(raw) // 2], "not a zip"),
    ],
    ids=[
        "not-zip",
        "path",
        "altered",
        "bad-json",
        "other-format",
        "newer",
        "no-sums",
        "bomb",
        "cut",
    ],
)
def test_hostile_or_corrupt_project_files_are_refused_and_change_nothing(
    store: ProjectStore, tmp_path: Path, make: object, message: str
) -> None:
    raw = store.export_zip(filled(store))
    other = ProjectStore(tmp_path / "fresh", Limits(max_project_bytes=2 * 2**20))
    with pytest.raises(ProjectFileError, match=message):
        other.import_zip(make(raw), "evil.zip")  # type: ignore[operator]
    assert other.list_projects() == []
    assert list(other.files.iterdir()) == []


def test_a_check_that_refuses_leaves_nothing(store: ProjectStore, tmp_path: Path) -> None:
    raw = store.export_zip(filled(store))
    other = ProjectStore(tmp_path / "fresh")

    def refuse(parsed: projects.ProjectFile) -> None:
        raise GlassboxError("the model inside is not safe")

    with pytest.raises(GlassboxError, match="not safe"):
        other.import_zip(raw, "p.zip", check=refuse)
    assert other.list_projects() == []


# --- the background saver ---------------------------------------------------------------------


def test_saver_keeps_only_the_newest_job_per_kind_and_flushes() -> None:
    saver = projects.BackgroundSaver()
    done: list[int] = []
    for i in range(5):
        saver.submit("p", "model", lambda i=i: done.append(i), delay=30)
    saver.submit("p", "settings", lambda: done.append(100))
    assert saver.flush("p", timeout=30)
    assert sorted(done) == [4, 100]
    assert not saver.pending("p")


def test_saver_records_errors_and_keeps_working() -> None:
    saver = projects.BackgroundSaver()

    def fail() -> None:
        raise QuotaError("too big")

    saver.submit("p", "dataset", fail)
    saver.flush("p", timeout=30)
    assert saver.errors["p"] == "too big"
    ran = threading.Event()
    saver.submit("p", "dataset", ran.set)
    saver.flush("p", timeout=30)
    assert ran.is_set() and "p" not in saver.errors


# --- a model back from its record -------------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "task"), [("tree", Task.CLASSIFICATION), ("ridge", Task.REGRESSION)]
)
def test_restore_model_gives_back_the_same_model(
    iris: pd.DataFrame, algorithm: str, task: Task
) -> None:
    target = "species" if task == Task.CLASSIFICATION else "petal_width"
    features = [c for c in iris.columns if c != target][:3]
    config = training.TrainConfig.make(algorithm, task, target, features, seed=3, cv_folds=3)
    prof = profile_table(iris)
    model = training.train_model(iris, prof, config, "fp")
    record = json.loads(json.dumps(training.model_record(model)))
    back = training.restore_model(iris, prof, model.pipeline, record)
    assert back.config == model.config
    np.testing.assert_array_equal(back.test_index, model.test_index)
    np.testing.assert_array_equal(back.y_pred, model.y_pred)
    np.testing.assert_array_equal(back.y_test, model.y_test)
    assert back.test_scores == model.test_scores and back.classes == model.classes
    pd.testing.assert_frame_equal(back.cv, model.cv)


def test_downloaded_zips_extract_as_readable_files(iris: pd.DataFrame) -> None:
    from mllib import export
    from mllib.data import Dataset

    dataset = Dataset("iris.csv", iris, "fp", "csv")
    prof = profile_table(iris)
    config = training.TrainConfig.make("tree", Task.CLASSIFICATION, "species", ["sepal_length"])
    model = training.train_model(iris, prof, config, "fp")
    artifacts = export.export_artifacts(export.bundle_from_model(model, dataset, prof))
    packed = next(a.data for a in artifacts if a.filename.endswith(".zip"))
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        modes = {(i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes == {0o644}
