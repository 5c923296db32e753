"""One algorithm as data (:class:`ModelSpec`): its estimators per task, parameters, story,
and every fact the pages, the search and the export need about it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.preprocessing import StandardScaler

from mllib.catalogue.params import Param
from mllib.i18n import N_, Message, msg
from mllib.vocab import Task


@dataclass(frozen=True)
class ModelSpec:
    """One algorithm: its estimators per task, hyperparameters, a plain-language story, and
    every per-algorithm fact the pages, the search and the export need (adding an algorithm is
    adding one spec).

    Its sentences (``name``, ``summary``, ``explanation``, notes, the ``faster`` label) are
    English msgids marked with ``N_()`` where declared; pages translate them where they show
    them (``tr.text(spec.summary)``), so English callers keep the text as it was."""

    key: str
    name: str
    family: Literal["linear", "tree", "svm"]
    estimators: Mapping[Task, type[BaseEstimator]]
    params: tuple[Param, ...]
    summary: str
    explanation: str
    scale: bool = True
    dense: bool = False  # trees: a dense input matrix (12x faster than sparse for them)
    # linear models: a sparse input matrix whenever a column is one-hot encoded (no dense copy
    # of a million-row matrix; their solvers are faster on it)
    sparse: bool = False
    scale_target: bool = False
    fixed: Mapping[str, Any] = field(default_factory=dict)
    fixed_for: Mapping[Task, Mapping[str, Any]] = field(default_factory=dict)  # per task
    resolve: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    seconds_per_unit: float = 1e-8
    cost_exponent: float = 1.0
    # What statistical inference the fitted weights support: "ols" (standard errors, t, p),
    # "penalised" (none: the penalty biases the weights; the page says why), or None.
    inference: Literal["ols", "penalised"] | None = None
    # One-hot leaves out each categorical feature's first category (the reference level, whose
    # effect is in the intercept). Without a penalty the full set of one-hot columns plus the
    # intercept has no unique least-squares weights, and then no standard errors either.
    reference_category: bool = False
    # --- what the pages show, so that no page or engine module branches on an algorithm's key:
    # The "Model" tab: the weights and equation, the tree diagram, or the SVM's dual form (which
    # draws the boundary or curve itself, so SVMs get no separate boundary tab).
    model_view: Literal["weights", "diagram", "dual"] = "weights"
    formula: str = ""  # LaTeX on the "How it works" tab
    # What a classifier's linear score w·x + b is: the log-odds of a class or a margin score.
    output_kind: Literal["log-odds", "score"] = "score"
    margins: bool = False  # ±1 margins on the boundary map, the ε-tube on a one-feature curve
    straight_line: bool = False  # a regression y = w·x + b: the one-feature view writes it out
    gain_importance: bool = False  # impurity-decrease importances (a tree's own ranking)
    # The caption's last sentence when the Ridge/Lasso-style coefficient path is drawn.
    coefficient_path: str = ""
    search: tuple[str, ...] = ()  # parameters a search varies unless the user picks others
    card_note: str = ""  # a classifier's caveat about its scores, for the model card
    slow_note: str = ""  # why a fit on many rows is slow, added to the Train page's warning
    # A faster algorithm to offer when this one would be slow: (key, button label).
    faster: tuple[str, str] | None = None

    @property
    def tasks(self) -> frozenset[Task]:
        return frozenset(self.estimators)

    def params_for(self, task: Task) -> tuple[Param, ...]:
        return tuple(p for p in self.params if task in p.tasks)

    def defaults(self, task: Task) -> dict[str, Any]:
        return {p.name: p.default for p in self.params_for(task)}

    def clean(self, task: Task, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validated values for ``task``: defaults filled in, inapplicable ones dropped."""
        merged = {**self.defaults(task), **{k: v for k, v in values.items()}}
        unknown = set(values) - {p.name for p in self.params_for(task)}
        if unknown:
            raise ValueError(
                msg(
                    "{algorithm} has no parameter(s) {names}",
                    algorithm=Message(self.name),
                    names=", ".join(sorted(unknown)),
                )
            )
        return {
            p.name: p.validate(merged[p.name])
            for p in self.params_for(task)
            if p.applies(task, merged)
        }

    def describe_settings(self, task: Task, values: Mapping[str, Any]) -> Message:
        """The settings that differ from the defaults, as people read them
        (``"C = 10, kernel = sigmoid"``), or ``"defaults"``: what a leaderboard row used.
        A :class:`~mllib.i18n.Message`, so a page shows it in the reader's language."""
        defaults = self.defaults(task)
        changed = [
            msg(
                "{label} = {value}",
                label=Message(p.label),
                value=Message(p.label_of(values[p.name])),
            )
            for p in self.params_for(task)
            if p.name in values
            and not (
                values[p.name] == defaults[p.name]
                and type(values[p.name]) is type(defaults[p.name])
            )
        ]
        if not changed:
            return Message(N_("defaults"))
        text = changed[0]
        for part in changed[1:]:
            text = msg("{settings}, {setting}", settings=text, setting=part)
        return text

    def build(self, task: Task, values: Mapping[str, Any], seed: int = 0) -> BaseEstimator:
        if task not in self.estimators:
            raise ValueError(
                msg(
                    "{algorithm} does not do {task}",
                    algorithm=Message(self.name),
                    task=Message(task.value),
                )
            )
        kwargs = {**self.fixed, **self.fixed_for.get(task, {}), **self.clean(task, values)}
        if self.resolve is not None:
            kwargs = self.resolve(kwargs)
        cls = self.estimators[task]
        accepted = cls().get_params()
        if "random_state" in accepted:
            kwargs["random_state"] = seed
        estimator = cls(**{k: v for k, v in kwargs.items() if k in accepted})
        if self.scale_target and task == Task.REGRESSION:
            # ε and C are relative to the target's scale; standardising y makes the slider
            # ranges mean the same on every dataset. Predictions come back in real units.
            return TransformedTargetRegressor(regressor=estimator, transformer=StandardScaler())
        return estimator

    def modelled_fit_seconds(self, n_rows: int, n_columns: int) -> float:
        """A rough fit time on this machine kind, to warn before a slow fit (see bench/)."""
        return self.seconds_per_unit * math.pow(n_rows, self.cost_exponent) * max(n_columns, 1)
