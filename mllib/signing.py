"""Recognise Glassbox's own files: an HMAC-SHA256 signature with a key kept by this server.

The key is 32 random bytes in ``$GLASSBOX_HOME/signing.key`` (default ``~/.glassbox``), made on
first use and readable only by its owner. A file signed here and unchanged since is one this
server wrote; that lets it load structures it would otherwise check or refuse (fitted trees).
A signature proves nothing about files from other servers, which are checked instead.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

ENV_HOME = "GLASSBOX_HOME"
KEY_FILE = "signing.key"
KEY_BYTES = 32


def glassbox_home() -> Path:
    """Where this server keeps its own files (``$GLASSBOX_HOME``, default ``~/.glassbox``)."""
    return Path(os.environ.get(ENV_HOME) or Path.home() / ".glassbox").expanduser()


def server_key() -> bytes:
    """This server's signing key, created (mode 0600) the first time it is needed."""
    path = glassbox_home() / KEY_FILE
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    try:
        os.link(tmp, path)  # first writer wins when two processes start at once
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    existing = path.read_bytes()
    return existing if len(existing) == KEY_BYTES else key


def digest_parts(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """One digest for named contents, independent of their order."""
    total = hashlib.sha256()
    for name, content in sorted(parts):
        total.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return total.digest()


def sign(message: bytes) -> str:
    return hmac.new(server_key(), message, hashlib.sha256).hexdigest()


def verify(message: bytes, signature: object) -> bool:
    """True when ``signature`` was made by :func:`sign` on this server for ``message``."""
    if not isinstance(signature, str) or len(signature) != 64:
        return False
    return hmac.compare_digest(sign(message), signature)
