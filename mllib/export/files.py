"""The model's bytes in each format: ``.joblib`` (a pickle, for your own Python code), ``.skops``
(loads without running code from the file, with the metadata and this server's signature inside
as an extra entry that skops ignores) and the metadata as ``model.json``."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import joblib
import skops.io as sio

from mllib import signing
from mllib.export.bundle import SKOPS_METADATA, ModelBundle
from mllib.export.metadata import FORMAT, ModelMetadata
from mllib.safezip import ZipLimits, read_zip, write_zip

#: What an uploaded ``.skops`` may unpack to. Measured on Glassbox's own models (20,000 rows,
#: 20 numbers, 30 categories of 25 levels, a date, 3 classes): ``schema.json`` 0.9 MB for a
#: full-depth tree, an RBF SVM or a logistic regression (about 30 kB per categorical feature),
#: the metadata 20 kB, the largest array 0.5 MB (the tree's nodes), 2.7 MB unpacked in all.
#: The limits leave room for a few hundred categorical features and 10,000-row kernel SVMs
#: while refusing archives that unpack to gigabytes.
ZIP_LIMITS = ZipLimits(
    max_total_bytes=512 * 2**20,
    max_entry_bytes=256 * 2**20,
    max_entries=10_000,
    entry_limits={"schema.json": 16 * 2**20, SKOPS_METADATA: 8 * 2**20},
)


def metadata_json(metadata: ModelMetadata | dict[str, Any]) -> bytes:
    """The metadata as the UTF-8 JSON written beside the model (``model.json``). A plain dict
    is the metadata exactly as read from a file, which its signature covers."""
    values = metadata.to_dict() if isinstance(metadata, ModelMetadata) else metadata
    return json.dumps(values, allow_nan=False, ensure_ascii=False, indent=1).encode()


def to_joblib(bundle: ModelBundle) -> bytes:
    """The plain pipeline as a compressed joblib pickle (trees shrink 4–5× with ``compress=3``).

    Only scikit-learn, numpy and scipy objects: ``joblib.load`` works without Glassbox.
    """
    buffer = io.BytesIO()
    joblib.dump(bundle.pipeline, buffer, compress=3)
    return buffer.getvalue()


def to_skops(bundle: ModelBundle) -> bytes:
    """The plain pipeline as ``.skops``, plus :data:`SKOPS_METADATA` (the metadata and this
    server's signature over it and every other entry) inside the same archive."""
    entries = read_zip(sio.dumps(bundle.pipeline), ZIP_LIMITS, "the new model")
    meta = metadata_json(bundle.metadata)
    signature = signing.sign(signed_message(meta, entries))
    entries[SKOPS_METADATA] = json.dumps(
        {"metadata": json.loads(meta), "signature": signature}, ensure_ascii=False
    ).encode()
    return write_zip(entries, zipfile.ZIP_DEFLATED)


def signed_message(meta: bytes, entries: dict[str, bytes]) -> bytes:
    model_parts = [(n, c) for n, c in entries.items() if n != SKOPS_METADATA]
    return FORMAT.encode() + b"\0" + signing.digest_parts([("metadata", meta), *model_parts])
