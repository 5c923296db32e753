"""What a person reads to use an exported model: the Markdown model card (details, data,
metrics, intended use, limitations, versions) and the copy-paste snippets that load, serve and
call it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shlex
from typing import Any

from mllib.catalogue import CATALOGUE
from mllib.csv_safe import neutralise
from mllib.export.bundle import MODEL_STEM, ModelBundle
from mllib.export.loading import ALLOWED_TYPES
from mllib.export.metadata import ModelMetadata
from mllib.i18n import N_, Translator, translator
from mllib.pipeline import ColumnPlan
from mllib.schema import FeatureSchema
from mllib.threshold import METADATA_KEY as THRESHOLD_KEY
from mllib.threshold import describe as describe_threshold

#: The table headings and the preprocessing summary's words (``mllib.pipeline``'s
#: ``ColumnPlan.describe``, kept in the metadata in English and translated when shown).
HEADINGS = (
    N_("columns treated as"),
    N_("columns"),
    N_("what is done"),
    N_("feature"),
    N_("role"),
    N_("type"),
    N_("values in training"),
    N_("missing"),
    N_("metric"),
    N_("train"),
    N_("test"),
    N_("mean"),
    N_("std"),
    N_("folds"),
)
#: How list items are joined in a sentence (Chinese uses its own list marks).
LIST_SEPARATOR = N_(", ")
CLAUSE_SEPARATOR = N_("; ")


class _Composed(str):
    """Text the card composes from numbers (a training range): not data, so it is left as it
    is; "-118.5 – -117.7" lost nothing to a formula guard that only fits data cells."""


def _cell(value: Any, tr: Translator) -> str:
    if isinstance(value, float):
        text = tr.number(value, 4)
    elif isinstance(value, _Composed):
        text = str(value)
    else:
        text = "" if value is None else neutralise(str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def _table(columns: list[str], rows: list[list[Any]], tr: Translator) -> str:
    """A Markdown table: ``columns`` (English headings, translated) over ``rows``."""
    lines = ["| " + " | ".join(tr(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v, tr) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _preprocessing(meta: ModelMetadata, tr: Translator) -> list[list[Any]]:
    """What is done to each kind of column, in ``tr``'s language: rebuilt from the column
    plan the metadata keeps; a file written before it kept one shows its stored summary."""
    if meta.column_plan:
        names = {f.name for f in dataclasses.fields(ColumnPlan)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v
            for k, v in meta.column_plan.items()
            if k in names
        }
        return ColumnPlan(**values).describe(tr).to_numpy().tolist()
    return [
        [row.get("columns treated as"), row.get("columns"), row.get("what is done")]
        for row in meta.preprocessing
    ]


def limitations(
    metadata: ModelMetadata, schema: FeatureSchema, tr: Translator | None = None
) -> list[str]:
    """Plain-language caveats derived from the metrics, the data and the algorithm, in
    ``tr``'s language (English without one)."""
    tr = tr or translator("en")
    listed, clauses = tr(LIST_SEPARATOR), tr(CLAUSE_SEPARATOR)
    out = []
    numeric = [f for f in schema.features if f.range_text()]
    if numeric:
        ranges = clauses.join(f"{f.name} {tr.text(f.range_text())}" for f in numeric[:12])
        out.append(
            tr(
                "Trained on values in these ranges only; outside them the model extrapolates: "
                "{ranges}.",
                ranges=ranges + (clauses + "…" if len(numeric) > 12 else ""),
            )
        )
    train_rows = int(metadata.training_rows or 0)
    if train_rows < 200:
        out.append(
            tr(
                "Only {rows} training rows: scores on new data may differ noticeably from "
                "the test score.",
                rows=tr.number(train_rows),
            )
        )
    counts = metadata.class_counts or {}
    if counts:
        low, high = min(counts.values()), max(counts.values())
        if low and high / low >= 3:
            rarest = min(counts, key=lambda name: counts[name])
            out.append(
                tr(
                    "Classes are imbalanced (“{rarest}” has {low} training rows, the largest "
                    "class {high}); accuracy flatters the model, so read balanced accuracy and "
                    "recall.",
                    rarest=rarest,
                    low=tr.number(low),
                    high=tr.number(high),
                )
            )
    train, test = metadata.metrics.train, metadata.metrics.test
    primary = next(iter(test), None)  # R² or accuracy: higher is better
    high_train, high_test = train.get(primary or ""), test.get(primary or "")
    if primary and high_train is not None and high_test is not None:
        gap = high_train - high_test
        if gap > 0.1:
            out.append(
                tr(
                    "Train {metric} exceeds test {metric} by {gap}: the model over-fits; "
                    "trust the test score.",
                    metric=tr.text(primary),
                    gap=tr.number(gap, 2),
                )
            )
    rare = [f.name for f in schema.features if f.infrequent]
    if rare:
        out.append(
            tr(
                "Rare categories were grouped as “infrequent” in: {columns}.",
                columns=listed.join(rare),
            )
        )
    missing = [f.name for f in schema.features if f.missing > 0]
    if missing:
        out.append(
            tr(
                "Missing values were filled in (median / most frequent) in: {columns}; the same "
                "happens at prediction time.",
                columns=listed.join(missing),
            )
        )
    out.append(
        tr(
            "Categories never seen in training carry no information for the model; the service "
            "refuses them, the Predict page warns and predicts without them."
        )
    )
    if schema.is_classifier:
        spec = CATALOGUE.get(metadata.algorithm.key)
        if spec is not None and spec.card_note:
            out.append(tr.text(spec.card_note))
    out.extend(tr.text(w) for w in metadata.warnings)
    return out


def created_text(created: str, tr: Translator) -> str:
    """When the model was made, as ``tr``'s locale writes a date and time (UTC)."""
    try:
        moment = dt.datetime.fromisoformat(created)
    except (TypeError, ValueError):  # an older or hand-edited file: shown as written
        return created
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return tr("{moment} UTC", moment=tr.date(moment))


def model_card(bundle: ModelBundle, tr: Translator | None = None) -> str:
    """A Markdown model card: details, data, metrics, intended use, limitations, versions, in
    ``tr``'s language (English without one). The model's data (names, categories, the file)
    is written as it is."""
    tr = tr or translator("en")
    listed = tr(LIST_SEPARATOR)
    meta, schema = bundle.metadata, bundle.schema
    algo, data, split = meta.algorithm, meta.data, meta.split
    params = meta.hyperparameters
    feature_rows = []
    for f in schema.features:
        values = _Composed(tr.text(f.range_text())) or listed.join(f.categories[:10]) + (
            "…" if len(f.categories) > 10 else ""
        )
        feature_rows.append(
            [f.name, tr.text(str(f.role)), f.dtype, values, tr.percent(f.missing, 1)]
        )
    metrics = meta.metrics
    metric_rows = [
        [tr.text(name), metrics.train.get(name), value] for name, value in metrics.test.items()
    ]
    algorithm = tr.text(algo.name)
    glassbox, sklearn = meta.versions.get("glassbox"), meta.versions.get("scikit-learn")
    details = [
        tr("Algorithm: {name} (`{estimator}`)", name=algorithm, estimator=algo.estimator)
        + (tr(", target standardised inside the model") if algo.target_scaled else ""),
        tr(
            "Hyperparameters: {values}",
            values=", ".join(f"`{k}={v!r}`" for k, v in params.items()) or tr("none (defaults)"),
        ),
        tr("Target: `{target}`", target=schema.target)
        + (
            tr("; classes: {classes}", classes=listed.join(schema.classes))
            if schema.classes
            else ""
        ),
    ]
    if bundle.threshold:
        details.append(
            tr(
                "Decision threshold: {rule} (metadata key `{key}`; the test metrics below were "
                "measured at the default cut-off; apply it yourself when you call the pipeline "
                "directly).",
                rule=tr.text(describe_threshold(bundle.threshold)),
                key=THRESHOLD_KEY,
            )
        )
    details.append(
        tr(
            "Files: `glassbox-model.skops` (safe to load), `glassbox-model.joblib` (pickle: load "
            "only if you trust its source), `train.py` (rebuilds the model from the data)."
        )
    )
    preprocessing = _preprocessing(meta, tr)
    parts = [
        "# "
        + tr(
            "Model card: {algorithm} predicting “{target}”",
            algorithm=algorithm,
            target=schema.target,
        ),
        "",
        tr(
            "Created {created} with Glassbox {version}. Task: **{task}**.",
            created=created_text(meta.created, tr),
            version=glassbox,
            task=tr.text(str(schema.task)),
        ),
        "",
        "## " + tr("Model details"),
        "",
        *[f"- {item}" for item in details],
        "",
        "### " + tr("Preprocessing"),
        "",
        _table(["columns treated as", "columns", "what is done"], preprocessing, tr),
        "",
        "## " + tr("Data"),
        "",
        "- "
        + tr(
            "Dataset: {name} (`{file}`, {rows} rows × {columns} columns)",
            name=tr.text(data.name) if data.source == "sample" else data.name,
            file=data.file,
            rows=tr.number(data.rows),
            columns=tr.number(data.columns),
        ),
        "- "
        + tr(
            "Fingerprint (SHA-256 of the file and reading options): `{fingerprint}`",
            fingerprint=data.fingerprint,
        ),
        "- "
        + tr(
            "Split: {train} training rows, {test} test rows, seed {seed}",
            train=tr.number(split.train_rows),
            test=tr.number(split.test_rows),
            seed=split.seed,
        )
        + (tr(", stratified by class") if split.stratified else ""),
        "",
        _table(["feature", "role", "type", "values in training", "missing"], feature_rows, tr),
        "",
    ]
    if meta.class_counts:
        counts = listed.join(f"{k}: {tr.number(v)}" for k, v in meta.class_counts.items())
        parts += [tr("Training rows per class: {counts}.", counts=counts), ""]
    parts += [
        "## " + tr("Metrics"),
        "",
        tr("Scores on the training rows and on the held-out test rows the model never saw."),
        "",
        _table(["metric", "train", "test"], metric_rows, tr),
        "",
    ]
    if metrics.cv:
        folds = metrics.cv[0].get("folds")
        cv_rows = [
            [tr.text(str(row.get("metric"))), row.get("mean"), row.get("std"), row.get("folds")]
            for row in metrics.cv
        ]
        parts += [
            tr("{folds}-fold cross-validation (mean ± standard deviation):", folds=folds),
            "",
            _table(["metric", "mean", "std", "folds"], cv_rows, tr),
            "",
        ]
    parts += [
        "## " + tr("Intended use"),
        "",
        tr(
            "Predict `{target}` for new rows that come from the same source as “{data}”: the "
            "same columns, units and categories, and values inside the training ranges. It was "
            "built in Glassbox, a learning and prototyping tool: it has not been validated for "
            "decisions about people, money or safety.",
            target=schema.target,
            data=tr.text(data.name) if data.source == "sample" else data.name,
        ),
        "",
        "## " + tr("Limitations"),
        "",
        *[f"- {item}" for item in limitations(meta, schema, tr)],
        "",
        "## " + tr("Versions"),
        "",
        ", ".join(f"{k} {v}" for k, v in meta.versions.items()) + ".",
        "",
        "## " + tr("Using the files"),
        "",
        tr(
            "The model is a plain scikit-learn pipeline: it loads wherever scikit-learn "
            "{version} is installed, without Glassbox.",
            version=sklearn,
        ),
        "",
        "```python",
        *usage_code(bundle, tr=tr).splitlines(),
        "```",
        "",
        tr("Serve it: `{command}` (see docs/serving.md).", command=serve_command()),
        "",
    ]
    return "\n".join(parts)


def usage_code(
    bundle: ModelBundle,
    loader: str = "joblib",
    model_file: str | None = None,
    data_file: str = "new-rows.csv",
    tr: Translator | None = None,
) -> str:
    """Copy-paste Python that loads the exported file (``loader`` "joblib", "skops" or "onnx")
    and predicts a CSV of new rows, cleaning them as Glassbox does; its comments are in
    ``tr``'s language (the code is the same in every language)."""
    tr = tr or translator("en")
    kinds = bundle.inputs
    path = model_file or f"{MODEL_STEM}.{loader}"
    imports = {
        "joblib": ["import joblib", "import pandas as pd"],
        "skops": ["import pandas as pd", "import skops.io"],
        "onnx": ["import numpy as np", "import onnxruntime", "import pandas as pd"],
    }[loader]
    load = {
        "joblib": f"pipe = joblib.load({path!r})  # " + tr("a pickle: load only files you trust"),
        "skops": f"pipe = skops.io.load({path!r}, trusted={list(ALLOWED_TYPES)!r})",
        "onnx": f"session = onnxruntime.InferenceSession({path!r})",
    }[loader]
    lines = [*imports, "", load]
    lines += [
        f"table = pd.read_csv({data_file!r})  # " + tr("the columns the model was trained on")
    ]
    if kinds["dates"]:
        lines += [
            "# "
            + tr("each date becomes year, month, day and weekday (Monday = 0), as in Glassbox"),
            f"for name in {kinds['dates']!r}:",
            '    date = pd.to_datetime(table[name], errors="coerce", format="mixed")',
            '    table[f"{name}_year"] = date.dt.year',
            '    table[f"{name}_month"] = date.dt.month',
            '    table[f"{name}_day"] = date.dt.day',
            '    table[f"{name}_dayofweek"] = date.dt.day_of_week',
        ]
    if loader == "onnx":
        lines += [
            "# "
            + tr("one [rows, 1] input per column: float32 numbers, text categories ('' = missing)"),
            "feeds = {}",
            "for node in session.get_inputs():",
            "    column = table[node.name]",
            '    if node.type == "tensor(string)":',
            '        column = column.map(lambda v: "" if pd.isna(v) else str(v)).astype(object)',
            "        feeds[node.name] = column.to_numpy().reshape(-1, 1)",
            "    else:",
            "        feeds[node.name] = column.to_numpy(dtype=np.float32).reshape(-1, 1)",
            "labels, *scores = session.run(None, feeds)  # "
            + tr("scores: probabilities or SVM scores"),
            "print(labels.ravel())",
        ]
        return "\n".join(lines)
    if kinds["categorical"]:
        lines += [
            "# " + tr("categories are text, as in training (True is “True”)"),
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
