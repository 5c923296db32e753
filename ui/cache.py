"""Caches keyed by cheap strings: content hashes and training choices, never DataFrames.

``st.cache_resource`` returns the same object to every caller, so cached datasets and models
are treated as read-only. Every cache is bounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from mllib import mlflow_log, samples, training
from mllib.data import Dataset, LoadOptions, fingerprint_bytes, read_table
from mllib.profile import (
    TableProfile,
    TargetCheck,
    Task,
    TaskGuess,
    check_target,
    detect_task,
    profile_table,
)
from mllib.profile import distributions as profile_distributions
from ui.state import Workspace

if TYPE_CHECKING:  # mllib.export (skops, ONNX) takes seconds to import: only where it is used
    import pandas as pd

    from mllib import export, tuning
    from mllib.explain import ModelData


@st.cache_resource(max_entries=len(samples.SAMPLES), show_spinner=False)
def sample_dataset(key: str) -> tuple[Dataset, TableProfile]:
    dataset = samples.load_sample(key)
    return dataset, profile_table(dataset.frame)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def uploaded_dataset(
    digest: str, _raw: bytes, filename: str, options: LoadOptions
) -> tuple[Dataset, TableProfile]:
    """Parse an upload once per content hash (``digest`` covers ``_raw``)."""
    dataset = read_table(_raw, filename, options)
    return dataset, profile_table(dataset.frame)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def split_bounds(
    fingerprint: str, target: str, task: Task, _dataset: Dataset
) -> tuple[float, float]:
    """:func:`mllib.training.test_size_bounds` of a target, once per data and target (it
    counts the classes: tens of milliseconds per rerun on a million rows)."""
    return training.test_size_bounds(_dataset.frame[target].dropna(), task)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def upload_digest(file_id: str, _raw: bytes, options: LoadOptions) -> str:
    """The content hash of an upload and its reading options, once per uploaded file
    (Streamlit gives each upload its own ``file_id``): hashing 140 MB took 0.07 s per rerun."""
    return fingerprint_bytes(_raw, options)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def target_check(fingerprint: str, target: str, task: Task, _dataset: Dataset) -> TargetCheck:
    """:func:`mllib.profile.check_target`, once per data, target and task (it counts the
    distinct values: 0.08 s per rerun of the Data page on a million rows)."""
    return check_target(_dataset.frame, target, task)


@st.cache_resource(max_entries=32, ttl=3600, show_spinner=False)
def task_guess(fingerprint: str, target: str, _dataset: Dataset) -> TaskGuess:
    """:func:`mllib.profile.detect_task` for a target, once per data (0.07 s per rerun on a
    million rows)."""
    return detect_task(_dataset.frame[target])


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def distributions(fingerprint: str, _dataset: Dataset, _profile: TableProfile) -> list[list[float]]:
    """The profile table's small histograms, once per data (the profile follows the data)."""
    return profile_distributions(_dataset.frame, _profile)


@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def trained_model(
    key: str, _dataset: Dataset, _profile: TableProfile, _config: training.TrainConfig
) -> training.TrainedModel:
    """Fit once per ``training_key`` (data fingerprint + every choice in the config); with
    ``GLASSBOX_MLFLOW_TRACKING_URI`` set, the run is logged to MLflow in the background."""
    model = training.train_model(_dataset.frame, _profile, _config, _dataset.fingerprint)
    log_run(model, _dataset, _profile)
    return model


def log_run(model: training.TrainedModel, dataset: Dataset, profile: TableProfile) -> None:
    """With ``GLASSBOX_MLFLOW_TRACKING_URI`` set, log a new model to MLflow in the background."""
    if mlflow_log.tracking_uri():
        from mllib import export

        bundle = export.bundle_from_model(model, dataset, profile)
        mlflow_log.log_in_background(bundle, export.model_card(bundle))


@st.cache_resource(max_entries=16, ttl=3600, show_spinner=False)
def trained_bundle(
    key: str, _model: training.TrainedModel, _dataset: Dataset, _profile: TableProfile | None
) -> export.ModelBundle:
    """A trained model wrapped with its feature schema and metadata, once per training key
    (the Predict and Export pages share it)."""
    from mllib import export

    return export.bundle_from_model(_model, _dataset, _profile)


def current_bundle(ws: Workspace) -> export.ModelBundle | None:
    """The workspace's trained model as a servable bundle, or ``None`` when there is none.

    Raises :class:`mllib.errors.GlassboxError` when the data changed under the model.
    """
    if ws.model is None or ws.dataset is None:
        return None
    key = training.training_key(ws.dataset.fingerprint, ws.model.config)
    bundle = trained_bundle(key, ws.model, ws.dataset, ws.profile)
    return bundle.with_threshold(ws.thresholds.get(key))  # chosen on See the model


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def model_data(key: str, _model: training.TrainedModel, _frame: pd.DataFrame) -> ModelData:
    """The rows and columns a model saw (:func:`mllib.explain.model_data`), once per training
    ``key``: See the model and the comparison overlay draw from the same copy."""
    from mllib import explain  # imported by the pages that draw a model, not on every page

    return explain.model_data(_model, _frame)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def search_split(
    key: str, _frame: pd.DataFrame, _profile: TableProfile, _config: training.TrainConfig
) -> tuning.SplitData:
    """The training/test split a search runs on (its configuration from
    :func:`mllib.tuning.search_config`), once per training ``key``."""
    from mllib import tuning

    return tuning.split_data(_frame, _profile, _config)
