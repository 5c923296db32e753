"""Model files that work anywhere, and the one safe way to load one back.

The model itself is a plain fitted scikit-learn ``Pipeline`` (:func:`mllib.pipeline.portable`:
scikit-learn, numpy and scipy objects only) that takes the cleaned feature columns
(:mod:`mllib.cleaning`) and predicts. Its metadata (feature schema, target, classes, task,
hyperparameters, metrics, data fingerprint, library versions, how to clean rows) travels beside
it as JSON: ``model.json`` in the export zip, an extra ``glassbox-model.json`` entry inside the
``.skops`` archive (skops ignores it), and the model card. Files are written as ``.joblib`` (a
pickle, for your own Python code) and ``.skops`` (loads without running code from the file).

Uploaded models are accepted only as ``.skops``: unpacked within :data:`ZIP_LIMITS`, loaded with
the fixed :data:`ALLOWED_TYPES`, and any decision tree inside either signed by this server
(:mod:`mllib.signing`) or checked node by node first (:mod:`mllib.treecheck`). Pickles are never
opened, because unpickling runs whatever code the file contains.

Next to the model: a Markdown model card, a standalone ``train.py`` (:func:`train_script`) and
a zip with SHA-256 sums.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import hashlib
import importlib
import inspect
import io
import json
import math
import platform
import re
import shlex
import textwrap
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy
import sklearn
import skops
import skops.io as sio
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline
from skops.io.exceptions import UntrustedTypesFoundException

import mllib
from mllib import cleaning, onnx_export, signing
from mllib import pipeline as mlpipe
from mllib.cleaning import clean_features, input_columns
from mllib.csv_safe import neutralise
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.onnx_export import OnnxExport, export_onnx
from mllib.pipeline import portable
from mllib.predict import Prediction, predict
from mllib.profile import TableProfile
from mllib.safezip import ZipLimits, read_zip, write_zip
from mllib.schema import (
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    NUMERIC,
    FeatureSchema,
    build_schema,
    training_rows,
)
from mllib.threshold import METADATA_KEY as THRESHOLD_KEY
from mllib.threshold import apply as apply_threshold
from mllib.threshold import describe as describe_threshold
from mllib.training import TrainedModel, model_rows
from mllib.treecheck import TreeRefused, check_trees

FORMAT = "glassbox-model"
FORMAT_VERSION = 2
MODEL_STEM = "glassbox-model"
#: The metadata entry Glassbox adds to a ``.skops`` archive, and the export zip's metadata file.
SKOPS_METADATA = "glassbox-model.json"
METADATA_FILE = "model.json"

#: Types a ``.skops`` upload may contain beyond skops' own safe defaults (scikit-learn
#: estimators, numpy arrays, builtins). Fixed in code on purpose: never extend it with what
#: ``skops.io.get_untrusted_types`` reports for an uploaded file.
ALLOWED_TYPES: tuple[str, ...] = (
    "sklearn.tree._tree.Tree",  # a fitted decision tree: signed here, or checked (treecheck)
    "numpy.dtype",  # rebuilt by skops from an empty array, not by unpickling
    "scipy.sparse._csr.csr_matrix",  # an SVM's support vectors on sparse one-hot input (.npz)
)

MAX_UPLOAD_BYTES = 500 * 2**20
MAX_DOWNLOAD_BYTES = 300 * 2**20
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

PICKLE_REFUSAL = (
    "Glassbox never opens uploaded pickle files (.joblib, .pkl, .pickle): loading a pickle runs "
    "whatever code the file contains, so a model from anyone else could take over this server."
)


# --- the bundle ------------------------------------------------------------------------------


@dataclass
class ModelBundle:
    """A fitted pipeline with its metadata: what the Predict page, files and service share.

    ``runner`` predicts instead of the pipeline when the model came from an ``.onnx`` file
    (then ``pipeline`` is ``None``); ``check_rows`` are raw test rows that exported copies
    (ONNX) are checked against.
    """

    pipeline: Pipeline | None
    metadata: dict[str, Any]
    source: str = "trained in this session"
    runner: Any = field(default=None, repr=False, compare=False)
    check_rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    schema: FeatureSchema = field(init=False)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if self.metadata.get("format") != FORMAT:
            raise GlassboxError("This is not a Glassbox model: its metadata is missing.")
        self.schema = FeatureSchema.from_dict(self.metadata["schema"])
        text = json.dumps(self.metadata, sort_keys=True, default=str)
        self.key = hashlib.sha256(text.encode()).hexdigest()[:16]  # a cheap cache key

    @property
    def task(self) -> str:
        return self.schema.task

    @property
    def target(self) -> str:
        return self.schema.target

    @property
    def algorithm(self) -> str:
        return str(self.metadata.get("algorithm", {}).get("name", "model"))

    @property
    def title(self) -> str:
        return f"{self.algorithm} predicting “{self.target}” ({self.task})"

    @property
    def inputs(self) -> dict[str, list[str]]:
        """Which features are cleaned how (:func:`mllib.cleaning.clean_features`), and the
        pipeline's input ``columns`` that gives."""
        kinds = feature_kinds(self.schema)
        return {**kinds, "columns": input_columns(self.schema.names, kinds["dates"])}

    def clean(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Raw rows (feature columns) → the pipeline's input, as in training."""
        kinds = self.inputs
        return clean_features(frame, kinds["numeric"], kinds["categorical"], kinds["dates"])

    @property
    def threshold(self) -> dict[str, Any] | None:
        """The decision threshold chosen for a binary classifier (see :mod:`mllib.threshold`)."""
        return self.metadata.get(THRESHOLD_KEY)

    def with_threshold(self, entry: dict[str, Any] | None) -> ModelBundle:
        """The same model with ``entry`` as its decision threshold (``None``: the default)."""
        if entry == self.threshold:
            return self
        meta = {k: v for k, v in self.metadata.items() if k != THRESHOLD_KEY}
        if entry is not None:
            meta[THRESHOLD_KEY] = jsonable(entry)
        return ModelBundle(
            self.pipeline, meta, self.source, runner=self.runner, check_rows=self.check_rows
        )

    def predict(self, frame: pd.DataFrame) -> Prediction:
        """Predict raw rows already checked against the schema (and the chosen threshold)."""
        result = self.predict_raw(frame)
        if self.threshold:
            result.values = apply_threshold(result.values, result.scores, self.threshold)
        return result

    def predict_raw(self, frame: pd.DataFrame) -> Prediction:
        """What the model itself predicts, before any decision threshold."""
        cleaned = self.clean(frame[self.schema.names])
        if self.runner is not None:
            return self.runner.predict(cleaned)
        return predict(self.pipeline, cleaned)

    @functools.cached_property
    def onnx(self) -> OnnxExport:
        """The ``.onnx`` copy checked on :attr:`check_rows`, or why there is none (once)."""
        return export_onnx(self, self.check_rows)


def feature_kinds(schema: FeatureSchema) -> dict[str, list[str]]:
    """The cleaning each feature gets, from its role in the schema."""
    roles = {NUMERIC: "numeric", CATEGORICAL: "categorical", BOOLEAN: "categorical"}
    out: dict[str, list[str]] = {"numeric": [], "categorical": [], "dates": []}
    for feature in schema.features:
        out["dates" if feature.role == DATETIME else roles[feature.role]].append(feature.name)
    return out


def bundle_from_model(
    model: TrainedModel, dataset: Dataset, profile: TableProfile | None = None
) -> ModelBundle:
    """Wrap a freshly trained model with everything needed to trust and serve it later."""
    if model.data_fingerprint and model.data_fingerprint != dataset.fingerprint:
        raise GlassboxError(
            "The loaded data changed since this model was trained.",
            "Retrain it on the Train page before predicting or exporting.",
        )
    schema = build_schema(model, dataset.frame, profile)
    test_rows = model_rows(dataset.frame, model.config).iloc[model.test_index]
    return ModelBundle(
        portable(model.pipeline),
        build_metadata(model, dataset, schema),
        check_rows=test_rows[list(schema.names)].reset_index(drop=True),
    )


def build_metadata(model: TrainedModel, dataset: Dataset, schema: FeatureSchema) -> dict[str, Any]:
    config = model.config
    estimator = model.pipeline.named_steps["model"]
    inner = getattr(estimator, "regressor_", estimator)
    rows = training_rows(dataset.frame, model)
    class_counts = None
    if schema.is_classifier:
        labels = rows[config.target].map(mlpipe.category_text)
        class_counts = {str(k): int(v) for k, v in labels.value_counts().items()}
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.fromtimestamp(model.created, dt.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "task": schema.task,
        "target": schema.target,
        "classes": list(schema.classes) if schema.classes is not None else None,
        "class_counts": class_counts,
        "algorithm": {
            "key": config.algorithm,
            "name": model.spec.name,
            "estimator": f"{_public_module(type(inner))}.{type(inner).__name__}",
            "target_scaled": inner is not estimator,
        },
        "hyperparameters": config.param_dict,
        "split": {
            "train_rows": model.n_train,
            "test_rows": model.n_test,
            "test_size": config.test_size,
            "seed": config.seed,
            "stratified": schema.is_classifier,
            "cv_folds": config.cv_folds,
            "sample_rows": config.sample_rows,
        },
        "training_rows": model.n_train,
        "metrics": {
            "train": model.train_scores,
            "test": model.test_scores,
            "cv": model.cv.to_dict(orient="records") if model.cv is not None else None,
        },
        "data": {
            "name": dataset.name,
            "source": dataset.source,
            "file": data_filename(dataset),
            "fingerprint": dataset.fingerprint,
            "rows": dataset.n_rows,
            "columns": dataset.n_cols,
            "file_format": dataset.file_format,
            "encoding": dataset.encoding,
            "delimiter": dataset.delimiter,
            "decimal": dataset.decimal,
            "sheet": dataset.sheet,
        },
        "preprocessing": model.plan.describe().to_dict(orient="records"),
        "schema": schema.to_dict(),
        "inputs": {
            **feature_kinds(schema),
            "columns": input_columns(list(schema.names), list(model.plan.datetime)),
        },
        "warnings": list(model.warnings),
        "versions": library_versions(),
    }
    return jsonable(meta)


def data_filename(dataset: Dataset) -> str:
    """The file the data came from (a sample's file name, not its title)."""
    if dataset.source == "sample":
        from mllib.samples import SAMPLES

        for sample in SAMPLES.values():
            if sample.title == dataset.name:
                return sample.filename
    return dataset.name


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "skops": skops.__version__,
        "glassbox": mllib.__version__,
    }


def jsonable(value: Any) -> Any:
    """Plain JSON values only: numpy scalars unwrapped, NaN/inf become null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --- writing -----------------------------------------------------------------------------------


def metadata_json(metadata: dict[str, Any]) -> bytes:
    """The metadata as the UTF-8 JSON written beside the model (``model.json``)."""
    return json.dumps(metadata, allow_nan=False, ensure_ascii=False, indent=1).encode()


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
    signature = signing.sign(_signed_message(meta, entries))
    entries[SKOPS_METADATA] = json.dumps(
        {"metadata": json.loads(meta), "signature": signature}, ensure_ascii=False
    ).encode()
    return write_zip(entries, zipfile.ZIP_DEFLATED)


def _signed_message(meta: bytes, entries: dict[str, bytes]) -> bytes:
    model_parts = [(n, c) for n, c in entries.items() if n != SKOPS_METADATA]
    return FORMAT.encode() + b"\0" + signing.digest_parts([("metadata", meta), *model_parts])


# --- loading -----------------------------------------------------------------------------------


def load_trusted_joblib(data: bytes, metadata: dict[str, Any] | bytes) -> ModelBundle:
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
        raise GlassboxError(PICKLE_REFUSAL, "Export the model as .skops and upload that file.")
    if not name.endswith(".skops"):
        raise GlassboxError(
            f"“{filename}” is not a .skops file; Glassbox imports models only in that format."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise GlassboxError(f"“{filename}” is larger than {MAX_UPLOAD_BYTES // 2**20} MB.")
    return load_skops(data, filename)


@dataclass
class SkopsFile:
    """A ``.skops`` archive unpacked within :data:`ZIP_LIMITS`, its schema parsed once."""

    entries: dict[str, bytes]
    schema: dict[str, Any]
    metadata: dict[str, Any]
    signed: bool


def open_skops(data: bytes, filename: str = "model.skops") -> SkopsFile:
    """Unpack and read a Glassbox ``.skops`` without building any object from it."""
    entries = read_zip(data, ZIP_LIMITS, filename)
    if "schema.json" not in entries:
        raise GlassboxError(f"“{filename}” is not a .skops file (it has no schema.json).")
    if SKOPS_METADATA not in entries:
        raise GlassboxError(
            f"“{filename}” is a .skops file but not a Glassbox model (no {SKOPS_METADATA}).",
            "Models exported by Glassbox before version 2 of the format: export them again.",
        )
    try:
        schema = json.loads(entries["schema.json"])
        wrapper = json.loads(entries[SKOPS_METADATA])
        metadata, signature = wrapper["metadata"], wrapper.get("signature")
    except (KeyError, TypeError, ValueError, RecursionError) as err:
        raise GlassboxError(f"“{filename}” is a damaged Glassbox model ({err}).") from err
    metadata = _check_metadata(metadata, filename)
    message = _signed_message(metadata_json(metadata), entries)
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
                f"“{filename}” is refused: {err}.",
                "Only decision trees that scikit-learn could have written are loaded.",
            ) from err
    model_entries = {n: c for n, c in unpacked.entries.items() if n != SKOPS_METADATA}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentVersionWarning)
        try:
            pipe = sio.loads(write_zip(model_entries, zipfile.ZIP_STORED), trusted=ALLOWED_TYPES)
        except UntrustedTypesFoundException as err:
            raise GlassboxError(
                f"“{filename}” contains types that Glassbox does not load: "
                f"{str(err).rstrip('.')}. Only scikit-learn pipelines made by Glassbox are "
                "accepted."
            ) from err
        except Exception as err:  # any failure to rebuild is the file's fault, not a crash
            raise GlassboxError(
                f"“{filename}” could not be loaded ({type(err).__name__}: {err})."
            ) from err
    for w in caught:
        if issubclass(w.category, InconsistentVersionWarning):
            notes.append(f"scikit-learn says: {w.message}")
    return _bundle(pipe, unpacked.metadata, filename), notes


def load_onnx(data: bytes, filename: str = "model.onnx") -> tuple[ModelBundle, list[str]]:
    """A Glassbox ``.onnx`` file (metadata in its ``metadata_props``) run by ONNX Runtime.
    For serving your own exports: ONNX Runtime parses the file in native code."""
    metadata = _check_metadata(onnx_export.read_metadata(data, filename), filename)
    bundle = ModelBundle(None, metadata, source=filename)
    classes = list(bundle.schema.classes) if bundle.schema.is_classifier else None
    try:
        bundle.runner = onnx_export.OnnxRunner(data, bundle.inputs, classes)
    except Exception as err:  # onnxruntime raises its own types for a bad graph
        raise GlassboxError(f"“{filename}” could not be loaded by ONNX Runtime ({err}).") from err
    return bundle, []


def _bundle(pipe: Any, metadata: dict[str, Any], filename: str) -> ModelBundle:
    if not isinstance(pipe, Pipeline):
        raise GlassboxError(f"“{filename}” does not hold a fitted scikit-learn pipeline.")
    try:
        names = [str(n) for n in pipe.feature_names_in_]
    except AttributeError as err:
        raise GlassboxError(f"“{filename}” holds a pipeline that was never fitted.") from err
    bundle = ModelBundle(pipe, metadata, source=filename)
    expected = input_columns(bundle.schema.names, bundle.inputs["dates"])
    if names != expected:
        raise GlassboxError(
            f"“{filename}”: the pipeline's input columns do not match its metadata "
            f"({', '.join(names[:5])} vs {', '.join(expected[:5])})."
        )
    return bundle


def _parse_metadata(raw: bytes, filename: str) -> dict[str, Any]:
    try:
        return _check_metadata(json.loads(raw), filename)
    except (TypeError, ValueError, RecursionError) as err:
        raise GlassboxError(f"“{filename}” is not valid model metadata JSON ({err}).") from err


def _check_metadata(metadata: Any, filename: str) -> dict[str, Any]:
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise GlassboxError(f"“{filename}” is not Glassbox model metadata.")
    try:
        version = int(metadata.get("format_version", 0))
    except (TypeError, ValueError):
        version = 0
    if version > FORMAT_VERSION:
        raise GlassboxError(
            f"“{filename}” was written by a newer Glassbox (format {version}); "
            f"this one reads format {FORMAT_VERSION}."
        )
    if version < FORMAT_VERSION:
        raise GlassboxError(
            f"“{filename}” was written by an older Glassbox (format {version}).",
            "Export the model again from this Glassbox.",
        )
    return metadata


def peek_metadata(data: bytes, filename: str = "model.skops") -> dict[str, Any]:
    """The metadata of a Glassbox ``.skops`` archive, without building any object."""
    return open_skops(data, filename).metadata


def _major_minor(version: str) -> tuple[int, int] | None:
    match = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def check_versions(metadata: dict[str, Any], running: str | None = None) -> list[str]:
    """Same scikit-learn minor version: fine. Another minor: a warning naming both. Another
    major (or unknown): refused, since fitted models do not carry across major versions."""
    running = running or sklearn.__version__
    saved = str(metadata.get("versions", {}).get("scikit-learn", ""))
    ours, theirs = _major_minor(running), _major_minor(saved)
    if theirs is None:
        raise GlassboxError(
            "The model file does not say which scikit-learn version saved it, so it is refused."
        )
    if ours is None or theirs[0] != ours[0]:
        raise GlassboxError(
            f"This model was saved with scikit-learn {saved}, but Glassbox runs scikit-learn "
            f"{running}: models do not carry across major versions, so it is refused.",
            f"Retrain it here, or load it where scikit-learn {saved} is installed.",
        )
    if theirs != ours:
        return [
            f"This model was saved with scikit-learn {saved}; Glassbox runs {running}. It "
            "loaded, but predictions may differ slightly: check them, or retrain it here."
        ]
    return []


# --- model card ----------------------------------------------------------------------------


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            text = f"{value:.4f}"
        else:
            text = "" if value is None else neutralise(str(value))
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def limitations(metadata: dict[str, Any], schema: FeatureSchema) -> list[str]:
    """Plain-language caveats derived from the metrics, the data and the algorithm."""
    out = []
    numeric = [f for f in schema.features if f.range_text()]
    if numeric:
        out.append(
            "Trained on values in these ranges only; outside them the model extrapolates: "
            + "; ".join(f"{f.name} {f.range_text()}" for f in numeric[:12])
            + ("; …" if len(numeric) > 12 else "")
            + "."
        )
    train_rows = int(metadata.get("training_rows") or 0)
    if train_rows < 200:
        out.append(
            f"Only {train_rows} training rows: scores on new data may differ noticeably from "
            "the test score."
        )
    counts = metadata.get("class_counts") or {}
    if counts:
        low, high = min(counts.values()), max(counts.values())
        if low and high / low >= 3:
            rare = min(counts, key=counts.get)
            out.append(
                f"Classes are imbalanced (“{rare}” has {low} training rows, the largest class "
                f"{high}); accuracy flatters the model, so read balanced accuracy and recall."
            )
    train = metadata.get("metrics", {}).get("train") or {}
    test = metadata.get("metrics", {}).get("test") or {}
    primary = next(iter(test), None)  # R² or accuracy: higher is better
    if primary and train.get(primary) is not None and test.get(primary) is not None:
        gap = train[primary] - test[primary]
        if gap > 0.1:
            out.append(
                f"Train {primary} exceeds test {primary} by {gap:.2f}: the model over-fits; "
                "trust the test score."
            )
    rare = [f.name for f in schema.features if f.infrequent]
    if rare:
        out.append("Rare categories were grouped as “infrequent” in: " + ", ".join(rare) + ".")
    missing = [f.name for f in schema.features if f.missing > 0]
    if missing:
        out.append(
            "Missing values were filled in (median / most frequent) in: "
            + ", ".join(missing)
            + "; the same happens at prediction time."
        )
    out.append(
        "Categories never seen in training carry no information for the model; the service "
        "refuses them, the Predict page warns and predicts without them."
    )
    if schema.is_classifier:
        key = metadata.get("algorithm", {}).get("key")
        if key in ("svm", "linear_svm"):
            out.append("This SVM gives decision scores, not probabilities.")
        elif key == "tree":
            out.append("Tree probabilities are leaf class shares: coarse and not calibrated.")
    out.extend(metadata.get("warnings") or [])
    return out


def model_card(bundle: ModelBundle) -> str:
    """A Markdown model card: details, data, metrics, intended use, limitations, versions."""
    meta, schema = bundle.metadata, bundle.schema
    algo, data, split = meta["algorithm"], meta["data"], meta["split"]
    params = meta.get("hyperparameters") or {}
    feature_rows = []
    for f in schema.features:
        values = f.range_text() or ", ".join(f.categories[:10]) + (
            "…" if len(f.categories) > 10 else ""
        )
        feature_rows.append(
            {
                "feature": f.name,
                "role": f.role,
                "type": f.dtype,
                "values in training": values,
                "missing": f"{f.missing:.1%}",
            }
        )
    metrics = meta["metrics"]
    metric_rows = [
        {
            "metric": name,
            "train": metrics["train"].get(name),
            "test": value,
        }
        for name, value in metrics["test"].items()
    ]
    parts = [
        f"# Model card: {algo['name']} predicting “{schema.target}”",
        "",
        f"Created {meta['created']} with Glassbox {meta['versions'].get('glassbox')}. "
        f"Task: **{schema.task}**.",
        "",
        "## Model details",
        "",
        f"- Algorithm: {algo['name']} (`{algo['estimator']}`)"
        + (", target standardised inside the model" if algo.get("target_scaled") else ""),
        "- Hyperparameters: "
        + (", ".join(f"`{k}={v!r}`" for k, v in params.items()) or "none (defaults)"),
        f"- Target: `{schema.target}`"
        + (f"; classes: {', '.join(schema.classes)}" if schema.classes else ""),
        *(
            [
                f"- Decision threshold: {describe_threshold(bundle.threshold)} (metadata key "
                f"`{THRESHOLD_KEY}`; the test metrics below were measured at the default "
                "cut-off; apply it yourself when you call the pipeline directly)."
            ]
            if bundle.threshold
            else []
        ),
        "- Files: `glassbox-model.skops` (safe to load), `glassbox-model.joblib` (pickle: load "
        "only if you trust its source), `train.py` (rebuilds the model from the data).",
        "",
        "### Preprocessing",
        "",
        _table(meta.get("preprocessing") or [], ["columns treated as", "columns", "what is done"]),
        "",
        "## Data",
        "",
        f"- Dataset: {data['name']} (`{data['file']}`, {data['rows']:,} rows × "
        f"{data['columns']} columns)",
        f"- Fingerprint (SHA-256 of the file and reading options): `{data['fingerprint']}`",
        f"- Split: {split['train_rows']:,} training rows, {split['test_rows']:,} test rows, "
        f"seed {split['seed']}" + (", stratified by class" if split.get("stratified") else ""),
        "",
        _table(feature_rows, ["feature", "role", "type", "values in training", "missing"]),
        "",
    ]
    if meta.get("class_counts"):
        counts = ", ".join(f"{k}: {v}" for k, v in meta["class_counts"].items())
        parts += [f"Training rows per class: {counts}.", ""]
    parts += [
        "## Metrics",
        "",
        "Scores on the training rows and on the held-out test rows the model never saw.",
        "",
        _table(metric_rows, ["metric", "train", "test"]),
        "",
    ]
    if metrics.get("cv"):
        folds = metrics["cv"][0].get("folds")
        parts += [
            f"{folds}-fold cross-validation (mean ± standard deviation):",
            "",
            _table(metrics["cv"], ["metric", "mean", "std", "folds"]),
            "",
        ]
    parts += [
        "## Intended use",
        "",
        f"Predict `{schema.target}` for new rows that come from the same source as "
        f"“{data['name']}”: the same columns, units and categories, and values inside the "
        "training ranges. It was built in Glassbox, a learning and prototyping tool: it has not "
        "been validated for decisions about people, money or safety.",
        "",
        "## Limitations",
        "",
        *[f"- {item}" for item in limitations(meta, schema)],
        "",
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".",
        "",
        "## Using the files",
        "",
        "The model is a plain scikit-learn pipeline: it loads wherever scikit-learn "
        f"{meta['versions'].get('scikit-learn')} is installed, without Glassbox.",
        "",
        "```python",
        *usage_code(bundle).splitlines(),
        "```",
        "",
        f"Serve it: `{serve_command()}` (see docs/serving.md).",
        "",
    ]
    return "\n".join(parts)


def usage_code(
    bundle: ModelBundle,
    loader: str = "joblib",
    model_file: str | None = None,
    data_file: str = "new-rows.csv",
) -> str:
    """Copy-paste Python that loads the exported file (``loader`` "joblib", "skops" or "onnx")
    and predicts a CSV of new rows, cleaning them as Glassbox does."""
    kinds = bundle.inputs
    path = model_file or f"{MODEL_STEM}.{loader}"
    imports = {
        "joblib": ["import joblib", "import pandas as pd"],
        "skops": ["import pandas as pd", "import skops.io"],
        "onnx": ["import numpy as np", "import onnxruntime", "import pandas as pd"],
    }[loader]
    load = {
        "joblib": f"pipe = joblib.load({path!r})  # a pickle: load only files you trust",
        "skops": f"pipe = skops.io.load({path!r}, trusted={list(ALLOWED_TYPES)!r})",
        "onnx": f"session = onnxruntime.InferenceSession({path!r})",
    }[loader]
    lines = [*imports, "", load]
    lines += [f"table = pd.read_csv({data_file!r})  # the columns the model was trained on"]
    if kinds["dates"]:
        lines += [
            "# each date becomes year, month, day and weekday (Monday = 0), as in Glassbox",
            f"for name in {kinds['dates']!r}:",
            '    date = pd.to_datetime(table[name], errors="coerce", format="mixed")',
            '    table[f"{name}_year"] = date.dt.year',
            '    table[f"{name}_month"] = date.dt.month',
            '    table[f"{name}_day"] = date.dt.day',
            '    table[f"{name}_dayofweek"] = date.dt.day_of_week',
        ]
    if loader == "onnx":
        lines += [
            "# one [rows, 1] input per column: float32 numbers, text categories ('' = missing)",
            "feeds = {}",
            "for node in session.get_inputs():",
            "    column = table[node.name]",
            '    if node.type == "tensor(string)":',
            '        column = column.map(lambda v: "" if pd.isna(v) else str(v)).astype(object)',
            "        feeds[node.name] = column.to_numpy().reshape(-1, 1)",
            "    else:",
            "        feeds[node.name] = column.to_numpy(dtype=np.float32).reshape(-1, 1)",
            "labels, *scores = session.run(None, feeds)  # scores: probabilities or SVM scores",
            "print(labels.ravel())",
        ]
        return "\n".join(lines)
    if kinds["categorical"]:
        lines += [
            "# categories are text, as in training (True is “True”)",
            f"for name in {kinds['categorical']!r}:",
            "    table[name] = table[name].map(lambda v: v if pd.isna(v) else str(v))",
        ]
    lines += ["print(pipe.predict(table[pipe.feature_names_in_]))"]
    return "\n".join(lines)


# --- standalone train.py --------------------------------------------------------------------


def _public_module(cls: type) -> str:
    """``sklearn.tree`` for ``sklearn.tree._classes.DecisionTreeClassifier``."""
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        if any(p.startswith("_") for p in parts[:i]):
            break
        module = importlib.import_module(".".join(parts[:i]))
        if getattr(module, cls.__name__, None) is cls:
            return ".".join(parts[:i])
    return cls.__module__


class _Source:
    """Python source for an unfitted copy of a scikit-learn object (non-default params only)."""

    def __init__(self) -> None:
        self.imports: dict[str, set[str]] = {}

    def expr(self, value: Any, indent: int = 0) -> str:
        if isinstance(value, BaseEstimator):
            return self._estimator(value, indent)
        if isinstance(value, list | tuple):
            items = [self.expr(v, indent + 4) for v in value]
            open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
            if isinstance(value, tuple) and len(items) == 1:
                items[0] += ","
            return self._wrap(open_, items, close, indent)
        if isinstance(value, dict):
            items = [f"{k!r}: {self.expr(v, indent + 4)}" for k, v in value.items()]
            return self._wrap("{", items, "}", indent)
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return f'float("{value}")'
        if isinstance(value, type):
            self.imports.setdefault("numpy", set())
            return f"np.{value.__name__}" if value.__module__ == "numpy" else value.__name__
        if isinstance(value, np.ndarray):
            return self.expr(value.tolist(), indent)
        return repr(value)

    def _estimator(self, obj: BaseEstimator, indent: int) -> str:
        cls = type(obj)
        if cls.__module__ != mlpipe.__name__:
            self.imports.setdefault(_public_module(cls), set()).add(cls.__name__)
        defaults = {
            name: p.default
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        args = []
        for name, value in obj.get_params(deep=False).items():
            if name in defaults and _same(value, defaults[name]):
                continue
            args.append(f"{name}={self.expr(value, indent + 4)}")
        return self._wrap(f"{cls.__name__}(", args, ")", indent)

    @staticmethod
    def _wrap(open_: str, items: list[str], close: str, indent: int) -> str:
        flat = open_ + ", ".join(items) + close
        if len(flat) + indent <= 88 and "\n" not in flat:
            return flat
        pad = " " * (indent + 4)
        return open_ + "\n" + "".join(f"{pad}{i},\n" for i in items) + " " * indent + close


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, BaseEstimator) or isinstance(b, BaseEstimator):
        return False
    try:
        return bool(type(a) is type(b) and a == b) or (a is b)
    except (ValueError, TypeError):
        return False


def _copied_source(*roots: Any) -> str:
    """The source of ``roots`` plus the constants of their module and the ``mllib`` helpers
    they use (e.g. ``profile.parse_dates``), in dependency order, so the generated script
    stays in step with :mod:`mllib.cleaning`."""
    constants: list[str] = []
    blocks: list[str] = []
    seen: set[str] = set()

    def visit(obj: Any) -> None:
        source = textwrap.dedent(inspect.getsource(obj))
        used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        module = getattr(
            obj, "__globals__", vars(cleaning)
        )  # names as the helper's module sees them
        for name in sorted(used - seen):
            value = module.get(name)
            if value is None or name == obj.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                if str(getattr(value, "__module__", "")).startswith("mllib."):
                    seen.add(name)
                    visit(value)
            elif isinstance(value, str | int | float | tuple | dict | frozenset):
                seen.add(name)
                constants.append(f"{name} = {value!r}")
        blocks.append(source.strip())

    for root in roots:
        seen.add(root.__name__)
        visit(root)
    return "\n".join(constants) + "\n\n\n" + "\n\n\n".join(blocks)


def _read_code(meta: dict[str, Any]) -> str:
    data = meta["data"]
    fmt = data.get("file_format")
    if fmt == "excel":
        sheet = data.get("sheet")
        return (
            f"frame = pd.read_excel(path, sheet_name={sheet!r})"
            if sheet
            else ("frame = pd.read_excel(path)")
        )
    if fmt == "parquet":
        return "frame = pd.read_parquet(path)"
    options = [f"sep={data.get('delimiter') or ','!r}", f"decimal={data.get('decimal') or '.'!r}"]
    if data.get("decimal") == ",":
        options.append("thousands='.'")
    if data.get("encoding"):
        options.append(f"encoding={data['encoding']!r}")
    options.append("skipinitialspace=True")
    return f"frame = pd.read_csv(path, {', '.join(options)})"


_SCRIPT = '''#!/usr/bin/env python3
"""Rebuild the Glassbox model: {title}.

Generated by Glassbox {glassbox} on {created}.
Standalone: needs Python, pandas, numpy and scikit-learn only (the model was trained with
scikit-learn {sklearn}, pandas {pandas}, numpy {numpy}).
It reads the data file exactly as Glassbox did, drops rows whose target is missing, makes the
same train/test split and fits the same preprocessing and hyperparameters, then prints the
test metrics next to the ones Glassbox reported.

    python train.py {data_file}
    python train.py {data_file} --save model.joblib
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any

import numpy as np
import pandas as pd
{imports}

DATA_FILE = {data_file!r}
DATA_ROWS = {data_rows!r}
TARGET = {target!r}
FEATURES = {features}
NUMERIC = {numeric}
CATEGORICAL = {categorical}
DATES = {dates}
TASK = {task!r}
SEED = {seed!r}
TEST_ROWS = {test_rows!r}
SAMPLE_ROWS = {sample_rows!r}
GLASSBOX_TEST_METRICS = {expected}

# --- Glassbox's row cleaning, copied verbatim from mllib/cleaning.py ---------------------------

{helpers}


def build_pipeline() -> Pipeline:
    """The same preprocessing and estimator, with the same hyperparameters: plain
    scikit-learn, taking clean_features(...) output."""
    return {pipeline}


def read_data(path: str) -> pd.DataFrame:
    {read}
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def drop_bad_target_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a missing or infinite target cannot be used (as in Glassbox)."""
    series = frame[TARGET]
    keep = series.notna()
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        keep &= np.isfinite(series.to_numpy(dtype=float))
    return frame.loc[keep].reset_index(drop=True)


def score(y_true, y_pred, raw, classes) -> dict[str, float]:
    """The metrics Glassbox shows, computed the same way."""
    if TASK == "regression":
        return {{
            "R²": metrics.r2_score(y_true, y_pred),
            "MAE": metrics.mean_absolute_error(y_true, y_pred),
            "RMSE": metrics.root_mean_squared_error(y_true, y_pred),
        }}
    out = {{
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "precision (macro)": metrics.precision_score(
            y_true, y_pred, average="macro", zero_division=0
        ),
        "recall (macro)": metrics.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "F1 (macro)": metrics.f1_score(y_true, y_pred, average="macro", zero_division=0),
    }}
    if raw is not None and len(np.unique(y_true)) >= 2:
        if len(classes) == 2:
            column = raw if raw.ndim == 1 else raw[:, 1]
            out["ROC AUC"] = metrics.roc_auc_score(np.asarray(y_true) == classes[1], column)
        elif raw.ndim == 2 and len(np.unique(y_true)) == len(classes):
            if not (raw.min() >= 0 and np.allclose(raw.sum(axis=1), 1)):
                raw = np.exp(raw - raw.max(axis=1, keepdims=True))
                raw = raw / raw.sum(axis=1, keepdims=True)
            out["ROC AUC"] = metrics.roc_auc_score(
                y_true, raw, multi_class="ovr", labels=classes
            )
    return {{k: float(v) for k, v in out.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=DATA_FILE, help="the data file")
    parser.add_argument(
        "--save",
        help="write the fitted pipeline to this .joblib file (it predicts from "
        "clean_features(table[FEATURES], NUMERIC, CATEGORICAL, DATES))",
    )
    args = parser.parse_args(argv)
    frame = read_data(args.data)
    if len(frame) != DATA_ROWS:
        print(
            f"Note: {{args.data}} has {{len(frame)}} rows; Glassbox trained on a table of "
            f"{{DATA_ROWS}} rows, so the split and the scores will differ.",
            file=sys.stderr,
        )
    data = drop_bad_target_rows(frame)
    if SAMPLE_ROWS and len(data) > SAMPLE_ROWS:
        data = data.sample(SAMPLE_ROWS, random_state=SEED).reset_index(drop=True)
    X = clean_features(data[FEATURES], NUMERIC, CATEGORICAL, DATES)
    y = data[TARGET]
    if TASK == "classification":
        y = y.map(category_text)  # one label type: 1, 1.0, "1" and True are text
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=TEST_ROWS,
        random_state=SEED,
        stratify=y if TASK == "classification" else None,
    )
    pipe = build_pipeline().fit(X_train, y_train)
    classes = list(pipe.classes_) if TASK == "classification" else None
    raw = None
    if classes is not None:
        raw = (
            pipe.predict_proba(X_test)
            if hasattr(pipe, "predict_proba")
            else pipe.decision_function(X_test)
        )
    scores = score(y_test, pipe.predict(X_test), raw, classes)
    print(f"{{len(X_train)}} training rows, {{len(X_test)}} test rows")
    for name, value in scores.items():
        glassbox = GLASSBOX_TEST_METRICS.get(name)
        shown = "" if glassbox is None else f"   (Glassbox: {{glassbox:.10f}})"
        print(f"test {{name}}: {{value:.10f}}{{shown}}")
    if args.save:
        import joblib

        joblib.dump(pipe, args.save, compress=3)
        print(f"saved the fitted pipeline to {{args.save}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def train_script(bundle: ModelBundle) -> str:
    """A standalone ``train.py`` that refits the same model from the data file."""
    meta, schema = bundle.metadata, bundle.schema
    source = _Source()
    unfitted = clone(bundle.pipeline)
    pipeline_code = source.expr(unfitted, indent=4)
    for module, name in (
        ("sklearn", "metrics"),
        ("sklearn.model_selection", "train_test_split"),
        ("sklearn.pipeline", "Pipeline"),
    ):
        source.imports.setdefault(module, set()).add(name)
    imports = "\n".join(
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(source.imports.items())
        if module != "numpy" and names
    )
    helpers = _copied_source(cleaning.clean_features)
    expected = {k: v for k, v in meta["metrics"]["test"].items() if v is not None}
    split = meta["split"]
    return _SCRIPT.format(
        title=bundle.title,
        glassbox=meta["versions"].get("glassbox"),
        created=meta["created"],
        sklearn=meta["versions"].get("scikit-learn"),
        pandas=meta["versions"].get("pandas"),
        numpy=meta["versions"].get("numpy"),
        data_file=meta["data"]["file"],
        data_rows=meta["data"]["rows"],
        target=schema.target,
        features=source.expr(list(schema.names)),
        numeric=source.expr(bundle.inputs["numeric"]),
        categorical=source.expr(bundle.inputs["categorical"]),
        dates=source.expr(bundle.inputs["dates"]),
        task=schema.task,
        seed=split["seed"],
        test_rows=split["test_rows"],
        sample_rows=split.get("sample_rows"),
        expected=source.expr(expected),
        imports=imports,
        helpers=helpers,
        pipeline=pipeline_code,
        read=_read_code(meta),
    )


# --- files, hashes and the serving snippets -----------------------------------------------


@dataclass(frozen=True)
class Artifact:
    """One downloadable file."""

    filename: str
    data: bytes
    mime: str
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def downloadable(self) -> bool:
        return self.size <= MAX_DOWNLOAD_BYTES


def export_artifacts(bundle: ModelBundle) -> list[Artifact]:
    """The model in both formats, the model card, ``train.py`` and a zip of all with sums."""
    files = [
        Artifact(
            f"{MODEL_STEM}.skops",
            to_skops(bundle),
            "application/octet-stream",
            "The fitted scikit-learn pipeline with its metadata inside; loads without running "
            "code (skops.io.load, or import it into Glassbox).",
        ),
        Artifact(
            f"{MODEL_STEM}.joblib",
            to_joblib(bundle),
            "application/octet-stream",
            "The same pipeline as a joblib pickle, for your own Python code (load only files "
            "you trust).",
        ),
        *(
            [
                Artifact(
                    f"{MODEL_STEM}.onnx",
                    bundle.onnx.data,
                    "application/octet-stream",
                    "The same model as ONNX, for ONNX Runtime in any language. "
                    + bundle.onnx.message,
                )
            ]
            if bundle.onnx.data is not None
            else []
        ),
        Artifact(
            METADATA_FILE,
            metadata_json(bundle.metadata),
            "application/json",
            "The metadata: schema, classes, metrics, versions, data fingerprint, input columns.",
        ),
        Artifact(
            "model-card.md",
            model_card(bundle).encode(),
            "text/markdown",
            "Data, metrics, intended use and limitations.",
        ),
        Artifact(
            "train.py",
            train_script(bundle).encode(),
            "text/x-python",
            "Rebuilds the same model from the data file (pandas + scikit-learn only).",
        ),
    ]
    sums = "".join(f"{a.sha256}  {a.filename}\n" for a in files)
    packed = write_zip({**{a.filename: a.data for a in files}, "SHA256SUMS": sums.encode()})
    files.append(
        Artifact(
            f"{MODEL_STEM}.zip",
            packed,
            "application/zip",
            "All the files above plus SHA256SUMS (check with `sha256sum -c SHA256SUMS`).",
        )
    )
    return files


def hash_table(artifacts: list[Artifact]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"file": a.filename, "size": human_size(a.size), "SHA-256": a.sha256} for a in artifacts]
    )


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def serve_command(filename: str = f"{MODEL_STEM}.skops", port: int = 8000) -> str:
    return f"python -m mllib.serve {shlex.quote(filename)} --port {port}"


def curl_example(schema: FeatureSchema, port: int = 8000, host: str = "127.0.0.1") -> str:
    """A ready-to-paste request with one typical row (medians and most frequent values)."""
    body = json.dumps({"rows": [schema.example_row()]}, ensure_ascii=False)
    return (
        f"curl -s -X POST http://{host}:{port}/predict \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f"  -d {shlex.quote(body)}"
    )
