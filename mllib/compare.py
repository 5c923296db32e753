"""Every applicable algorithm on the same split and the same cross-validation folds.

:func:`plan_comparison` makes one :class:`~mllib.training.TrainConfig` per algorithm that
differs only in the algorithm and its settings, so the scores are comparable; kernel SVMs on
large data are sampled or skipped, with a note, instead of stalling the page.
:func:`run_comparison` fits them one by one (an iterator, so a page can show progress), and
:func:`leaderboard` ranks them by cross-validated score; :func:`predictions_table` overlays two
runs' test predictions. Decision boundaries and confusion matrices of two runs side by side
reuse :mod:`mllib.explain` and :mod:`mllib.charts`, as on the "See the model" page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from mllib import catalogue, metrics, training
from mllib.errors import GlassboxError
from mllib.i18n import DEFAULT, Message, Text, Translator, msg, translator
from mllib.profile import TableProfile
from mllib.vocab import Task

MAX_POINTS = 2_000  # per run in the overlay charts
SLOW_SECONDS = 15.0  # a comparison estimated above this is offered a sample first
SAMPLE_SIZES = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)  # offered, smallest first
# The leaderboard's columns: precision and recall (macro) are left to the Train page; balanced
# accuracy and F1 already show what they add to accuracy on skewed classes.
BOARD_METRICS = {
    Task.CLASSIFICATION: ("accuracy", "balanced accuracy", "F1 (macro)"),
    Task.REGRESSION: tuple(metrics.scorers(Task.REGRESSION)),
}


@dataclass(frozen=True)
class PlannedRun:
    """One algorithm's config for a comparison, or why it is left out or sampled."""

    config: training.TrainConfig
    note: Text = ""  # a Message (translated where shown) or empty
    skip: bool = False

    @property
    def spec(self) -> catalogue.ModelSpec:
        return self.config.spec


@dataclass
class RunResult:
    """A finished comparison entry: the model (``None`` if skipped or failed) and its timings."""

    planned: PlannedRun
    model: training.TrainedModel | None
    predict_seconds: float = float("nan")
    error: Text | None = None  # a GlassboxError's message and hint (a Message)

    @property
    def name(self) -> str:
        return self.planned.spec.name

    @property
    def key(self) -> str:
        return self.planned.spec.key


def plan_comparison(
    frame: pd.DataFrame,
    task: Task,
    target: str,
    features: Sequence[str],
    params: Mapping[str, Mapping[str, Any]],
    *,
    test_size: float = 0.25,
    seed: int = 0,
    cv_folds: int = 5,
    include_slow: bool = False,
    sample_rows: int | None = None,
    n_text: int = 0,
) -> list[PlannedRun]:
    """One config per algorithm for ``task``, with the user's current settings or defaults.

    A run whose estimated time (fit + ``cv_folds`` folds) is over ``SLOW_FIT_SECONDS`` per fit
    is trained on ``KERNEL_SVM_SAMPLE`` rows when that is enough, otherwise skipped, unless
    ``include_slow``. ``sample_rows`` trains every run on that many random rows (the same
    rows for all: same seed); ``n_text`` of the features are categorical (for estimates).
    """
    if cv_folds < 2:
        raise GlassboxError(msg("A comparison needs at least 2 cross-validation folds."))
    n_rows, n_features = len(frame), len(features)
    if sample_rows is not None and sample_rows < n_rows:
        n_rows = sample_rows
    else:
        sample_rows = None
    budget = training.SLOW_FIT_SECONDS * (1 + cv_folds)
    plans = []
    for spec in catalogue.specs_for(task):
        settings = training.valid_settings(spec, task, params.get(spec.key, {}))
        config = training.TrainConfig.make(
            spec.key,
            task,
            target,
            list(features),
            settings,
            test_size=test_size,
            seed=seed,
            cv_folds=cv_folds,
            sample_rows=sample_rows,
        )
        estimate = training.training_seconds(spec, n_rows, n_features, cv_folds, n_text)
        if include_slow or estimate <= budget:
            plans.append(PlannedRun(config))
            continue
        sample = training.KERNEL_SVM_SAMPLE
        sampled = training.training_seconds(spec, min(n_rows, sample), n_features, cv_folds, n_text)
        if n_rows > sample and sampled <= budget:
            plans.append(
                PlannedRun(
                    replace(config, sample_rows=sample),
                    msg(
                        "Trained on a random {sample:,}-row sample (the full table would take "
                        "about {seconds:,.0f} s), so its split differs from the others.",
                        sample=sample,
                        seconds=estimate,
                    ),
                )
            )
        else:
            plans.append(
                PlannedRun(
                    config,
                    msg(
                        "Skipped: it would take about {seconds:,.0f} s on {rows:,} rows. "
                        "Tick “Include slow algorithms” to run it anyway.",
                        seconds=estimate,
                        rows=n_rows,
                    ),
                    skip=True,
                )
            )
    return plans


def comparison_seconds(plans: Sequence[PlannedRun], n_rows: int, n_text: int = 0) -> float:
    """Wall time of a comparison: every run that is not skipped, on its rows, with its folds
    (estimates learned on this machine where fits were timed, see :mod:`mllib.costs`)."""
    total = 0.0
    for plan in plans:
        if plan.skip:
            continue
        config = plan.config
        rows = min(n_rows, config.sample_rows or n_rows)
        total += training.training_seconds(
            plan.spec, rows, len(config.features), config.cv_folds, n_text
        )
    return total


def affordable_sample(
    frame: pd.DataFrame,
    task: Task,
    target: str,
    features: Sequence[str],
    params: Mapping[str, Mapping[str, Any]],
    budget: float,
    n_text: int = 0,
    **options: Any,
) -> int | None:
    """The largest round sample on which the comparison fits in ``budget`` seconds, or
    ``None`` when all rows do (or no sample is small enough to matter)."""
    n_rows = len(frame)

    def cost(rows: int | None) -> float:
        plans = plan_comparison(
            frame, task, target, features, params, sample_rows=rows, n_text=n_text, **options
        )
        return comparison_seconds(plans, rows or n_rows, n_text)

    if cost(None) <= budget:
        return None
    best = None
    for rows in SAMPLE_SIZES:
        if rows < n_rows and (best is None or cost(rows) <= budget):
            best = rows
    return best


def run_comparison(
    frame: pd.DataFrame,
    profile: TableProfile,
    plans: Sequence[PlannedRun],
    fingerprint: str = "",
    fit: Callable[[training.TrainConfig], training.TrainedModel] | None = None,
) -> Iterator[RunResult]:
    """Fit each planned run in turn (cross-validation in parallel) and yield its result.

    ``fit`` replaces :func:`training.train_model` (the app passes its cached trainer, so the
    Train page reuses these fits). A run that fails becomes a result with ``error``.
    """

    def default_fit(config: training.TrainConfig) -> training.TrainedModel:
        return training.train_model(frame, profile, config, fingerprint)

    fit = fit or default_fit
    for plan in plans:
        if plan.skip:
            yield RunResult(plan, None)
            continue
        try:  # its cross-validation runs on every core (training.cross_validate_model)
            model = fit(plan.config)
        except GlassboxError as err:
            yield RunResult(plan, None, error=error_message(err))
            continue
        yield RunResult(plan, model, predict_seconds(model, frame))


def error_message(err: GlassboxError) -> Message:
    """A failed run's note: the error's message and hint, kept translatable."""
    message, hint = err.parts
    message = message if isinstance(message, Message) else Message(message)
    if hint is None:
        return message
    hint = hint if isinstance(hint, Message) else Message(hint)
    return msg("{message} {hint}", message=message, hint=hint)


def predict_seconds(model: training.TrainedModel, frame: pd.DataFrame) -> float:
    """Wall time to predict the test rows once: the best of up to three tries, to skip warm-up
    noise (one try when it is slow anyway)."""
    rows = training.model_rows(frame, model.config).iloc[model.test_index]
    X = rows[list(model.config.features)]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.pipeline.predict(X)
        best = min(best, time.perf_counter() - start)
        if best > 0.5:
            break
    return best


def _cv_value(model: training.TrainedModel, metric: str, column: str) -> float:
    if model.cv is None or model.cv.empty:
        return float("nan")
    match = model.cv.loc[model.cv["metric"] == metric, column]
    return float(match.iloc[0]) if len(match) else float("nan")


def leaderboard(
    results: Sequence[RunResult], task: Task, tr: Translator | None = None
) -> pd.DataFrame:
    """One row per algorithm, best cross-validated primary score first.

    Columns: ``algorithm``, ``key``, ``<metric> mean`` / ``<metric> std`` for every metric,
    ``test <primary>``, ``fit s``, ``predict ms``, ``note``. The column names are keys; the
    algorithm names, settings and notes are in ``tr``'s language (English by default).
    """
    tr = tr or translator(DEFAULT)
    names = list(metrics.scorers(task))
    primary = metrics.primary_metric(task)
    rows = []
    for result in results:
        model = result.model
        config = result.planned.config
        row: dict[str, Any] = {
            "algorithm": tr.text(result.name),
            "key": result.key,
            "settings": tr.text(config.spec.describe_settings(config.task, config.param_dict)),
        }
        for name in names:
            row[f"{name} mean"] = _cv_value(model, name, "mean") if model else float("nan")
            row[f"{name} std"] = _cv_value(model, name, "std") if model else float("nan")
        row[f"test {primary}"] = model.test_scores.get(primary, float("nan")) if model else np.nan
        row["fit s"] = model.fit_seconds if model else float("nan")
        row["predict ms"] = 1000 * result.predict_seconds
        row["note"] = tr.text(result.error or result.planned.note or _warning(model))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    ascending = not metrics.higher_is_better(primary)
    return table.sort_values(
        f"{primary} mean", ascending=ascending, na_position="last"
    ).reset_index(drop=True)


def _warning(model: training.TrainedModel | None) -> str:
    return model.warnings[0] if model is not None and model.warnings else ""


def leaderboard_display(
    board: pd.DataFrame, task: Task, tr: Translator | None = None
) -> pd.DataFrame:
    """The leaderboard as people read it: "0.953 ± 0.012" per metric, rounded timings, headers
    in ``tr``'s language (English by default)."""
    tr = tr or translator(DEFAULT)
    names = BOARD_METRICS[task]
    primary = metrics.primary_metric(task)
    out = pd.DataFrame(
        {
            tr("rank"): range(1, len(board) + 1),
            tr("algorithm"): board["algorithm"],
            tr("settings"): board["settings"],
        }
    )
    for name in names:
        mean, std = board[f"{name} mean"], board[f"{name} std"]
        out[tr("CV {metric}", metric=tr.text(name))] = [
            "—" if np.isnan(m) else f"{tr.number(m, 3)} ± {tr.number(s, 3)}"
            for m, s in zip(mean, std, strict=True)
        ]
    out[tr("test {metric}", metric=tr.text(primary))] = board[f"test {primary}"].round(3)
    out[tr("fit s")] = board["fit s"].round(3)
    out[tr("predict ms")] = board["predict ms"].round(1)
    out[tr("note")] = board["note"]
    return out


def error_bar_table(board: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean ± std of ``metric`` per algorithm (for the error-bar chart), plus the test score."""
    primary_test = next((c for c in board.columns if c.startswith("test ")), None)
    table = pd.DataFrame(
        {
            "algorithm": board["algorithm"],
            "mean": board[f"{metric} mean"],
            "std": board[f"{metric} std"],
        }
    )
    table["low"] = table["mean"] - table["std"]
    table["high"] = table["mean"] + table["std"]
    if primary_test is not None and primary_test == f"test {metric}":
        table["test"] = board[primary_test]
    return table.dropna(subset=["mean"]).reset_index(drop=True)


# --- overlays of two runs -------------------------------------------------------------------


def predictions_table(
    runs: Mapping[str, training.TrainedModel], max_points: int = MAX_POINTS, seed: int = 0
) -> pd.DataFrame:
    """Test-set actual and predicted values of each run (regression), sampled per run."""
    parts = []
    for label, model in runs.items():
        part = pd.DataFrame(
            {
                "run": label,
                "actual": np.asarray(model.y_test, dtype=float),
                "predicted": np.asarray(model.y_pred, dtype=float),
            }
        )
        if len(part) > max_points:
            part = part.sample(max_points, random_state=seed)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
