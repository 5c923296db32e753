"""The one typed object that carries a user's work from page to page.

Everything shared across pages lives in :class:`Workspace`, stored under a single session key,
so any page opened directly (a deep link) finds the same, fully initialised state.

Widgets are seeded from it with :func:`bind` (and :func:`bind_choice` / :func:`keep_valid` when
their options change). A page never touches another page's widget states: it changes a shared
choice with :func:`choose_algorithm`, :func:`choose_split` or :func:`reset_settings`, which
update the workspace and let those widgets re-seed from it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd
import streamlit as st

from mllib.data import Dataset
from mllib.i18n import Message, msg
from mllib.lesson import LessonLink
from mllib.profile import (
    FeatureChoice,
    TableProfile,
    Task,
    default_features,
    default_target,
    detect_task,
)
from mllib.training import TrainedModel, training_key

if TYPE_CHECKING:  # mllib.export is heavy; the pages that import a model load it
    from mllib.export import ModelBundle

_KEY = "glassbox_workspace"
HISTORY_LIMIT = 200
DEFAULT_TEST_PCT = 25


class Split(NamedTuple):
    """The train/test split and cross-validation in effect: the Train page's choice, which
    Compare & tune, the model trained on first view and lesson links use too."""

    test_size: float  # a fraction of the rows
    seed: int
    cv_folds: int  # 0: no cross-validation


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
    # choices made before a slow fit, per training.gate_key: "full" (all rows) or
    # "sample:<rows>" (the sample's size fixed when chosen; a bare "sample" sizes it anew)
    confirmed: dict[str, str] = field(default_factory=dict)
    imported: ModelBundle | None = None  # a model file loaded on the Export page (.skops)
    # the Train page's split: test share in percent (None: the data's default), seed, CV folds
    test_pct: int | None = None
    seed: int = 0
    cv_folds: int = 0
    notice: str | Message | None = None  # shown once after the data was replaced
    project_id: str | None = None  # the saved project this session works in (ui.persistence)
    saved: dict[str, Any] = field(default_factory=dict)  # what was last sent to the store
    # decision thresholds chosen on See the model, per training key (mllib.threshold.metadata)
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    lesson: LessonLink | None = None  # the lesson link this session opened (ui.lesson)
    language: str | None = None  # the reader's chosen language (ui.i18n); None: the browser's

    @property
    def frame(self) -> pd.DataFrame | None:
        return None if self.dataset is None else self.dataset.frame

    @property
    def ready_to_train(self) -> bool:
        return bool(self.dataset is not None and self.target and self.features and self.task)

    def test_pct_range(self) -> tuple[int, int, int]:
        """The test shares in whole percent that keep every class in both parts (see
        :func:`mllib.training.test_size_bounds`, cached per data and target): lowest, highest
        and the default."""
        assert self.dataset is not None and self.target and self.task
        from ui.cache import split_bounds  # ui.cache imports this module

        low, high = split_bounds(self.dataset.fingerprint, self.target, self.task, self.dataset)
        lo_pct, hi_pct = math.ceil(low * 100), math.floor(high * 100)
        return lo_pct, hi_pct, min(max(DEFAULT_TEST_PCT, lo_pct), hi_pct)

    def test_pct_in_effect(self) -> int:
        """:attr:`test_pct` when this data allows it, else the data's default."""
        lo_pct, hi_pct, default = self.test_pct_range()
        pct = self.test_pct
        return pct if pct is not None and lo_pct <= pct <= hi_pct else default

    def split(self) -> Split:
        """The split every page trains with (never one this data cannot stratify)."""
        return Split(self.test_pct_in_effect() / 100, self.seed, self.cv_folds)

    def set_dataset(
        self, dataset: Dataset, profile: TableProfile, target: str | None = None
    ) -> None:
        """Replace the data: the one rule for state.

        Target, features, task, split and every algorithm's hyperparameters go back to the new
        data's defaults (settings tuned on other data mislead), the model is dropped, and the
        run history is kept. :attr:`notice` says so in one line.
        """
        previous = self.dataset
        self.dataset, self.profile = dataset, profile
        self.model = None
        self.target, self.features, self.excluded = None, [], {}
        self.params, self.confirmed = {}, {}
        self.test_pct, self.seed, self.cv_folds = None, 0, 0
        self.set_target(target if target in profile.names else default_target(profile))
        self.notice = None
        if previous is not None and previous.fingerprint != dataset.fingerprint:
            self.notice = msg(
                "Loaded {name}: target, features, task, split and all hyperparameters are back "
                "to its defaults; earlier runs stay in the history.",
                name=Message(dataset.name) if dataset.source == "sample" else dataset.name,
            )

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

    def dataset_title(self) -> str:
        """The data's name for the run history: a sample's title is Glassbox's words (a
        Message, shown translated), a file's name is data."""
        assert self.dataset is not None
        name = self.dataset.name
        return Message(name) if self.dataset.source == "sample" else name

    def set_model(self, model: TrainedModel) -> None:
        """Make ``model`` current; a run is added to the history once per distinct fit (a
        model equal to the current one, e.g. restored from a project, is kept as it is)."""
        if self.model is not None and same_fit(self.model, model):
            return
        if self.model is not model:
            self.model = model
            data = {"data": self.dataset_title()} if self.dataset is not None else {}
            self.history.append({**data, **model.summary_row()})
            del self.history[:-HISTORY_LIMIT]


def same_fit(a: TrainedModel, b: TrainedModel) -> bool:
    return a is b or (
        a.data_fingerprint == b.data_fingerprint
        and training_key(a.data_fingerprint, a.config) == training_key(b.data_fingerprint, b.config)
    )


def workspace() -> Workspace:
    """This session's workspace, created on first use."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = Workspace()
    return st.session_state[_KEY]


#: The Train page's widgets for the workspace's algorithm and split. Other pages change those
#: choices only through :func:`choose_algorithm` and :func:`choose_split`, which update the
#: workspace and drop these states so the widgets re-seed from it.
ALGORITHM_WIDGET = "algorithm"
SPLIT_WIDGETS = ("test_pct", "seed", "cv_folds")
#: Widget states that describe the current data's choices; dropped when the data is replaced so
#: every widget re-seeds from the freshly reset workspace.
DATA_WIDGET_KEYS = ("target", "task", "features", *SPLIT_WIDGETS)
DATA_WIDGET_PREFIXES = ("p_", "tune_", "vc_", "overlay_", "boundary_", "compare_metric")


def load_dataset(
    ws: Workspace, dataset: Dataset, profile: TableProfile, target: str | None = None
) -> None:
    """Make ``dataset`` the current data (see :meth:`Workspace.set_dataset`) and forget the
    widget states that belonged to the previous data."""
    ws.set_dataset(dataset, profile, target)
    forget_widgets()


def forget_widgets() -> None:
    _forget(DATA_WIDGET_KEYS, DATA_WIDGET_PREFIXES)


def _forget(keys: Collection[str] = (), prefixes: tuple[str, ...] = ()) -> None:
    for key in list(st.session_state):
        if key in keys or str(key).startswith(prefixes):
            del st.session_state[key]


def param_widget_prefix(algorithm: str) -> str:
    """What the state keys of ``algorithm``'s hyperparameter widgets start with."""
    return f"p_{algorithm}_"


def choose_algorithm(ws: Workspace, algorithm: str, params: dict[str, Any] | None = None) -> None:
    """Make ``algorithm`` (with ``params`` when given) the Train page's choice; its widgets
    re-seed from the workspace. Safe in a button callback."""
    ws.algorithm = algorithm
    if params is not None:
        ws.params[algorithm] = dict(params)
    _forget([ALGORITHM_WIDGET], (param_widget_prefix(algorithm),))


def choose_split(ws: Workspace, test_pct: int | None, seed: int, cv_folds: int) -> None:
    """Make this the Train page's split (``test_pct`` ``None``: the data's default); its
    widgets re-seed from the workspace."""
    ws.test_pct, ws.seed, ws.cv_folds = test_pct, seed, cv_folds
    _forget(SPLIT_WIDGETS)


def reset_settings(ws: Workspace, algorithms: list[str] | None = None) -> None:
    """ "Reset to defaults": the hyperparameters of ``algorithms`` (all when ``None``) and the
    split go back to their defaults. Used as a button callback, before widgets are drawn."""
    if algorithms is None:
        ws.params.clear()
    for key in algorithms or []:
        ws.params.pop(key, None)
    choose_split(ws, None, 0, 0)
    prefixes = (
        tuple(param_widget_prefix(key) for key in algorithms)
        if algorithms is not None
        else (param_widget_prefix(""),)
    )
    _forget(prefixes=prefixes)


def replace_workspace(ws: Workspace) -> None:
    """Make ``ws`` this session's workspace (a project was opened); the reader's language is
    a choice of the session, not of the project, so it carries over."""
    previous = st.session_state.get(_KEY)
    if previous is not None and ws.language is None:
        ws.language = previous.language
    st.session_state[_KEY] = ws


def bind(key: str, value: Any) -> str:
    """Seed a widget's state from the workspace the first time it is drawn on a page.

    Streamlit forgets a widget's state when its page is left; seeding from the workspace keeps
    choices across pages without passing ``value=`` (which would fight the user's edits).
    """
    if key not in st.session_state:
        st.session_state[key] = value
    return key


_DROP: Any = object()


def keep_valid(key: str, options: Collection[Any], fallback: Any = _DROP) -> str:
    """Forget a widget's state that is no longer one of ``options`` (new data, another model
    or task), so the widget starts again from its default rather than from whatever Streamlit
    makes of an unknown value. A multiselect's list must be a subset. With ``fallback`` the
    stale state is replaced by it instead of dropped. Returns ``key``, so
    ``bind(keep_valid(key, options), default)`` reads as one step."""
    if key in st.session_state:
        value = st.session_state[key]
        valid = (
            all(v in options for v in value)
            if isinstance(value, list | tuple)
            else value in options
        )
        if not valid:
            if fallback is _DROP:
                del st.session_state[key]
            else:
                st.session_state[key] = fallback
    return key


def bind_choice(key: str, options: Sequence[Any], default: Any) -> str:
    """:func:`bind` for a widget whose options change: stale state is dropped, and the widget
    starts at ``default`` when that is an option (else at the first option)."""
    return bind(keep_valid(key, options), default if default in options else options[0])
