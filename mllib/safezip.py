"""Read a zip archive from someone else without letting it exhaust memory, disk or time.

A zip states each entry's size in its directory, but a crafted file may lie, and a small file
may unpack to gigabytes (a 1.9 MB ``.skops`` whose ``schema.json`` unpacks to 1.8 GB took 4 GB
and 60 s to load before these limits). :func:`read_zip` checks the entry count and the stated
sizes first, then decompresses each entry in chunks and stops as soon as an entry or the total
passes its limit, whatever the directory said. Every refusal is a :class:`GlassboxError` with a
message for people.

Used for uploaded models (:mod:`mllib.export`) and project archives.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from mllib.errors import GlassboxError
from mllib.i18n import msg

CHUNK = 1 << 20


@dataclass(frozen=True)
class ZipLimits:
    """The most an archive may hold: per entry (``entry_limits`` by name, else
    ``max_entry_bytes``), in total, and how many entries."""

    max_total_bytes: int
    max_entry_bytes: int
    max_entries: int = 10_000
    entry_limits: Mapping[str, int] | None = None

    def limit_for(self, name: str) -> int:
        return (self.entry_limits or {}).get(name, self.max_entry_bytes)


def human_bytes(n: int) -> str:
    for unit, size in (("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n >= size:
            return f"{n / size:,.0f} {unit}"
    return f"{n:,} bytes"


def read_zip(data: bytes, limits: ZipLimits, filename: str = "the archive") -> dict[str, bytes]:
    """Every entry of the zip in ``data`` as ``{name: bytes}``, within ``limits``.

    Raises :class:`GlassboxError` for a file that is not a zip, is damaged, has too many
    entries, duplicate names, or an entry or total larger than allowed.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise GlassboxError(
            msg(
                "“{filename}” is not a zip archive, or a damaged one ({err}).",
                filename=filename,
                err=err,
            )
        ) from err
    if len(infos) > limits.max_entries:
        raise GlassboxError(
            msg(
                "“{filename}” holds {count:,} files; at most {limit:,} are accepted.",
                filename=filename,
                count=len(infos),
                limit=limits.max_entries,
            )
        )
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise GlassboxError(
            msg("“{filename}” lists the same file twice; it is refused.", filename=filename)
        )
    for info in infos:
        _check_size(filename, info.filename, info.file_size, limits.limit_for(info.filename))
    stated = sum(info.file_size for info in infos)
    _check_total(filename, stated, limits)
    out: dict[str, bytes] = {}
    total = 0
    for info in infos:
        limit = limits.limit_for(info.filename)
        chunks: list[bytes] = []
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    _check_size(filename, info.filename, size, limit)
                    _check_total(filename, total, limits)
                    chunks.append(chunk)
        except GlassboxError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as err:
            raise GlassboxError(
                msg(
                    "“{filename}” is damaged: “{entry}” cannot be unpacked ({err}).",
                    filename=filename,
                    entry=info.filename,
                    err=err,
                )
            ) from err
        except NotImplementedError as err:
            raise GlassboxError(
                msg(
                    "“{filename}” uses an unsupported compression ({err}).",
                    filename=filename,
                    err=err,
                )
            ) from err
        out[info.filename] = b"".join(chunks)
    return out


def _check_size(filename: str, entry: str, size: int, limit: int) -> None:
    if size > limit:
        raise GlassboxError(
            msg(
                "“{filename}” is refused: its part “{entry}” unpacks to more than {limit}, far "
                "more than any model Glassbox makes.",
                filename=filename,
                entry=entry[:80],
                limit=human_bytes(limit),
            )
        )


def _check_total(filename: str, total: int, limits: ZipLimits) -> None:
    if total > limits.max_total_bytes:
        raise GlassboxError(
            msg(
                "“{filename}” is refused: it unpacks to more than {limit}.",
                filename=filename,
                limit=human_bytes(limits.max_total_bytes),
            )
        )


def write_zip(entries: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``entries`` (in the given order), e.g. to repack what :func:`read_zip` checked.

    Entries extract as ordinary readable files (mode 0644): ``ZipFile.writestr`` with a bare
    name records 0600, which left downloaded files unreadable to anyone else on the machine.
    """
    buffer = io.BytesIO()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = compression
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, content)
    return buffer.getvalue()
