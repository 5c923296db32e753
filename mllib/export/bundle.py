"""A fitted pipeline and the metadata that travels beside it (:class:`ModelBundle`).

The model itself is a plain fitted scikit-learn ``Pipeline`` (:func:`mllib.pipeline.portable`:
scikit-learn, numpy and scipy objects only) that takes the cleaned feature columns
(:mod:`mllib.cleaning`) and predicts. Its metadata (feature schema, target, classes, task,
hyperparameters, metrics, data fingerprint, library versions, how to clean rows) is plain JSON,
written as ``model.json``, inside the ``.skops`` archive and into the model card.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from mllib import pipeline as mlpipe
from mllib.cleaning import clean_features, input_columns
from mllib.data import Dataset
from mllib.errors import GlassboxError
from mllib.export.metadata import (
    AlgorithmInfo,
    DataInfo,
    ModelMetadata,
    ModelScores,
    SplitInfo,
    jsonable,
    library_versions,
    utc_text,
)
from mllib.i18n import msg
from mllib.onnx_export import OnnxExport, OnnxRunner, export_onnx
from mllib.pipeline import portable
from mllib.predict import Prediction, predict
from mllib.profile import TableProfile
from mllib.schema import (
    BOOLEAN,
    CATEGORICAL,
    DATETIME,
    NUMERIC,
    FeatureSchema,
    build_schema,
    training_rows,
)
from mllib.threshold import apply as apply_threshold
from mllib.training import TrainedModel, model_rows
from mllib.vocab import Task

MODEL_STEM = "glassbox-model"
#: The metadata entry Glassbox adds to a ``.skops`` archive, and the export zip's metadata file.
SKOPS_METADATA = "glassbox-model.json"
METADATA_FILE = "model.json"


@dataclass
class ModelBundle:
    """A fitted pipeline with its metadata: what the Predict page, files and service share.

    ``runner`` predicts instead of the pipeline when the model came from an ``.onnx`` file
    (then ``pipeline`` is ``None``); ``check_rows`` are raw test rows that exported copies
    (ONNX) are checked against.
    """

    pipeline: Pipeline | None
    metadata: ModelMetadata
    source: str = "trained in this session"
    runner: OnnxRunner | None = field(default=None, repr=False, compare=False)
    check_rows: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    schema: FeatureSchema = field(init=False)
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.metadata, ModelMetadata):
            raise GlassboxError(msg("This is not a Glassbox model: its metadata is missing."))
        self.schema = FeatureSchema.from_dict(self.metadata.schema)
        text = json.dumps(self.metadata.to_dict(), sort_keys=True, default=str)
        self.key = hashlib.sha256(text.encode()).hexdigest()[:16]  # a cheap cache key

    @property
    def task(self) -> Task:
        return self.schema.task

    @property
    def target(self) -> str:
        return self.schema.target

    @property
    def algorithm(self) -> str:
        return self.metadata.algorithm.name

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
        return self.metadata.decision_threshold

    def with_threshold(self, entry: dict[str, Any] | None) -> ModelBundle:
        """The same model with ``entry`` as its decision threshold (``None``: the default)."""
        if entry == self.threshold:
            return self
        return ModelBundle(
            self.pipeline,
            self.metadata.with_threshold(entry),
            self.source,
            runner=self.runner,
            check_rows=self.check_rows,
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
            msg("The loaded data changed since this model was trained."),
            msg("Retrain it on the Train page before predicting or exporting."),
        )
    schema = build_schema(model, dataset.frame, profile)
    test_rows = model_rows(dataset.frame, model.config).iloc[model.test_index]
    return ModelBundle(
        portable(model.pipeline),
        build_metadata(model, dataset, schema),
        check_rows=test_rows[list(schema.names)].reset_index(drop=True),
    )


def build_metadata(model: TrainedModel, dataset: Dataset, schema: FeatureSchema) -> ModelMetadata:
    config = model.config
    estimator = model.pipeline.named_steps["model"]
    inner = getattr(estimator, "regressor_", estimator)
    rows = training_rows(dataset.frame, model)
    class_counts = None
    if schema.is_classifier:
        labels = rows[config.target].map(mlpipe.category_text)
        class_counts = {str(k): int(v) for k, v in labels.value_counts().items()}
    return ModelMetadata(
        created=utc_text(model.created),
        task=schema.task.value,
        target=schema.target,
        classes=list(schema.classes) if schema.classes is not None else None,
        class_counts=class_counts,
        algorithm=AlgorithmInfo(
            key=config.algorithm,
            name=model.spec.name,
            estimator=f"{public_module(type(inner))}.{type(inner).__name__}",
            target_scaled=inner is not estimator,
        ),
        hyperparameters=jsonable(config.param_dict),
        split=SplitInfo(
            train_rows=int(model.n_train),
            test_rows=int(model.n_test),
            test_size=float(config.test_size),
            seed=int(config.seed),
            stratified=schema.is_classifier,
            cv_folds=int(config.cv_folds),
            sample_rows=config.sample_rows,
        ),
        training_rows=int(model.n_train),
        metrics=ModelScores(
            train=jsonable(model.train_scores),
            test=jsonable(model.test_scores),
            cv=jsonable(model.cv.to_dict(orient="records")) if model.cv is not None else None,
        ),
        data=DataInfo(
            name=dataset.name,
            source=dataset.source,
            file=data_filename(dataset),
            fingerprint=dataset.fingerprint,
            rows=dataset.n_rows,
            columns=dataset.n_cols,
            file_format=dataset.file_format,
            encoding=dataset.encoding,
            delimiter=dataset.delimiter,
            decimal=dataset.decimal,
            sheet=dataset.sheet,
        ),
        preprocessing=jsonable(model.plan.describe().to_dict(orient="records")),
        column_plan=jsonable(asdict(model.plan)),
        schema=jsonable(schema.to_dict()),
        inputs={
            **feature_kinds(schema),
            "columns": input_columns(list(schema.names), list(model.plan.datetime)),
        },
        warnings=list(model.warnings),  # Messages: the card shows them in its language
        versions=library_versions(),
    )


def data_filename(dataset: Dataset) -> str:
    """The file the data came from (a sample's file name, not its title)."""
    if dataset.source == "sample":
        from mllib.samples import SAMPLES

        for sample in SAMPLES.values():
            if sample.title == dataset.name:
                return sample.filename
    return dataset.name


def public_module(cls: type) -> str:
    """``sklearn.tree`` for ``sklearn.tree._classes.DecisionTreeClassifier``."""
    parts = cls.__module__.split(".")
    for i in range(1, len(parts) + 1):
        if any(p.startswith("_") for p in parts[:i]):
            break
        module = importlib.import_module(".".join(parts[:i]))
        if getattr(module, cls.__name__, None) is cls:
            return ".".join(parts[:i])
    return cls.__module__
