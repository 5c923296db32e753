"""Projects: a user's work kept on disk so a reload, a closed tab or a restart loses nothing.

One embedded SQLite database (stdlib ``sqlite3``, WAL mode, schema versioned by
:data:`MIGRATIONS`) holds each project's settings and run history; a files folder beside it holds
the dataset (Parquet, written once per dataset, not per rerun) and the current model (``.skops``
through :mod:`mllib.export`, so it loads back with the Export page's safe loader). Everything
lives under ``GLASSBOX_HOME`` (default ``~/.glassbox``); nothing else to install or start.

A project id is an unguessable ``secrets`` token: the id is the only key to a project, so a
shared server never shows one user's work to another. Quotas (projects per server, bytes per
project, days without use) are :class:`Limits`, read from the environment.

:class:`BackgroundSaver` writes on a worker thread, coalescing repeated writes of the same kind,
so saving is not felt while sliders move.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
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
from mllib.safezip import ZipLimits, human_bytes, read_zip, write_zip

log = logging.getLogger("glassbox.projects")

DB_NAME = "glassbox.db"
PROJECT_FORMAT = "glassbox-project"
PROJECT_FORMAT_VERSION = 1
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_NAME = 120

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


class ProjectFileError(GlassboxError):
    """An uploaded project file that is refused (damaged, hostile or too large)."""


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
                    f"The project database in {self.root} was written by a newer Glassbox "
                    f"(schema {found}; this one knows {SCHEMA_VERSION})."
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
                    f"This server already keeps {count:,} projects, its limit "
                    f"(GLASSBOX_MAX_PROJECTS = {self.limits.max_projects:,}): this work is "
                    "not being saved.",
                    "Delete projects you no longer need, or ask the administrator to raise "
                    "the limit; unused projects are removed after "
                    f"{self.limits.max_age_days:g} days.",
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
            raise GlassboxError("That project no longer exists.")
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
            raise GlassboxError("That is not a project id.")
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
            raise GlassboxError("This project no longer exists (deleted, or unused for too long).")

    def _check_room(self, project_id: str, adding: int, replacing: int = 0) -> None:
        info = self.get(project_id)
        used = info.bytes if info else 0
        total = used - replacing + adding
        if total > self.limits.max_project_bytes:
            raise QuotaError(
                f"This project would hold {human_mb(total)}, more than the "
                f"{human_mb(self.limits.max_project_bytes)} allowed per project "
                "(GLASSBOX_MAX_PROJECT_MB): it is not being saved.",
                "Use a smaller file, or ask the administrator to raise the limit.",
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
            raise GlassboxError("This project no longer exists.")
        manifest = {
            "format": PROJECT_FORMAT,
            "format_version": PROJECT_FORMAT_VERSION,
            "name": info.name,
            "created": info.created,
            "settings": self.settings(project_id),
            "runs": self.runs(project_id),
        }
        files = {"project.json": json.dumps(manifest, indent=1, default=str).encode()}
        for name in ("data.parquet", "model.skops"):
            data = self._get_file(project_id, name)
            if data is not None:
                files[name] = data
        sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in files.items())
        files["SHA256SUMS"] = sums.encode()
        return write_zip(files)

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


def clean_name(name: str) -> str:
    text = " ".join(str(name).split())[:MAX_NAME]
    return text or "Untitled project"


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


# --- reading a project file (untrusted input) -------------------------------------------------

PROJECT_MEMBERS = {"project.json", "data.parquet", "model.skops", "SHA256SUMS"}
MAX_MANIFEST_BYTES = 20 * 2**20
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$")


@dataclass
class ProjectFile:
    """A checked project file, not yet stored."""

    name: str
    settings: dict[str, Any]
    runs: list[dict[str, Any]]
    data: bytes | None
    model: bytes | None


def read_project_file(raw: bytes, filename: str, max_bytes: int) -> ProjectFile:
    """Open an uploaded project zip with limits: size, member names, unpacked size (read in
    bounded chunks, whatever the headers claim), SHA-256 sums and the manifest's shape.
    Nothing from the file is executed; the model inside is only loaded later, safely."""
    label = f"“{filename}”"
    if len(raw) > max_bytes:
        raise ProjectFileError(f"{label} is larger than {human_mb(max_bytes)}, the project limit.")
    limits = ZipLimits(
        max_total_bytes=max_bytes * 4,
        max_entry_bytes=max_bytes * 4,
        max_entries=16,
        entry_limits={"project.json": MAX_MANIFEST_BYTES, "SHA256SUMS": 64 * 1024},
    )
    try:  # bounded: sizes are checked while unpacking, whatever the zip's headers claim
        files = read_zip(raw, limits, filename)
    except GlassboxError as err:
        raise ProjectFileError(str(err)) from err
    names = list(files)
    if not set(names) <= PROJECT_MEMBERS:
        strange = sorted(set(names) - PROJECT_MEMBERS)[:3]
        raise ProjectFileError(
            f"{label} is not a Glassbox project file: it holds unexpected entries "
            f"({', '.join(repr(n[:60]) for n in strange)})."
        )
    if "project.json" not in names or "SHA256SUMS" not in names:
        raise ProjectFileError(f"{label} is not a Glassbox project file (no project.json).")
    _check_sums(files, label)
    try:
        manifest = json.loads(files["project.json"])
    except ValueError as err:
        raise ProjectFileError(f"{label} has a damaged project.json ({err}).") from err
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise ProjectFileError(f"{label} is not a Glassbox project file.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > PROJECT_FORMAT_VERSION:
        raise ProjectFileError(
            f"{label} was written by a newer Glassbox (project format {version}); this one "
            f"reads format {PROJECT_FORMAT_VERSION}."
        )
    settings, runs = manifest.get("settings"), manifest.get("runs", [])
    if not isinstance(settings, dict) or not isinstance(runs, list):
        raise ProjectFileError(f"{label} has a damaged project.json (settings or runs).")
    if not all(isinstance(r, dict) for r in runs):
        raise ProjectFileError(f"{label} has a damaged run history.")
    if ("data.parquet" in files) != isinstance(settings.get("dataset"), dict):
        raise ProjectFileError(f"{label} has data without its description, or the reverse.")
    if "model.skops" in files and not isinstance(settings.get("model"), dict):
        raise ProjectFileError(f"{label} has a model without its description.")
    return ProjectFile(
        clean_name(str(manifest.get("name", filename))),
        settings,
        runs,
        files.get("data.parquet"),
        files.get("model.skops"),
    )


def _check_sums(files: dict[str, bytes], label: str) -> None:
    listed: dict[str, str] = {}
    for line in files["SHA256SUMS"].decode("ascii", "replace").splitlines():
        match = _SUM_LINE.match(line.strip())
        if not match:
            raise ProjectFileError(f"{label} has a damaged SHA256SUMS file.")
        listed[match.group(2)] = match.group(1)
    for name, data in files.items():
        if name == "SHA256SUMS":
            continue
        if listed.get(name) != hashlib.sha256(data).hexdigest():
            raise ProjectFileError(
                f"{label} is damaged or was altered: the SHA-256 sum of {name} does not match."
            )


# --- saving in the background ---------------------------------------------------------------


class BackgroundSaver:
    """One worker thread that runs save jobs in order, keeping only the newest job per
    ``(project, kind)``: while a slider moves, only the last model is written.

    ``delay`` holds a job back so a burst of changes is written once. :meth:`flush` runs
    what is pending now (a reload calls it before reading a project back).
    """

    def __init__(self) -> None:
        self._jobs: dict[tuple[str, str], tuple[float, Callable[[], None]]] = {}
        self._running: tuple[str, str] | None = None
        self._cond = threading.Condition()
        self.errors: dict[str, str] = {}
        self._thread = threading.Thread(target=self._work, name="glassbox-saver", daemon=True)
        self._thread.start()
        atexit.register(self.flush, None, 30.0)  # a stopping server writes what is pending

    def submit(
        self, project_id: str, kind: str, job: Callable[[], None], delay: float = 0.0
    ) -> None:
        with self._cond:
            self._jobs.pop((project_id, kind), None)  # the newer job replaces the older one
            self._jobs[(project_id, kind)] = (time.monotonic() + delay, job)
            self._cond.notify_all()

    def pending(self, project_id: str | None = None) -> bool:
        with self._cond:
            keys = [*self._jobs, *([self._running] if self._running else [])]
            return any(project_id is None or k[0] == project_id for k in keys)

    def flush(self, project_id: str | None = None, timeout: float = 120.0) -> bool:
        """Run pending jobs now and wait for them; True when nothing is left."""
        deadline = time.monotonic() + timeout
        with self._cond:
            for key, (_, job) in list(self._jobs.items()):
                if project_id is None or key[0] == project_id:
                    self._jobs[key] = (0.0, job)
            self._cond.notify_all()
            while time.monotonic() < deadline:
                busy = [*self._jobs, *([self._running] if self._running else [])]
                if not any(project_id is None or k[0] == project_id for k in busy):
                    return True
                self._cond.wait(0.05)
        return False

    def _next(self) -> tuple[tuple[str, str], Callable[[], None]]:
        with self._cond:
            while True:
                now = time.monotonic()
                due = [(k, v) for k, v in self._jobs.items() if v[0] <= now]
                if due:
                    key, (_, job) = due[0]
                    del self._jobs[key]
                    self._running = key
                    return key, job
                waits = [v[0] - now for v in self._jobs.values()]
                self._cond.wait(min(waits) if waits else None)

    def _work(self) -> None:
        while True:
            key, job = self._next()
            try:
                job()
                self.errors.pop(key[0], None)
            except GlassboxError as err:
                self.errors[key[0]] = str(err)
            except Exception as err:  # a failed save must never kill the saver
                log.exception("Saving project %s (%s) failed", key[0][:6], key[1])
                self.errors[key[0]] = f"Saving failed ({type(err).__name__}); work continues."
            finally:
                with self._cond:
                    self._running = None
                    self._cond.notify_all()


_SAVER: BackgroundSaver | None = None
_SAVER_LOCK = threading.Lock()


def shared_saver() -> BackgroundSaver:
    """The process's one saver thread (every session and store shares it)."""
    global _SAVER
    with _SAVER_LOCK:
        if _SAVER is None:
            _SAVER = BackgroundSaver()
        return _SAVER


def validate_project_file(parsed: ProjectFile) -> None:
    """Check what a project file holds before it is stored: the table reads, the settings name
    its columns, and the model loads with the Export page's safe loader (fixed allow-list,
    nothing executed) and matches the data. Raises :class:`ProjectFileError`."""
    from mllib import export  # the safe model loader (imported late: it is heavy)

    frame = None
    if parsed.data is not None:
        try:
            frame = pd.read_parquet(io.BytesIO(parsed.data))
        except Exception as err:  # pyarrow raises many types for a damaged file
            raise ProjectFileError(f"The project's data could not be read ({err}).") from err
    settings = parsed.settings
    if frame is not None:
        columns = {str(c) for c in frame.columns}
        target, features = settings.get("target"), settings.get("features", [])
        if target is not None and target not in columns:
            raise ProjectFileError(f"The project's target “{str(target)[:60]}” is not in its data.")
        if not isinstance(features, list) or not {str(f) for f in features} <= columns:
            raise ProjectFileError("The project's features are not all in its data.")
        dataset = settings.get("dataset") or {}
        if not isinstance(dataset.get("fingerprint", ""), str):
            raise ProjectFileError("The project's data description is damaged.")
    if parsed.model is not None:
        if frame is None:
            raise ProjectFileError("The project holds a model but no data.")
        try:
            bundle, _ = export.load_skops(parsed.model, "the project's model")
        except GlassboxError as err:
            raise ProjectFileError(f"The project's model is refused: {err}") from err
        record = settings.get("model") or {}
        config = record.get("config") if isinstance(record, dict) else None
        if not isinstance(config, dict) or config.get("target") != bundle.target:
            raise ProjectFileError("The project's model does not match its description.")
        missing = set(bundle.schema.names) - {str(c) for c in frame.columns}
        if missing:
            raise ProjectFileError(
                "The project's model needs columns its data does not have: "
                + ", ".join(sorted(missing)[:5])
            )
