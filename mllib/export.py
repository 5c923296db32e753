"""Model files a data scientist can trust, and the one safe way to load one back.

A model file holds one object: the fitted pipeline plus plain JSON metadata (feature schema,
target, classes, task, hyperparameters, metrics, data fingerprint, library versions, creation
time). It is written twice: ``.joblib`` (a pickle, for your own Python code) and ``.skops`` (a
format that loads without running code from the file). Uploaded models are accepted only as
``.skops`` and only with the fixed :data:`ALLOWED_TYPES`; pickles are never opened, because
unpickling runs whatever code the file contains.

Next to the model: a Markdown model card, a standalone ``train.py`` (see
:mod:`mllib.scriptgen`-style code in :func:`train_script`) and a zip with SHA-256 sums.
"""

from __future__ import annotations

import ast
import datetime as dt
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

import mllib
from mllib import pipeline as mlpipe
from mllib.csv_safe import neutralise
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.predict import Prediction, predict
from mllib.profile import TableProfile
from mllib.schema import FeatureSchema, build_schema, training_rows
from mllib.training import TrainedModel

FORMAT = "glassbox-model"
FORMAT_VERSION = 1
MODEL_STEM = "glassbox-model"

#: Types a ``.skops`` upload may contain beyond skops' own safe defaults (scikit-learn
#: estimators, numpy arrays, builtins). Fixed in code on purpose: never extend it with what
#: ``skops.io.get_untrusted_types`` reports for an uploaded file.
ALLOWED_TYPES: tuple[str, ...] = (
    "mllib.pipeline.Coerce",  # Glassbox's own type coercion step (pure pandas)
    "mllib.pipeline.DateParts",  # Glassbox's date expansion step (pure pandas)
    "sklearn.tree._tree.Tree",  # a fitted decision tree's node arrays
    "numpy.dtype",  # rebuilt by skops from an empty array, not by unpickling
)

MAX_UPLOAD_BYTES = 500 * 2**20
MAX_UNPACKED_BYTES = 2 * 2**30
MAX_DOWNLOAD_BYTES = 300 * 2**20

PICKLE_REFUSAL = (
    "Glassbox never opens uploaded pickle files (.joblib, .pkl, .pickle): loading a pickle runs "
    "whatever code the file contains, so a model from anyone else could take over this server."
)


# --- the bundle ------------------------------------------------------------------------------


@dataclass
class ModelBundle:
    """A fitted pipeline with its metadata: what the Predict page, files and service share."""

    pipeline: Pipeline
    metadata: dict[str, Any]
    source: str = "trained in this session"
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

    def predict(self, frame: pd.DataFrame) -> Prediction:
        return predict(self.pipeline, frame)


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
    return ModelBundle(model.pipeline, build_metadata(model, dataset, schema))


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


def to_joblib(bundle: ModelBundle) -> bytes:
    """The bundle as a compressed joblib pickle (trees shrink 4–5× with ``compress=3``)."""
    buffer = io.BytesIO()
    payload = {"format": FORMAT, "metadata": bundle.metadata, "pipeline": bundle.pipeline}
    joblib.dump(payload, buffer, compress=3)
    return buffer.getvalue()


def to_skops(bundle: ModelBundle) -> bytes:
    """The bundle as ``.skops``; the metadata is one JSON string, readable without loading."""
    payload = {
        "format": FORMAT,
        "metadata": json.dumps(bundle.metadata, allow_nan=False),
        "pipeline": bundle.pipeline,
    }
    return sio.dumps(payload, compression=zipfile.ZIP_DEFLATED)


# --- loading -----------------------------------------------------------------------------------


def load_trusted_joblib(data: bytes) -> ModelBundle:
    """Load a ``.joblib`` bundle YOU wrote. Unpickling runs code from the file: never call this
    on a file from anyone else (the dashboard never does; use :func:`import_model`)."""
    payload = joblib.load(io.BytesIO(data))
    return _bundle_from_payload(payload, payload.get("metadata"), "joblib file")


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


def load_skops(data: bytes, filename: str = "model.skops") -> tuple[ModelBundle, list[str]]:
    """Check the archive and the versions first, then load with :data:`ALLOWED_TYPES` only."""
    metadata = peek_metadata(data, filename)
    notes = check_versions(metadata)
    try:
        untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(ALLOWED_TYPES))
    except Exception as err:  # skops raises many types on a damaged archive
        raise GlassboxError(f"“{filename}” is a damaged .skops file ({err}).") from err
    if untrusted:
        raise GlassboxError(
            f"“{filename}” contains types that Glassbox does not load: {', '.join(untrusted)}. "
            "Only scikit-learn pipelines made by Glassbox are accepted."
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InconsistentVersionWarning)
        try:
            payload = sio.loads(data, trusted=list(ALLOWED_TYPES))
        except Exception as err:  # any failure to rebuild is the file's fault, not a crash
            raise GlassboxError(
                f"“{filename}” could not be loaded ({type(err).__name__}: {err})."
            ) from err
    for w in caught:
        if issubclass(w.category, InconsistentVersionWarning):
            notes.append(f"scikit-learn says: {w.message}")
    if not isinstance(payload, dict):
        raise GlassboxError(f"“{filename}” is a .skops file, but not a Glassbox model.")
    return _bundle_from_payload(payload, metadata, filename), notes


def _bundle_from_payload(payload: Any, metadata: Any, filename: str) -> ModelBundle:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise GlassboxError(f"“{filename}” is not a Glassbox model file.")
    pipe = payload.get("pipeline")
    if not isinstance(pipe, Pipeline) or not isinstance(metadata, dict):
        raise GlassboxError(f"“{filename}” does not hold a fitted pipeline with its metadata.")
    return ModelBundle(pipe, metadata, source=filename)


def peek_metadata(data: bytes, filename: str = "model.skops") -> dict[str, Any]:
    """Read the metadata JSON from a ``.skops`` archive without building any object."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES or len(infos) > 1_000_000:
            raise GlassboxError(f"“{filename}” unpacks to more than 2 GB; it is refused.")
        schema = json.loads(archive.read("schema.json"))
        node = schema["content"]["metadata"]
        metadata = json.loads(json.loads(node["content"]))
    except GlassboxError:
        raise
    except zipfile.BadZipFile as err:
        raise GlassboxError(
            f"“{filename}” is not a .skops file (it is not a zip archive)."
        ) from err
    except (KeyError, TypeError, ValueError) as err:
        raise GlassboxError(
            f"“{filename}” is a .skops file but not a Glassbox model (no metadata found)."
        ) from err
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise GlassboxError(f"“{filename}” is a .skops file but not a Glassbox model.")
    if int(metadata.get("format_version", 0)) > FORMAT_VERSION:
        raise GlassboxError(
            f"“{filename}” was written by a newer Glassbox (format {metadata['format_version']}); "
            f"this one reads format {FORMAT_VERSION}."
        )
    return metadata


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
        "```python",
        "from mllib.export import import_model  # safe: .skops with a fixed allow-list",
        "bundle, warnings = import_model(open('glassbox-model.skops', 'rb').read(),",
        "                                'glassbox-model.skops')",
        "bundle.pipeline.predict(table[bundle.schema.names])",
        "```",
        "",
        f"Serve it: `{serve_command()}` (see docs/serving.md).",
        "",
    ]
    return "\n".join(parts)


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
    stays in step with :mod:`mllib.pipeline`."""
    module = vars(mlpipe)
    constants: list[str] = []
    blocks: list[str] = []
    seen: set[str] = set()

    def visit(obj: Any) -> None:
        source = textwrap.dedent(inspect.getsource(obj))
        used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
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
TASK = {task!r}
SEED = {seed!r}
TEST_ROWS = {test_rows!r}
SAMPLE_ROWS = {sample_rows!r}
GLASSBOX_TEST_METRICS = {expected}

# --- Glassbox's preprocessing steps, copied verbatim from mllib/pipeline.py -------------------

{helpers}


def build_pipeline() -> Pipeline:
    """The same preprocessing and estimator, with the same hyperparameters."""
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
    parser.add_argument("--save", help="write the fitted pipeline to this .joblib file")
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
    X = data[FEATURES]
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
        ("sklearn.base", "BaseEstimator"),
        ("sklearn.base", "TransformerMixin"),
        ("sklearn.model_selection", "train_test_split"),
        ("sklearn.pipeline", "Pipeline"),
    ):
        source.imports.setdefault(module, set()).add(name)
    imports = "\n".join(
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(source.imports.items())
        if module != "numpy" and names
    )
    helpers = _copied_source(mlpipe.DateParts, mlpipe.Coerce)
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
            "The fitted pipeline + metadata; loads without running code (Glassbox imports it).",
        ),
        Artifact(
            f"{MODEL_STEM}.joblib",
            to_joblib(bundle),
            "application/octet-stream",
            "The same as a joblib pickle, for your own Python code (load only files you trust).",
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
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for artifact in files:
            archive.writestr(artifact.filename, artifact.data)
        archive.writestr("SHA256SUMS", sums)
    files.append(
        Artifact(
            f"{MODEL_STEM}.zip",
            buffer.getvalue(),
            "application/zip",
            "All four files plus SHA256SUMS (check with `sha256sum -c SHA256SUMS`).",
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
