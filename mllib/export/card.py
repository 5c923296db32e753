"""What a person reads to use an exported model: the Markdown model card (details, data,
metrics, intended use, limitations, versions) and the copy-paste snippets that load, serve and
call it."""

from __future__ import annotations

import json
import shlex
from typing import Any

from mllib.catalogue import CATALOGUE
from mllib.csv_safe import neutralise
from mllib.export.bundle import MODEL_STEM, ModelBundle
from mllib.export.loading import ALLOWED_TYPES
from mllib.export.metadata import ModelMetadata
from mllib.schema import FeatureSchema
from mllib.threshold import METADATA_KEY as THRESHOLD_KEY
from mllib.threshold import describe as describe_threshold


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


def limitations(metadata: ModelMetadata, schema: FeatureSchema) -> list[str]:
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
    train_rows = int(metadata.training_rows or 0)
    if train_rows < 200:
        out.append(
            f"Only {train_rows} training rows: scores on new data may differ noticeably from "
            "the test score."
        )
    counts = metadata.class_counts or {}
    if counts:
        low, high = min(counts.values()), max(counts.values())
        if low and high / low >= 3:
            rarest = min(counts, key=lambda name: counts[name])
            out.append(
                f"Classes are imbalanced (“{rarest}” has {low} training rows, the largest class "
                f"{high}); accuracy flatters the model, so read balanced accuracy and recall."
            )
    train, test = metadata.metrics.train, metadata.metrics.test
    primary = next(iter(test), None)  # R² or accuracy: higher is better
    high_train, high_test = train.get(primary or ""), test.get(primary or "")
    if primary and high_train is not None and high_test is not None:
        gap = high_train - high_test
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
        spec = CATALOGUE.get(metadata.algorithm.key)
        if spec is not None and spec.card_note:
            out.append(spec.card_note)
    out.extend(metadata.warnings)
    return out


def model_card(bundle: ModelBundle) -> str:
    """A Markdown model card: details, data, metrics, intended use, limitations, versions."""
    meta, schema = bundle.metadata, bundle.schema
    algo, data, split = meta.algorithm, meta.data, meta.split
    params = meta.hyperparameters
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
    metrics = meta.metrics
    metric_rows = [
        {
            "metric": name,
            "train": metrics.train.get(name),
            "test": value,
        }
        for name, value in metrics.test.items()
    ]
    parts = [
        f"# Model card: {algo.name} predicting “{schema.target}”",
        "",
        f"Created {meta.created} with Glassbox {meta.versions.get('glassbox')}. "
        f"Task: **{schema.task}**.",
        "",
        "## Model details",
        "",
        f"- Algorithm: {algo.name} (`{algo.estimator}`)"
        + (", target standardised inside the model" if algo.target_scaled else ""),
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
        _table(meta.preprocessing, ["columns treated as", "columns", "what is done"]),
        "",
        "## Data",
        "",
        f"- Dataset: {data.name} (`{data.file}`, {data.rows:,} rows × {data.columns} columns)",
        f"- Fingerprint (SHA-256 of the file and reading options): `{data.fingerprint}`",
        f"- Split: {split.train_rows:,} training rows, {split.test_rows:,} test rows, "
        f"seed {split.seed}" + (", stratified by class" if split.stratified else ""),
        "",
        _table(feature_rows, ["feature", "role", "type", "values in training", "missing"]),
        "",
    ]
    if meta.class_counts:
        counts = ", ".join(f"{k}: {v}" for k, v in meta.class_counts.items())
        parts += [f"Training rows per class: {counts}.", ""]
    parts += [
        "## Metrics",
        "",
        "Scores on the training rows and on the held-out test rows the model never saw.",
        "",
        _table(metric_rows, ["metric", "train", "test"]),
        "",
    ]
    if metrics.cv:
        folds = metrics.cv[0].get("folds")
        parts += [
            f"{folds}-fold cross-validation (mean ± standard deviation):",
            "",
            _table(metrics.cv, ["metric", "mean", "std", "folds"]),
            "",
        ]
    parts += [
        "## Intended use",
        "",
        f"Predict `{schema.target}` for new rows that come from the same source as "
        f"“{data.name}”: the same columns, units and categories, and values inside the "
        "training ranges. It was built in Glassbox, a learning and prototyping tool: it has not "
        "been validated for decisions about people, money or safety.",
        "",
        "## Limitations",
        "",
        *[f"- {item}" for item in limitations(meta, schema)],
        "",
        "## Versions",
        "",
        ", ".join(f"{k} {v}" for k, v in meta.versions.items()) + ".",
        "",
        "## Using the files",
        "",
        "The model is a plain scikit-learn pipeline: it loads wherever scikit-learn "
        f"{meta.versions.get('scikit-learn')} is installed, without Glassbox.",
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
