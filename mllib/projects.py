"""Projects: a user's work kept on disk so a reload, a closed tab or a restart loses nothing.

One embedded SQLite database (stdlib ``sqlite3``, WAL mode, schema versioned by
:data:`MIGRATIONS`) holds each project's settings and run history; a files folder beside it holds
the dataset (Parquet, written once per dataset, not per rerun) and the current model (``.skops``
through :mod:`mllib.export`, so it loads back with the Export page's safe loader). Everything
lives under ``GLASSBOX_HOME`` (default ``~/.glassbox``); nothing else to install or start.

A project id is an unguessable ``secrets`` token: the id is the only key to a project, so a
shared server never shows one user's work to another. Quotas (projects per server, bytes per
project, days without use) are :class:`Limits`, read from the environment.

One topic: storing projects. The project file (one zip, downloaded and uploaded) is
:mod:`mllib.project_file`; saving on a worker thread, so it is not felt while sliders move, is
:mod:`mllib.project_saver`. Their public names are re-exported here, so callers read
``projects.BackgroundSaver`` as before.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.project_file import PROJECT_FORMAT as PROJECT_FORMAT
from mllib.project_file import PROJECT_MEMBERS as PROJECT_MEMBERS
from mllib.project_file import (
    ProjectFile,
    clean_name,
    read_project_file,
    write_project_file,
)
from mllib.project_file import ProjectFileError as ProjectFileError
from mllib.project_file import validate_project_file as validate_project_file
from mllib.project_saver import BackgroundSaver as BackgroundSaver
from mllib.project_saver import shared_saver as shared_saver
from mllib.safezip import human_bytes
from mllib.safezip import write_zip as write_zip

log = logging.getLogger("glassbox.projects")

DB_NAME = "glassbox.db"
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

#: Schema migrations, applied in order; ``PRAGMA user_version`` records how many have run.
#: Never edit a released step: append a new one (tests migrate a version-1 database).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE TABLE settings (
        project TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (project, key)
    );
    """,
    """
    CREATE TABLE runs (
        project TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        row TEXT NOT NULL,
        PRIMARY KEY (project, seq)
    );
    ALTER TABLE projects ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class QuotaError(GlassboxError):
    """A configured limit (projects, bytes, age) was reached."""


def home() -> Path:
    """Where projects live: ``GLASSBOX_HOME``, else ``~/.glassbox``."""
    return Path(os.environ.get("GLASSBOX_HOME") or Path.home() / ".glassbox").expanduser()


def single_user() -> bool:
    """``GLASSBOX_SINGLE_USER=1``: one person owns this server, so the Projects page may list
    every project. Off by default: on a shared server a project opens only with its link."""
    return os.environ.get("GLASSBOX_SINGLE_USER", "0").strip().lower() in {"1", "true", "yes"}


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True)
class Limits:
    """Quotas; each is configurable by an environment variable (see docs/production.md)."""

    max_projects: int = 1000
    max_project_bytes: int = 500 * 2**20
    max_age_days: float = 30.0

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_projects=int(_env_number("GLASSBOX_MAX_PROJECTS", cls.max_projects)),
            max_project_bytes=int(
                _env_number("GLASSBOX_MAX_PROJECT_MB", cls.max_project_bytes / 2**20) * 2**20
            ),
            max_age_days=_env_number("GLASSBOX_PROJECT_DAYS", cls.max_age_days),
        )


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    name: str
    created: float
    updated: float
    bytes: int


def new_id() -> str:
    """128 random bits from :mod:`secrets`: unguessable, so the link is the key."""
    return secrets.token_urlsafe(16)


def valid_id(project_id: str | None) -> bool:
    return bool(project_id) and bool(_ID.match(str(project_id)))


def human_mb(n: int) -> str:
    return human_bytes(n)


class ProjectStore:
    """The database and files folder under one home directory. Thread-safe: every call opens
    its own short connection; writes are serialised by a lock (and SQLite's own locking)."""

    def __init__(self, root: Path | str | None = None, limits: Limits | None = None) -> None:
        self.root = Path(root) if root is not None else home()
        self.limits = limits or Limits.from_env()
        self.files = self.root / "projects"
        self.files.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(self.root, 0o700)  # other local accounts need not read anyone's data
        self._lock = threading.RLock()
        self.migrate()

    # --- database ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.root / DB_NAME, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def migrate(self) -> int:
        """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before."""
        with self._lock, self._db() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if found > SCHEMA_VERSION:
                raise GlassboxError(
                    msg(
                        "The project database in {root} was written by a newer Glassbox "
                        "(schema {found}; this one knows {ours}).",
                        root=self.root,
                        found=found,
                        ours=SCHEMA_VERSION,
                    )
                )
            for version in range(found, SCHEMA_VERSION):
                conn.executescript(
                    f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;"
                )
            return found

    def schema_version(self) -> int:
        with self._db() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    # --- projects ---------------------------------------------------------------------------

    def _info(self, row: tuple[str, str, float, float, int]) -> ProjectInfo:
        return ProjectInfo(row[0], row[1], row[2], row[3], row[4])

    def _cutoff(self) -> float:
        return time.time() - self.limits.max_age_days * 86400

    def purge_expired(self) -> int:
        """Delete projects unused for longer than the age limit; returns how many."""
        with self._db() as conn:
            old = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM projects WHERE updated < ?", (self._cutoff(),)
                )
            ]
        for project_id in old:
            self.delete(project_id)
        return len(old)

    def create(self, name: str) -> ProjectInfo:
        self.purge_expired()
        now = time.time()
        with self._write() as conn:
            count = conn.execute("SELECT COUNT(*) FROM projects").fetchone()[0]
            if count >= self.limits.max_projects:
                raise QuotaError(
                    msg(
                        "This server already keeps {count:,} projects, its limit "
                        "(GLASSBOX_MAX_PROJECTS = {limit:,}): this work is not being saved.",
                        count=count,
                        limit=self.limits.max_projects,
                    ),
                    msg(
                        "Delete projects you no longer need, or ask the administrator to raise "
                        "the limit; unused projects are removed after {days:g} days.",
                        days=self.limits.max_age_days,
                    ),
                )
            info = ProjectInfo(new_id(), clean_name(name), now, now, 0)
            conn.execute(
                "INSERT INTO projects (id, name, created, updated, bytes) VALUES (?, ?, ?, ?, 0)",
                (info.id, info.name, now, now),
            )
        self.folder(info.id).mkdir(parents=True, exist_ok=True)
        return info

    def get(self, project_id: str | None) -> ProjectInfo | None:
        """The project, or ``None`` when the id is malformed, unknown or expired."""
        if not valid_id(project_id):
            return None
        with self._db() as conn:
            row = conn.execute(
                "SELECT id, name, created, updated, bytes FROM projects WHERE id = ?",
                (project_id,),
            ).fetchone()
        if row is None or row[3] < self._cutoff():
            return None
        return self._info(row)

    def list_projects(self) -> list[ProjectInfo]:
        """Every live project, most recently used first (pages show it only when
        :func:`single_user`)."""
        with self._db() as conn:
            rows = conn.execute(
                "SELECT id, name, created, updated, bytes FROM projects WHERE updated >= ? "
                "ORDER BY updated DESC",
                (self._cutoff(),),
            ).fetchall()
        return [self._info(r) for r in rows]

    def rename(self, project_id: str, name: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE projects SET name = ?, updated = ? WHERE id = ?",
                (clean_name(name), time.time(), project_id),
            )

    def delete(self, project_id: str) -> None:
        if not valid_id(project_id):
            return
        with self._write() as conn:
            conn.execute("DELETE FROM projects WHERE id = ?", (project_id,))
        shutil.rmtree(self.folder(project_id), ignore_errors=True)

    def duplicate(self, project_id: str, name: str) -> ProjectInfo:
        source = self.get(project_id)
        if source is None:
            raise GlassboxError(msg("That project no longer exists."))
        copy = self.create(name)
        try:
            for item in self.folder(project_id).iterdir():
                shutil.copy2(item, self.folder(copy.id) / item.name)
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO settings (project, key, value) "
                    "SELECT ?, key, value FROM settings WHERE project = ?",
                    (copy.id, project_id),
                )
                conn.execute(
                    "INSERT INTO runs (project, seq, row) "
                    "SELECT ?, seq, row FROM runs WHERE project = ?",
                    (copy.id, project_id),
                )
            self._touch(copy.id)
        except BaseException:
            self.delete(copy.id)
            raise
        return self.get(copy.id) or copy

    def folder(self, project_id: str) -> Path:
        if not valid_id(project_id):
            raise GlassboxError(msg("That is not a project id."))
        return self.files / project_id

    def _files_bytes(self, project_id: str) -> int:
        folder = self.folder(project_id)
        return (
            sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) if folder.exists() else 0
        )

    def _touch(self, project_id: str, conn: sqlite3.Connection | None = None) -> None:
        size = self._files_bytes(project_id)
        query = (
            "UPDATE projects SET updated = ?, bytes = ? + COALESCE((SELECT SUM(LENGTH(value)) "
            "FROM settings WHERE project = ?), 0) + COALESCE((SELECT SUM(LENGTH(row)) FROM runs "
            "WHERE project = ?), 0) WHERE id = ?"
        )
        args = (time.time(), size, project_id, project_id, project_id)
        if conn is not None:
            conn.execute(query, args)
            return
        with self._write() as own:
            own.execute(query, args)

    def _require(self, project_id: str) -> None:
        if self.get(project_id) is None:
            raise GlassboxError(
                msg("This project no longer exists (deleted, or unused for too long).")
            )

    def _check_room(self, project_id: str, adding: int, replacing: int = 0) -> None:
        info = self.get(project_id)
        used = info.bytes if info else 0
        total = used - replacing + adding
        if total > self.limits.max_project_bytes:
            raise QuotaError(
                msg(
                    "This project would hold {size}, more than the {limit} allowed per project "
                    "(GLASSBOX_MAX_PROJECT_MB): it is not being saved.",
                    size=human_mb(total),
                    limit=human_mb(self.limits.max_project_bytes),
                ),
                msg("Use a smaller file, or ask the administrator to raise the limit."),
            )

    # --- settings and runs --------------------------------------------------------------------

    def put_settings(self, project_id: str, values: dict[str, Any]) -> None:
        """Write settings rows (one JSON value per key): cheap, done on every change."""
        self._require(project_id)
        with self._write() as conn:
            for key, value in values.items():
                conn.execute(
                    "INSERT INTO settings (project, key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (project, key) DO UPDATE SET value = excluded.value",
                    (project_id, key, json.dumps(value, allow_nan=True, default=str)),
                )
            self._touch(project_id, conn)

    def settings(self, project_id: str) -> dict[str, Any]:
        with self._db() as conn:
            rows = conn.execute(
                "SELECT key, value FROM settings WHERE project = ?", (project_id,)
            ).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def put_runs(self, project_id: str, rows: list[dict[str, Any]]) -> None:
        """Replace the run history (a few hundred small rows at most)."""
        self._require(project_id)
        with self._write() as conn:
            conn.execute("DELETE FROM runs WHERE project = ?", (project_id,))
            conn.executemany(
                "INSERT INTO runs (project, seq, row) VALUES (?, ?, ?)",
                [
                    (project_id, i, json.dumps(row, allow_nan=True, default=str))
                    for i, row in enumerate(rows)
                ],
            )
            self._touch(project_id, conn)

    def runs(self, project_id: str) -> list[dict[str, Any]]:
        with self._db() as conn:
            rows = conn.execute(
                "SELECT row FROM runs WHERE project = ? ORDER BY seq", (project_id,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    # --- files: the dataset and the model -------------------------------------------------------

    def _put_file(self, project_id: str, name: str, data: bytes) -> None:
        self._require(project_id)
        path = self.folder(project_id) / name
        old = path.stat().st_size if path.exists() else 0
        self._check_room(project_id, len(data), old)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # a reader never sees half a file

    def _get_file(self, project_id: str, name: str) -> bytes | None:
        path = self.folder(project_id) / name
        return path.read_bytes() if path.exists() else None

    def put_dataset(self, project_id: str, meta: dict[str, Any], frame: pd.DataFrame) -> None:
        """The table as Parquet plus its reading details; written when the data changes."""
        data = frame_to_parquet(frame)
        self._put_file(project_id, "data.parquet", data)
        self.put_settings(project_id, {"dataset": meta})

    def dataset(self, project_id: str) -> tuple[dict[str, Any], pd.DataFrame] | None:
        meta = self.settings(project_id).get("dataset")
        data = self._get_file(project_id, "data.parquet")
        if meta is None or data is None:
            return None
        return meta, pd.read_parquet(io.BytesIO(data))

    def put_model(self, project_id: str, model: bytes, record: dict[str, Any]) -> None:
        self._put_file(project_id, "model.skops", model)
        self.put_settings(project_id, {"model": record})

    def clear_model(self, project_id: str) -> None:
        self._require(project_id)
        (self.folder(project_id) / "model.skops").unlink(missing_ok=True)
        self.put_settings(project_id, {"model": None})

    def model(self, project_id: str) -> tuple[bytes, dict[str, Any]] | None:
        record = self.settings(project_id).get("model")
        data = self._get_file(project_id, "model.skops")
        if not record or data is None:
            return None
        return data, record

    # --- one file per project ---------------------------------------------------------------

    def export_zip(self, project_id: str) -> bytes:
        """The whole project as one zip: ``project.json`` (settings and runs), the data, the
        model and ``SHA256SUMS``. Files extract readable (mode 0644)."""
        info = self.get(project_id)
        if info is None:
            raise GlassboxError(msg("This project no longer exists."))
        return write_project_file(
            info.name,
            info.created,
            self.settings(project_id),
            self.runs(project_id),
            {name: self._get_file(project_id, name) for name in ("data.parquet", "model.skops")},
        )

    def import_zip(
        self, raw: bytes, filename: str, check: Callable[[ProjectFile], None] | None = None
    ) -> ProjectInfo:
        """A new project from a project file, or :class:`ProjectFileError` and nothing changed.

        ``check`` (the app passes the safe model loader and its checks) may raise to refuse.
        """
        parsed = read_project_file(raw, filename, self.limits.max_project_bytes)
        if check is not None:
            check(parsed)
        info = self.create(parsed.name)
        try:
            settings = dict(parsed.settings)
            if parsed.data is not None:
                self._put_file(info.id, "data.parquet", parsed.data)
            if parsed.model is not None:
                self._put_file(info.id, "model.skops", parsed.model)
            else:
                settings["model"] = None
            self.put_settings(info.id, settings)
            self.put_runs(info.id, parsed.runs)
        except BaseException:
            self.delete(info.id)
            raise
        return self.get(info.id) or info


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet bytes; object columns with mixed types are stored as text rather than lost."""
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer)
    except (TypeError, ValueError, OverflowError, NotImplementedError) as err:
        log.info("Storing mixed-type columns as text for Parquet: %s", err)
        fixed = frame.copy()
        for column in fixed.columns:
            if fixed[column].dtype == object:
                fixed[column] = fixed[column].map(lambda v: v if v is None else str(v))
        buffer = io.BytesIO()
        fixed.to_parquet(buffer)
    return buffer.getvalue()
