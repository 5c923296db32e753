"""The feature schema: what a trained model expects in each input column.

One plain, JSON-able description built from the fitted pipeline and the rows it was trained on.
It travels inside every exported model file, draws the Predict page's form, validates service
requests and generates the OpenAPI document, so all of them agree on names, types, ranges and
categories.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mllib.errors import GlassboxError
from mllib.i18n import msg
from mllib.pipeline import category_text
from mllib.profile import TableProfile, parse_dates
from mllib.training import TrainedModel, model_rows
from mllib.vocab import Role, Task
from mllib.vocab import data_number as data_number  # re-exported: the Predict page

NUMERIC = Role.NUMERIC
CATEGORICAL = Role.CATEGORICAL
BOOLEAN = Role.BOOLEAN
DATETIME = Role.DATETIME
#: The roles a model's feature can have (the profile's other roles are never features).
ROLES = (NUMERIC, CATEGORICAL, BOOLEAN, DATETIME)
BOOLEAN_TEXT = frozenset({"True", "False"})


@dataclass(frozen=True)
class Feature:
    """One input column.

    ``categories`` are the values the one-hot encoder saw in training, as text (how the
    pipeline compares them); ``infrequent`` are those it grouped together as rare. Numbers carry
    their training ``minimum``/``maximum``/``median``; dates the same as ISO date strings.
    ``missing`` is the share of training rows where the value was missing (then imputed).
    """

    name: str
    role: Role
    dtype: str
    missing: float = 0.0
    minimum: float | str | None = None
    maximum: float | str | None = None
    median: float | str | None = None
    integer: bool = False
    categories: tuple[str, ...] = ()
    infrequent: tuple[str, ...] = ()
    mode: str | None = None

    @property
    def is_number(self) -> bool:
        return self.role == NUMERIC

    @property
    def is_choice(self) -> bool:
        return self.role in (CATEGORICAL, BOOLEAN)

    @property
    def json_boolean(self) -> bool:
        """True when the categories are Python booleans, so JSON ``true``/``false`` is the type."""
        return (
            self.role == BOOLEAN and bool(self.categories) and set(self.categories) <= BOOLEAN_TEXT
        )

    def example(self) -> Any:
        """A typical value in JSON form: the median number or date, the most frequent category."""
        if self.role == NUMERIC:
            value = self.median if self.median is not None else 0.0
            return int(value) if self.integer else float(value)
        if self.role == DATETIME:
            return self.median or "2024-01-01"
        if self.json_boolean:
            return (self.mode or self.categories[0]) == "True"
        return self.mode if self.mode is not None else (self.categories or ("",))[0]

    def range_text(self) -> str:
        """ "4.3 – 7.9 (median 5.8)" for numbers and dates; "" otherwise."""
        if self.minimum is None or self.maximum is None:
            return ""
        text = f"{data_number(self.minimum)} – {data_number(self.maximum)}"
        if self.median is None:
            return text
        return msg("{range} (median {median})", range=text, median=data_number(self.median))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["role"] = self.role.value
        out["categories"] = list(self.categories)
        out["infrequent"] = list(self.infrequent)
        return out


@dataclass(frozen=True)
class FeatureSchema:
    """Every feature in the order the pipeline expects, plus what it predicts."""

    features: tuple[Feature, ...]
    target: str
    task: Task
    classes: tuple[str, ...] | None = None
    target_range: tuple[float, float] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def __getitem__(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return any(f.name == name for f in self.features)

    @property
    def is_classifier(self) -> bool:
        return self.task == Task.CLASSIFICATION

    def example_row(self) -> dict[str, Any]:
        """One typical input row (medians and most frequent values), JSON-ready."""
        return {f.name: f.example() for f in self.features}

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "task": self.task.value,
            "classes": list(self.classes) if self.classes is not None else None,
            "target_range": list(self.target_range) if self.target_range else None,
            "features": [f.to_dict() for f in self.features],
            "notes": list(self.notes),
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> FeatureSchema:
        """Rebuild from :meth:`to_dict` output, checking the shape (it may come from a file)."""
        try:
            features = []
            for item in data["features"]:
                item = dict(item)
                if item["role"] not in ROLES:
                    raise ValueError(f"unknown role {item['role']!r}")
                item["role"] = Role(item["role"])
                item["categories"] = tuple(str(c) for c in item.get("categories") or ())
                item["infrequent"] = tuple(str(c) for c in item.get("infrequent") or ())
                features.append(Feature(**item))
            classes = data.get("classes")
            target_range = data.get("target_range")
            return FeatureSchema(
                features=tuple(features),
                target=str(data["target"]),
                task=Task(str(data["task"])),
                classes=tuple(str(c) for c in classes) if classes is not None else None,
                target_range=(
                    (float(target_range[0]), float(target_range[1])) if target_range else None
                ),
                notes=tuple(data.get("notes") or ()),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise GlassboxError(
                msg(
                    "The model file's feature schema is damaged or from an unknown version "
                    "({err}).",
                    err=err,
                )
            ) from err


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def training_rows(frame: pd.DataFrame, model: TrainedModel) -> pd.DataFrame:
    """The exact rows the model was fitted on.

    :func:`mllib.training.model_rows` rebuilds the rows the split was made on (bad targets
    dropped, a large table sampled with the training seed); ``train_index`` picks the training
    part.
    """
    return model_rows(frame, model.config).iloc[model.train_index]


def build_schema(
    model: TrainedModel, frame: pd.DataFrame, profile: TableProfile | None = None
) -> FeatureSchema:
    """Describe every feature of ``model`` from its fitted encoder and its training rows."""
    rows = training_rows(frame, model)
    categories = encoder_categories(model)
    features = []
    for name in model.config.features:
        series = rows[name]
        if name in model.plan.numeric:
            features.append(_numeric_feature(name, series))
        elif name in model.plan.datetime:
            features.append(_date_feature(name, series))
        else:
            role = BOOLEAN if _is_boolean(series, profile, name) else CATEGORICAL
            known, rare = categories.get(name, ((), ()))
            text = series.astype(object).map(category_text)
            counts = text.value_counts()
            features.append(
                Feature(
                    name=name,
                    role=role,
                    dtype=str(series.dtype),
                    missing=_missing_share(text),
                    categories=known,
                    infrequent=rare,
                    mode=str(counts.index[0]) if len(counts) else None,
                )
            )
    target_range = None
    classes = None
    if model.task == Task.CLASSIFICATION:
        classes = tuple(str(c) for c in model.classes or ())
    else:
        y = pd.to_numeric(rows[model.config.target], errors="coerce")
        target_range = (float(y.min()), float(y.max()))
    return FeatureSchema(
        features=tuple(features),
        target=model.config.target,
        task=model.task,
        classes=classes,
        target_range=target_range,
    )


def encoder_categories(model: TrainedModel) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per categorical feature: (every category the encoder knows, those grouped as infrequent)."""
    prep = model.pipeline.named_steps["prep"]
    if "cat" not in prep.named_transformers_:
        return {}
    encoder = prep.named_transformers_["cat"].named_steps["onehot"]
    columns = list(model.plan.categorical)
    rare = getattr(encoder, "infrequent_categories_", [None] * len(columns))
    out = {}
    for name, known, grouped in zip(columns, encoder.categories_, rare, strict=True):
        out[name] = (
            tuple(str(c) for c in known),
            tuple(str(c) for c in grouped) if grouped is not None else (),
        )
    return out


def _missing_share(values: pd.Series) -> float:
    return round(float(values.isna().mean()), 4) if len(values) else 0.0


def _numeric_feature(name: str, series: pd.Series) -> Feature:
    numbers = pd.to_numeric(series, errors="coerce").astype(float)
    finite = numbers[np.isfinite(numbers.to_numpy())]
    integer = bool(len(finite)) and bool((finite % 1 == 0).all())
    return Feature(
        name=name,
        role=NUMERIC,
        dtype=str(series.dtype),
        missing=round(1 - len(finite) / len(series), 4) if len(series) else 0.0,
        minimum=_finite(finite.min()) if len(finite) else None,
        maximum=_finite(finite.max()) if len(finite) else None,
        median=_finite(finite.median()) if len(finite) else None,
        integer=integer,
    )


def _date_feature(name: str, series: pd.Series) -> Feature:
    dates = parse_dates(series)
    valid = dates.dropna()
    iso = (lambda d: str(d.date())) if len(valid) else (lambda d: None)
    return Feature(
        name=name,
        role=DATETIME,
        dtype=str(series.dtype),
        missing=_missing_share(dates),
        minimum=iso(valid.min()) if len(valid) else None,
        maximum=iso(valid.max()) if len(valid) else None,
        median=iso(valid.sort_values().iloc[len(valid) // 2]) if len(valid) else None,
    )


def _is_boolean(series: pd.Series, profile: TableProfile | None, name: str) -> bool:
    if profile is not None and name in profile.names:
        return profile[name].role == Role.BOOLEAN
    return pd.api.types.is_bool_dtype(series)
