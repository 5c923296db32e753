"""The project file: one zip holding a whole project, written for download and read back.

Reading is for untrusted input: sizes, member names and unpacked bytes are bounded while
unpacking, SHA-256 sums and the manifest's shape are checked, and the model inside is loaded
only by the Export page's safe loader (:func:`validate_project_file`). Nothing is executed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.safezip import ZipLimits, human_bytes, read_zip, write_zip

PROJECT_FORMAT = "glassbox-project"
PROJECT_FORMAT_VERSION = 1
MAX_NAME = 120

PROJECT_MEMBERS = {"project.json", "data.parquet", "model.skops", "SHA256SUMS"}
MAX_MANIFEST_BYTES = 20 * 2**20
_SUM_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$")


class ProjectFileError(GlassboxError):
    """An uploaded project file that is refused (damaged, hostile or too large)."""


def clean_name(name: str) -> str:
    """A project's name as stored: one line, at most :data:`MAX_NAME` characters."""
    text = " ".join(str(name).split())[:MAX_NAME]
    return text or "Untitled project"


def write_project_file(
    name: str,
    created: float,
    settings: dict[str, Any],
    runs: list[dict[str, Any]],
    files: dict[str, bytes | None],
) -> bytes:
    """The whole project as one zip: ``project.json`` (settings and runs), the data, the
    model and ``SHA256SUMS``. Files extract readable (mode 0644)."""
    manifest = {
        "format": PROJECT_FORMAT,
        "format_version": PROJECT_FORMAT_VERSION,
        "name": name,
        "created": created,
        "settings": settings,
        "runs": runs,
    }
    members = {"project.json": json.dumps(manifest, indent=1, default=str).encode()}
    members.update({n: data for n, data in files.items() if data is not None})
    sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in members.items())
    members["SHA256SUMS"] = sums.encode()
    return write_zip(members)


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
        raise ProjectFileError(
            msg(
                "{label} is larger than {limit}, the project limit.",
                label=label,
                limit=human_bytes(max_bytes),
            )
        )
    limits = ZipLimits(
        max_total_bytes=max_bytes * 4,
        max_entry_bytes=max_bytes * 4,
        max_entries=16,
        entry_limits={"project.json": MAX_MANIFEST_BYTES, "SHA256SUMS": 64 * 1024},
    )
    try:  # bounded: sizes are checked while unpacking, whatever the zip's headers claim
        files = read_zip(raw, limits, filename)
    except GlassboxError as err:
        raise ProjectFileError(*err.parts) from err
    names = list(files)
    if not set(names) <= PROJECT_MEMBERS:
        strange = sorted(set(names) - PROJECT_MEMBERS)[:3]
        raise ProjectFileError(
            msg(
                "{label} is not a Glassbox project file: it holds unexpected entries ({entries}).",
                label=label,
                entries=", ".join(repr(n[:60]) for n in strange),
            )
        )
    if "project.json" not in names or "SHA256SUMS" not in names:
        raise ProjectFileError(
            msg("{label} is not a Glassbox project file (no project.json).", label=label)
        )
    _check_sums(files, label)
    try:
        manifest = json.loads(files["project.json"])
    except ValueError as err:
        raise ProjectFileError(
            msg("{label} has a damaged project.json ({err}).", label=label, err=err)
        ) from err
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise ProjectFileError(msg("{label} is not a Glassbox project file.", label=label))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > PROJECT_FORMAT_VERSION:
        raise ProjectFileError(
            msg(
                "{label} was written by a newer Glassbox (project format {version}); this one "
                "reads format {ours}.",
                label=label,
                version=version,
                ours=PROJECT_FORMAT_VERSION,
            )
        )
    settings, runs = manifest.get("settings"), manifest.get("runs", [])
    if not isinstance(settings, dict) or not isinstance(runs, list):
        raise ProjectFileError(
            msg("{label} has a damaged project.json (settings or runs).", label=label)
        )
    if not all(isinstance(r, dict) for r in runs):
        raise ProjectFileError(msg("{label} has a damaged run history.", label=label))
    if ("data.parquet" in files) != isinstance(settings.get("dataset"), dict):
        raise ProjectFileError(
            msg("{label} has data without its description, or the reverse.", label=label)
        )
    if "model.skops" in files and not isinstance(settings.get("model"), dict):
        raise ProjectFileError(msg("{label} has a model without its description.", label=label))
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
            raise ProjectFileError(msg("{label} has a damaged SHA256SUMS file.", label=label))
        listed[match.group(2)] = match.group(1)
    for name, data in files.items():
        if name == "SHA256SUMS":
            continue
        if listed.get(name) != hashlib.sha256(data).hexdigest():
            raise ProjectFileError(
                msg(
                    "{label} is damaged or was altered: the SHA-256 sum of {name} does not match.",
                    label=label,
                    name=name,
                )
            )


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
            raise ProjectFileError(
                msg("The project's data could not be read ({err}).", err=err)
            ) from err
    settings = parsed.settings
    if frame is not None:
        columns = {str(c) for c in frame.columns}
        target, features = settings.get("target"), settings.get("features", [])
        if target is not None and target not in columns:
            raise ProjectFileError(
                msg("The project's target “{target}” is not in its data.", target=str(target)[:60])
            )
        if not isinstance(features, list) or not {str(f) for f in features} <= columns:
            raise ProjectFileError(msg("The project's features are not all in its data."))
        dataset = settings.get("dataset") or {}
        if not isinstance(dataset.get("fingerprint", ""), str):
            raise ProjectFileError(msg("The project's data description is damaged."))
    if parsed.model is not None:
        if frame is None:
            raise ProjectFileError(msg("The project holds a model but no data."))
        try:
            bundle, _ = export.load_skops(parsed.model, msg("the project's model"))
        except GlassboxError as err:
            reason, hint = err.parts
            raise ProjectFileError(
                msg("The project's model is refused: {reason}", reason=reason), hint
            ) from err
        record = settings.get("model") or {}
        config = record.get("config") if isinstance(record, dict) else None
        if not isinstance(config, dict) or config.get("target") != bundle.target:
            raise ProjectFileError(msg("The project's model does not match its description."))
        missing = set(bundle.schema.names) - {str(c) for c in frame.columns}
        if missing:
            raise ProjectFileError(
                msg(
                    "The project's model needs columns its data does not have: {columns}",
                    columns=", ".join(sorted(missing)[:5]),
                )
            )
