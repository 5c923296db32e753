"""The one typed object that carries a user's work from page to page.

Everything shared across pages lives in :class:`Workspace`, stored under a single session key,
so any page opened directly (a deep link) finds the same, fully initialised state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from mllib.data import Dataset
from mllib.profile import (
    FeatureChoice,
    TableProfile,
    Task,
    default_features,
    default_target,
    detect_task,
)
from mllib.training import TrainedModel

_KEY = "glassbox_workspace"
HISTORY_LIMIT = 200


@dataclass
class Workspace:
    dataset: Dataset | None = None
    profile: TableProfile | None = None
    target: str | None = None
    features: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    task: Task | None = None
    task_reason: str = ""
    model: TrainedModel | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    upload_digest: str | None = None
    upload_error: str | None = None  # why the last upload was refused, shown until it changes
    algorithm: str | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    # choices made before a slow fit, per training.gate_key: "full" (all rows) or "sample"
    confirmed: dict[str, str] = field(default_factory=dict)
    imported: object | None = None  # a ModelBundle loaded on the Export page (.skops)

    @property
    def frame(self) -> pd.DataFrame | None:
        return None if self.dataset is None else self.dataset.frame

    @property
    def ready_to_train(self) -> bool:
        return bool(self.dataset is not None and self.target and self.features and self.task)

    def set_dataset(
        self, dataset: Dataset, profile: TableProfile, target: str | None = None
    ) -> None:
        """Replace the data; target, features and task get fresh defaults, the model is dropped."""
        self.dataset, self.profile = dataset, profile
        self.model = None
        self.set_target(target if target in profile.names else default_target(profile))

    def set_target(self, target: str) -> None:
        assert self.profile is not None and self.dataset is not None
        if target == self.target and self.features:
            return
        self.target = target
        choice: FeatureChoice = default_features(self.profile, target)
        self.features, self.excluded = choice.features, choice.excluded
        guess = detect_task(self.dataset.frame[target])
        self.task, self.task_reason = guess.task, guess.reason
        self.model = None

    def set_model(self, model: TrainedModel) -> None:
        if self.model is not model:
            self.model = model
            self.history.append(model.summary_row())
            del self.history[:-HISTORY_LIMIT]


def workspace() -> Workspace:
    """This session's workspace, created on first use."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = Workspace()
    return st.session_state[_KEY]


def bind(key: str, value: Any) -> str:
    """Seed a widget's state from the workspace the first time it is drawn on a page.

    Streamlit forgets a widget's state when its page is left; seeding from the workspace keeps
    choices across pages without passing ``value=`` (which would fight the user's edits).
    """
    if key not in st.session_state:
        st.session_state[key] = value
    return key
