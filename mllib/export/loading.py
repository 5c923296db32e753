"""The one safe way to load a model file back.

Uploaded models are accepted only as ``.skops``: unpacked within
:data:`mllib.export.files.ZIP_LIMITS`, loaded with the fixed :data:`ALLOWED_TYPES`, and any
decision tree inside either signed by this server (:mod:`mllib.signing`) or checked node by node
first (:mod:`mllib.treecheck`). Pickles are never opened, because unpickling runs whatever code
the file contains (:func:`load_trusted_joblib` is for your own files, never for uploads).
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

import joblib
import sklearn
import skops.io as sio
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline
from skops.io.exceptions import UntrustedTypesFoundException

from mllib import onnx_export, signing
from mllib.cleaning import input_columns
from mllib.errors import GlassboxError
from mllib.export.bundle import METADATA_FILE, SKOPS_METADATA, ModelBundle
from mllib.export.files import ZIP_LIMITS, metadata_json, signed_message
from mllib.export.metadata import FORMAT, FORMAT_VERSION, ModelMetadata
from mllib.i18n import msg
from mllib.safezip import read_zip, write_zip
from mllib.treecheck import TreeRefused, check_trees

#: Types a ``.skops`` upload may contain beyond skops' own safe defaults (scikit-learn
#: estimators, numpy arrays, builtins). Fixed in code on purpose: never extend it with what
#: ``skops.io.get_untrusted_types`` reports for an uploaded file.
ALLOWED_TYPES: tuple[str, ...] = (
    "sklearn.tree._tree.Tree",  # a fitted decision tree: signed here, or checked (treecheck)
    "numpy.dtype",  # rebuilt by skops from an empty array, not by unpickling
    "scipy.sparse._csr.csr_matrix",  # an SVM's support vectors on sparse one-hot input (.npz)
)

MAX_UPLOAD_BYTES = 500 * 2**20

PICKLE_REFUSAL = msg(
    "Glassbox never opens uploaded pickle files (.joblib, .pkl, .pickle): loading a pickle runs "
    "whatever code the file contains, so a model from anyone else could take over this server."
)


def load_trusted_joblib(data: bytes, metadata: ModelMetadata | bytes) -> ModelBundle:
    """Load a ``.joblib`` pipeline YOU wrote, with its ``model.json``. Unpickling runs code from
    the file: never call this on a file from anyone else (the dashboard never does)."""
    if isinstance(metadata, bytes):
        metadata = _parse_metadata(metadata, METADATA_FILE)
    pipe = joblib.load(io.BytesIO(data))
    return _bundle(pipe, metadata, "joblib file")


def looks_like_pickle(data: bytes) -> bool:
    """Pickle protocol 2+ starts with 0x80; joblib's default compression is a zlib stream."""
    head = data[:2]
    return head[:1] == b"\x80" or (
        len(head) == 2 and head[0] == 0x78 and (head[0] * 256 + head[1]) % 31 == 0
    )


def import_model(data: bytes, filename: str) -> tuple[ModelBundle, list[str]]:
    """Safely load an uploaded model: ``.skops`` only, fixed allow-list, versions checked.

    Returns the bundle and warnings to show; raises :class:`GlassboxError` with the reason for
    anything refused. Nothing in the file is executed.
    """
    name = filename.lower()
    if name.endswith((".joblib", ".pkl", ".pickle", ".jbl", ".sav")) or looks_like_pickle(data):
        raise GlassboxError(PICKLE_REFUSAL, msg("Export the model as .skops and upload that file."))
    if not name.endswith(".skops"):
        raise GlassboxError(
            msg(
                "“{filename}” is not a .skops file; Glassbox imports models only in that format.",
                filename=filename,
            )
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise GlassboxError(
            msg(
                "“{filename}” is larger than {limit} MB.",
                filename=filename,
                limit=MAX_UPLOAD_BYTES // 2**20,
            )
        )
    return load_skops(data, filename)


@dataclass
class SkopsFile:
    """A ``.skops`` archive unpacked within :data:`ZIP_LIMITS`, its schema parsed once."""

    entries: dict[str, bytes]
    schema: dict[str, Any]
    metadata: ModelMetadata
    signed: bool


def open_skops(data: bytes, filename: str = "model.skops") -> SkopsFile:
    """Unpack and read a Glassbox ``.skops`` without building any object from it."""
    entries = read_zip(data, ZIP_LIMITS, filename)
    if "schema.json" not in entries:
        raise GlassboxError(
            msg("“{filename}” is not a .skops file (it has no schema.json).", filename=filename)
        )
    if SKOPS_METADATA not in entries:
        raise GlassboxError(
            msg(
                "“{filename}” is a .skops file but not a Glassbox model (no {entry}).",
                filename=filename,
                entry=SKOPS_METADATA,
            ),
            msg("Models exported by Glassbox before version 2 of the format: export them again."),
        )
    try:
        schema = json.loads(entries["schema.json"])
        wrapper = json.loads(entries[SKOPS_METADATA])
        raw, signature = wrapper["metadata"], wrapper.get("signature")
    except (KeyError, TypeError, ValueError, RecursionError) as err:
        raise GlassboxError(
            msg("“{filename}” is a damaged Glassbox model ({err}).", filename=filename, err=err)
        ) from err
    metadata = _check_metadata(raw, filename)
    message = signed_message(metadata_json(raw), entries)  # the signature covers what was read
    return SkopsFile(entries, schema, metadata, signing.verify(message, signature))


def load_skops(data: bytes, filename: str = "model.skops") -> tuple[ModelBundle, list[str]]:
    """Check limits, metadata, versions and trees first, then load with :data:`ALLOWED_TYPES`."""
    unpacked = open_skops(data, filename)
    notes = check_versions(unpacked.metadata)
    if not unpacked.signed:
        try:
            check_trees(unpacked.schema, unpacked.entries)
        except TreeRefused as err:
            raise GlassboxError(
                msg("“{filename}” is refused: {err}.", filename=filename, err=err),
                msg("Only decision trees that scikit-learn could have written are loaded."),
            ) from err
    model_entries = {n: c for n, c in unpacked.entries.items() if n != SKOPS_METADATA}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentVersionWarning)
        try:
            pipe = sio.loads(write_zip(model_entries, zipfile.ZIP_STORED), trusted=ALLOWED_TYPES)
        except UntrustedTypesFoundException as err:
            raise GlassboxError(
                msg(
                    "“{filename}” contains types that Glassbox does not load: {types}. Only "
                    "scikit-learn pipelines made by Glassbox are accepted.",
                    filename=filename,
                    types=str(err).rstrip("."),
                )
            ) from err
        except Exception as err:  # any failure to rebuild is the file's fault, not a crash
            raise GlassboxError(
                msg(
                    "“{filename}” could not be loaded ({kind}: {err}).",
                    filename=filename,
                    kind=type(err).__name__,
                    err=err,
                )
            ) from err
    for w in caught:
        if issubclass(w.category, InconsistentVersionWarning):
            notes.append(msg("scikit-learn says: {warning}", warning=str(w.message)))
    return _bundle(pipe, unpacked.metadata, filename), notes


def load_onnx(data: bytes, filename: str = "model.onnx") -> tuple[ModelBundle, list[str]]:
    """A Glassbox ``.onnx`` file (metadata in its ``metadata_props``) run by ONNX Runtime.
    For serving your own exports: ONNX Runtime parses the file in native code."""
    metadata = _check_metadata(onnx_export.read_metadata(data, filename), filename)
    bundle = ModelBundle(None, metadata, source=filename)
    classes = list(bundle.schema.classes or ()) if bundle.schema.is_classifier else None
    try:
        bundle.runner = onnx_export.OnnxRunner(data, bundle.inputs, classes)
    except Exception as err:  # onnxruntime raises its own types for a bad graph
        raise GlassboxError(
            msg(
                "“{filename}” could not be loaded by ONNX Runtime ({err}).",
                filename=filename,
                err=err,
            )
        ) from err
    return bundle, []


def _bundle(pipe: Any, metadata: ModelMetadata, filename: str) -> ModelBundle:
    if not isinstance(pipe, Pipeline):
        raise GlassboxError(
            msg("“{filename}” does not hold a fitted scikit-learn pipeline.", filename=filename)
        )
    try:
        names = [str(n) for n in pipe.feature_names_in_]
    except AttributeError as err:
        raise GlassboxError(
            msg("“{filename}” holds a pipeline that was never fitted.", filename=filename)
        ) from err
    bundle = ModelBundle(pipe, metadata, source=filename)
    expected = input_columns(bundle.schema.names, bundle.inputs["dates"])
    if names != expected:
        raise GlassboxError(
            msg(
                "“{filename}”: the pipeline's input columns do not match its metadata "
                "({found} vs {expected}).",
                filename=filename,
                found=", ".join(names[:5]),
                expected=", ".join(expected[:5]),
            )
        )
    return bundle


def _parse_metadata(raw: bytes, filename: str) -> ModelMetadata:
    try:
        return _check_metadata(json.loads(raw), filename)
    except (TypeError, ValueError, RecursionError) as err:
        raise GlassboxError(
            msg(
                "“{filename}” is not valid model metadata JSON ({err}).", filename=filename, err=err
            )
        ) from err


def _check_metadata(metadata: Any, filename: str) -> ModelMetadata:
    """Format and version first (with the file's name in the message), then the typed read."""
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise GlassboxError(msg("“{filename}” is not Glassbox model metadata.", filename=filename))
    try:
        version = int(metadata.get("format_version", 0))
    except (TypeError, ValueError):
        version = 0
    if version > FORMAT_VERSION:
        raise GlassboxError(
            msg(
                "“{filename}” was written by a newer Glassbox (format {version}); this one reads "
                "format {ours}.",
                filename=filename,
                version=version,
                ours=FORMAT_VERSION,
            )
        )
    if version < FORMAT_VERSION:
        raise GlassboxError(
            msg(
                "“{filename}” was written by an older Glassbox (format {version}).",
                filename=filename,
                version=version,
            ),
            msg("Export the model again from this Glassbox."),
        )
    return ModelMetadata.from_dict(metadata)


def peek_metadata(data: bytes, filename: str = "model.skops") -> ModelMetadata:
    """The metadata of a Glassbox ``.skops`` archive, without building any object."""
    return open_skops(data, filename).metadata


def _major_minor(version: str) -> tuple[int, int] | None:
    match = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_versions(metadata: ModelMetadata, running: str | None = None) -> list[str]:
    """Same scikit-learn minor version: fine. Another minor: a warning naming both. Another
    major (or unknown): refused, since fitted models do not carry across major versions."""
    running = running or sklearn.__version__
    saved = str(metadata.versions.get("scikit-learn", ""))
    ours, theirs = _major_minor(running), _major_minor(saved)
    if theirs is None:
        raise GlassboxError(
            msg(
                "The model file does not say which scikit-learn version saved it, so it is refused."
            )
        )
    if ours is None or theirs[0] != ours[0]:
        raise GlassboxError(
            msg(
                "This model was saved with scikit-learn {saved}, but Glassbox runs scikit-learn "
                "{running}: models do not carry across major versions, so it is refused.",
                saved=saved,
                running=running,
            ),
            msg(
                "Retrain it here, or load it where scikit-learn {saved} is installed.", saved=saved
            ),
        )
    if theirs != ours:
        return [
            msg(
                "This model was saved with scikit-learn {saved}; Glassbox runs {running}. It "
                "loaded, but predictions may differ slightly: check them, or retrain it here.",
                saved=saved,
                running=running,
            )
        ]
    return []
