"""Hyperparameter search, computed in small steps (validation and learning curves: curves.py).

The candidates come from :mod:`mllib.search_space` (grids and random draws over the
catalogue's :class:`~mllib.catalogue.Param` records; its names are re-exported here).

:func:`search` is an iterator: it evaluates a chunk of candidates on every fold with
scikit-learn's own ``GridSearchCV`` (the same estimator clones, splits and parallel batches as a
bare search) through :mod:`mllib.parallel`, updates a :class:`SearchState` and yields it, so a
page can draw progress between chunks, stop at any time, and later resume from the same state.
Candidates are visited in a shuffled order, so the first fits are a fair sample of the costs
and the time left is honest early.
Successive halving is done here in the same way (rather than with scikit-learn's
``HalvingRandomSearchCV``, which runs to the end in one call): many candidates on a few rows,
then the best third on three times as many rows, until the best few see every training row.

Searches run on the training part of the same split the Train page uses, with the same
cross-validation folds; the held-out test rows score only the winner.

One topic: a search over hyperparameters. Its data, plan, chunked run, state, results and
time estimate share :class:`SearchPlan` and :class:`SearchState`, so they stay in one module
(about 600 lines); the candidates (:mod:`mllib.search_space`) and the curves
(:mod:`mllib.curves`) live apart.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, UndefinedMetricWarning
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    GridSearchCV,
    train_test_split,
)

from mllib import costs, metrics, parallel, training
from mllib.catalogue import ModelSpec, get_spec
from mllib.errors import GlassboxError
from mllib.i18n import DEFAULT, N_, Message, Translator, msg, translator
from mllib.pipeline import build_pipeline
from mllib.profile import TableProfile
from mllib.search_space import MAX_CANDIDATES as MAX_CANDIDATES
from mllib.search_space import default_search as default_search
from mllib.search_space import grid_candidates, random_candidates
from mllib.search_space import grid_values as grid_values
from mllib.search_space import search_space as search_space
from mllib.search_space import tunable_params as tunable_params
from mllib.vocab import Task

Method = Literal["grid", "random", "halving"]
METHODS: dict[Method, str] = {  # names people read: translated where shown
    "grid": N_("Grid search"),
    "random": N_("Randomized search"),
    "halving": N_("Successive halving"),
}
HALVING_ROWS = 20_000  # above this many training rows, successive halving is the default
HALVING_FACTOR = 3
# Aim for a progress update (and a chance to stop) about this often. Each chunk is one
# GridSearchCV call, and its start and its last fits (cores left idle) cost time: with 1 s
# chunks a 2-core search ran 1.60-1.67x faster than one core, with 1.5 s 1.78x
# (bench/search.py, the same quiet machine and hour; GridSearchCV alone, 1.77x).
CHUNK_SECONDS = 1.5
# Switch a search from worker threads to worker processes when the fits still to do would take
# at least this long on one core (measured on the first chunks): processes avoid the GIL but
# cost a second or so to start.
PROCESS_SECONDS = 5.0
FIT_OVERHEAD_SECONDS = 0.02  # preprocessing and scoring around each fit, on small data

QUIET = (ConvergenceWarning, UndefinedMetricWarning, FitFailedWarning, RuntimeWarning)


# --- the data a search sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class SplitData:
    """The train/test split of :func:`mllib.training.train_model` for one config, unfitted."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    profile: TableProfile
    config: training.TrainConfig
    notes: tuple[str, ...] = ()

    @property
    def task(self) -> Task:
        return self.config.task

    @property
    def features(self) -> list[str]:
        return list(self.config.features)


def split_data(
    frame: pd.DataFrame, profile: TableProfile, config: training.TrainConfig
) -> SplitData:
    """Split exactly as ``train_model`` does (same rows, seed, test share and stratification)."""
    notes = training.check_trainable(frame, config)
    X, y, train_idx, test_idx, _ = training.split_rows(training.model_rows(frame, config), config)
    return SplitData(
        X.iloc[train_idx].reset_index(drop=True),
        y.iloc[train_idx].reset_index(drop=True),
        X.iloc[test_idx].reset_index(drop=True),
        y.iloc[test_idx].reset_index(drop=True),
        profile,
        config,
        tuple(notes),
    )


cv_splits = training.cv_splits  # the folds cross-validation on the Train page uses


# --- the search space -----------------------------------------------------------------------------


def scorer_name(task: Task, metric: str) -> str:
    try:
        return metrics.scorers(task)[metric]
    except KeyError:
        raise GlassboxError(
            msg(
                "Unknown metric {metric} for {task}.", metric=repr(metric), task=Message(task.value)
            )
        ) from None


def metric_sign(task: Task, metric: str) -> float:
    """scikit-learn scorers are "greater is better"; errors come negated and are flipped back."""
    return -1.0 if scorer_name(task, metric).startswith("neg_") else 1.0


# --- the plan and its state -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPlan:
    """What one search evaluates: candidates, and per round how many survive on how many rows."""

    algorithm: str
    task: Task
    method: Method
    names: tuple[str, ...]
    candidates: tuple[dict[str, Any], ...]
    rounds: tuple[tuple[int, int], ...]  # (candidates, training rows) per round
    folds: int
    metric: str
    seed: int
    data_key: str = ""

    @property
    def spec(self) -> ModelSpec:
        return get_spec(self.algorithm)

    @property
    def total_fits(self) -> int:
        return sum(n for n, _ in self.rounds) * self.folds

    @property
    def total_work(self) -> float:
        """Fits weighted by the rows they see, for an honest time-left estimate."""
        return float(sum(n * rows for n, rows in self.rounds) * self.folds)


def search_config(
    config: training.TrainConfig, n_rows: int
) -> tuple[training.TrainConfig, Message | str]:
    """The training configuration a search of ``config``'s algorithm runs on, and a note for
    people when it differs: an algorithm that slows down with the square of the rows (kernel
    SVMs) searches a random ``KERNEL_SVM_SAMPLE``-row sample of a larger table, as Compare
    samples it (thousands of fits on every row would take hours)."""
    spec, sample = config.spec, training.KERNEL_SVM_SAMPLE
    if spec.cost_exponent > 1 and n_rows > sample:
        note = msg(
            "{algorithm} slows down with the square of the rows: this search uses a random "
            "{sample:,}-row sample.",
            algorithm=Message(spec.name),
            sample=sample,
        )
        return replace(config, sample_rows=sample), note
    return config, ""


def plan_search(
    data: SplitData,
    method: Method,
    names: Sequence[str],
    base: Mapping[str, Any],
    *,
    values_per_param: int = 4,
    n_candidates: int = 30,
    folds: int = 5,
    metric: str | None = None,
    data_key: str = "",
) -> SearchPlan:
    spec, task, seed = data.config.spec, data.task, data.config.seed
    metric = metric or metrics.primary_metric(task)
    scorer_name(task, metric)
    if not names:
        raise GlassboxError(msg("Choose at least one parameter to search."))
    order = [p.name for p in spec.params_for(task)]
    names = sorted(names, key=lambda n: order.index(n) if n in order else len(order))
    base = spec.clean(task, base)
    if method == "grid":
        candidates = grid_candidates(spec, task, names, base, values_per_param)
    else:
        candidates = random_candidates(spec, task, names, base, n_candidates, seed)
    if len(candidates) < 2:
        raise GlassboxError(msg("The chosen parameters give fewer than two settings to compare."))
    n_rows = len(data.y_train)
    if method == "halving":
        rounds = halving_rounds(len(candidates), n_rows, _min_rows(data, folds))
    else:
        rounds = ((len(candidates), n_rows),)
    return SearchPlan(
        spec.key,
        task,
        method,
        tuple(names),
        tuple(candidates),
        rounds,
        folds,
        metric,
        seed,
        data_key,
    )


def _min_rows(data: SplitData, folds: int) -> int:
    """Fewest rows a halving round may use: every fold must see every class a few times."""
    classes = int(data.y_train.nunique()) if data.task == Task.CLASSIFICATION else 1
    return min(len(data.y_train), max(30, 4 * folds * classes))


def halving_rounds(
    n_candidates: int, n_rows: int, min_rows: int, factor: int = HALVING_FACTOR
) -> tuple[tuple[int, int], ...]:
    """Rounds of successive halving: each keeps the best 1/``factor`` on ``factor``× the rows,
    ending with every row; as many rounds as the rows allow."""
    by_candidates = max(1, math.ceil(math.log(n_candidates, factor)))
    by_rows = max(1, 1 + math.floor(math.log(max(n_rows / max(min_rows, 1), 1), factor)))
    count = min(by_candidates, by_rows)
    rounds = []
    alive = n_candidates
    for i in range(count):
        rows = n_rows if i == count - 1 else max(min_rows, n_rows // factor ** (count - 1 - i))
        rounds.append((alive, rows))
        alive = max(1, math.ceil(alive / factor))
    return tuple(rounds)


@dataclass(frozen=True)
class SearchResult:
    """One setting's cross-validated scores in one round of a search."""

    candidate: int  # its index in SearchPlan.candidates
    round: int
    rows: int  # training rows in that round
    score: float  # mean over the folds in scikit-learn's sign (greater is better); NaN: failed
    validation: float  # the mean as people read the metric (an error is positive)
    std: float
    train: float
    fit_seconds: float

    @property
    def failed(self) -> bool:
        return math.isnan(self.score)


@dataclass
class SearchState:
    """Everything a running search has done; :func:`search` continues from it."""

    plan: SearchPlan
    results: list[SearchResult] = field(default_factory=list)
    round: int = 0
    pending: list[int] = field(default_factory=list)
    done_fits: int = 0
    done_work: float = 0.0
    elapsed: float = 0.0
    fitting: float = 0.0  # of ``elapsed``, the time spent in chunks of fits (the pace)
    status: Literal["running", "stopped", "done"] = "running"
    best_test: dict[str, float] | None = None
    errors: dict[str, int] = field(default_factory=dict)
    workers: int = 1  # how many fits run at once (set by :func:`search`)

    def __post_init__(self) -> None:
        if not self.pending and not self.results:
            # a fair sample of the costs first (a grid lists its cheapest settings together)
            order = np.random.default_rng(self.plan.seed).permutation(len(self.plan.candidates))
            self.pending = [int(i) for i in order]

    @property
    def seconds_left(self) -> float | None:
        """Time to the end at the pace measured so far (wall seconds per fit-row), counting
        the winner's final refit on every training row, which runs on one worker alone."""
        if self.done_work <= 0 or self.status != "running":
            return None
        pace = (self.fitting or self.elapsed) / self.done_work
        folds = self.plan.folds
        refit = self.plan.rounds[-1][1] * folds / max(folds - 1, 1) * self.workers
        return pace * (self.plan.total_work - self.done_work + refit)

    @property
    def progress(self) -> float:
        return min(1.0, self.done_fits / max(self.plan.total_fits, 1))

    def best(self) -> SearchResult | None:
        """The best result in the latest round that has any (later rounds saw more rows)."""
        scored = [r for r in self.results if not r.failed]
        if not scored:
            return None
        last = max(r.round for r in scored)
        return max((r for r in scored if r.round == last), key=lambda r: r.score)

    def best_params(self) -> dict[str, Any] | None:
        best = self.best()
        return None if best is None else dict(self.plan.candidates[best.candidate])


@dataclass(frozen=True)
class Scores:
    """One setting's scores on every fold (scikit-learn's sign: greater is better)."""

    validation: np.ndarray
    train: np.ndarray
    fit_seconds: float
    error: str | None = None
    score_seconds: float = 0.0  # scoring the validation (and training) rows, per fold


def evaluate(
    data: SplitData,
    algorithm: str,
    settings: Sequence[Mapping[str, Any]],
    X: pd.DataFrame,
    y: pd.Series,
    folds: list[tuple[np.ndarray, np.ndarray]],
    scoring: str,
    n_jobs: int = -1,
    processes: bool = False,
) -> list[Scores]:
    """Cross-validate each of ``settings`` on ``folds`` with scikit-learn's ``GridSearchCV``.

    The search varies the pipeline's ``model`` step over estimators built from the catalogue
    (so cleaned settings, such as the logistic solver that follows the penalty, stay valid);
    ``GridSearchCV`` clones the pipeline and each estimator per fit and batches the fits over
    the workers of :func:`mllib.parallel.execution_backend` as a bare search would. A failing
    fit scores NaN and its first error message is kept.
    """
    spec, task, seed = get_spec(algorithm), data.task, data.config.seed
    pipe, _ = build_pipeline(spec, task, dict(settings[0]), data.profile, data.features, seed)
    models = [spec.build(task, dict(s), seed) for s in settings]
    searcher = GridSearchCV(
        pipe,
        {"model": models},
        scoring=scoring,
        cv=folds,
        refit=False,
        return_train_score=True,
        error_score=np.nan,
    )
    k = len(folds)
    with parallel.execution_backend(n_jobs, processes), warnings.catch_warnings():
        for category in QUIET:
            warnings.simplefilter("ignore", category)
        warnings.filterwarnings("ignore", "One or more of the .* scores are non-finite")
        try:
            searcher.fit(X, y)
            results: dict[str, Any] = searcher.cv_results_
        except ValueError:  # every fit failed: GridSearchCV refuses to summarise
            nan = np.full(len(models), np.nan)
            results = {f"split{i}_{s}_score": nan for i in range(k) for s in ("test", "train")}
            results["mean_fit_time"] = np.zeros(len(models))
            results["mean_score_time"] = np.zeros(len(models))
    out = []
    for i, model in enumerate(models):
        validation = np.array([results[f"split{f}_test_score"][i] for f in range(k)], float)
        train = np.array([results[f"split{f}_train_score"][i] for f in range(k)], float)
        error = None
        if np.isnan(validation).any():
            fold = folds[int(np.flatnonzero(np.isnan(validation))[0])]
            error = _failure(pipe, model, X, y, fold, scoring)
        fit_seconds = float(results["mean_fit_time"][i])
        score_seconds = float(results["mean_score_time"][i])
        out.append(Scores(validation, train, fit_seconds, error, score_seconds))
    return out


def _failure(
    pipe: Any,
    model: Any,
    X: pd.DataFrame,
    y: pd.Series,
    fold: tuple[np.ndarray, np.ndarray],
    scoring: str,
) -> str:
    """Why a setting failed: the fit repeated here to catch its message (failures are rare and
    usually fail fast)."""
    trial = clone(pipe).set_params(model=clone(model))
    train, test = fold
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trial.fit(X.iloc[train], y.iloc[train])
            get_scorer(scoring)(trial, X.iloc[test], y.iloc[test])
    except Exception as err:
        return _first_line(err)
    return msg("the score could not be computed")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:160]


def search(
    data: SplitData,
    state: SearchState,
    *,
    n_jobs: int = -1,
    chunk_seconds: float = CHUNK_SECONDS,
) -> Iterator[SearchState]:
    """Continue ``state``'s search, yielding it after every chunk of fits.

    Stop by no longer iterating (or setting ``state.status = "stopped"``); calling again with
    the same state resumes where it left off. The state ends with ``status == "done"`` and
    ``best_test``: the winner refitted on the whole training part and scored on the test rows.
    """
    plan = state.plan
    spec, task = plan.spec, plan.task
    scoring = scorer_name(task, plan.metric)
    sign = metric_sign(task, plan.metric)
    workers = parallel.current_backend().workers if n_jobs == -1 else max(1, n_jobs)
    state.workers = workers
    n_text = training.count_text(data.profile, data.features)
    per_chunk = 2 * workers  # a first sample of the costs large enough to estimate from
    processes = False
    while state.status == "running" and state.round < len(plan.rounds):
        _, rows = plan.rounds[state.round]
        subset = _round_rows(data, rows, plan.seed)
        X, y = data.X_train.iloc[subset], data.y_train.iloc[subset]
        folds = cv_splits(y, task, plan.folds, plan.seed)
        while state.pending and state.status == "running":
            chunk = state.pending[:per_chunk]
            settings = [plan.candidates[c] for c in chunk]
            started = time.perf_counter()
            scores = evaluate(
                data, spec.key, settings, X, y, folds, scoring, n_jobs, processes=processes
            )
            seconds = time.perf_counter() - started
            if state.status != "running":
                return  # stopped while this chunk ran: fits finished after Stop do not count
            n_fits = len(chunk) * len(folds)
            modelled = training.model_seconds(spec, rows, len(data.features), n_text)
            for s in scores:  # each fit teaches the estimates (the Train page's gate too)
                if s.error is None:
                    costs.record(spec.key, modelled, s.fit_seconds + s.score_seconds)
            rows_done = [
                _summarise(c, state.round, rows, s, sign, state)
                for c, s in zip(chunk, scores, strict=True)
            ]
            # Whole values swapped in, so a page reading from another thread sees a consistent
            # state (results first, then the counts that describe them).
            state.results = state.results + rows_done
            state.pending = state.pending[len(chunk) :]
            state.done_fits += n_fits
            state.done_work += n_fits * rows
            state.elapsed += seconds
            state.fitting += seconds
            one_core = seconds * min(workers, n_fits) / (n_fits * rows)  # per fit-row
            if not processes and (
                workers > 1 and one_core * (plan.total_work - state.done_work) >= PROCESS_SECONDS
            ):
                processes = True
                started = time.perf_counter()  # their start-up is not the cost of a fit
                parallel.start_workers(n_jobs)
                state.elapsed += time.perf_counter() - started
            # Longer chunks waste less at each chunk's end (the last fits leave cores idle);
            # with processes that matters more than a progress tick every 1.5 s.
            target = chunk_seconds * (2 if processes else 1)
            per_candidate = seconds / len(chunk)
            per_chunk = max(workers, round(target / max(per_candidate, 1e-3)))
            yield state
        if state.status != "running":
            return
        state.round += 1
        if state.round < len(plan.rounds):
            state.pending = _survivors(state, plan.rounds[state.round][0])
    if state.status == "running":
        started = time.perf_counter()
        state.best_test = _score_best(data, state)
        state.elapsed += time.perf_counter() - started
        state.status = "done"
        yield state


def _round_rows(data: SplitData, rows: int, seed: int) -> np.ndarray:
    """A stratified random subset of the training part (all of it in the last round)."""
    n = len(data.y_train)
    if rows >= n:
        return np.arange(n)
    stratify = data.y_train if data.task == Task.CLASSIFICATION else None
    try:
        subset, _ = train_test_split(
            np.arange(n), train_size=rows, random_state=seed, stratify=stratify
        )
    except ValueError:
        subset, _ = train_test_split(np.arange(n), train_size=rows, random_state=seed)
    return np.sort(subset)


def _summarise(
    candidate: int, round_: int, rows: int, scores: Scores, sign: float, state: SearchState
) -> SearchResult:
    validation, train = scores.validation, scores.train
    if scores.error:
        state.errors[scores.error] = state.errors.get(scores.error, 0) + 1
    failed = bool(np.isnan(validation).any())
    return SearchResult(
        candidate=candidate,
        round=round_,
        rows=rows,
        score=math.nan if failed else float(validation.mean()),
        validation=math.nan if failed else float(sign * validation.mean()),
        std=math.nan if failed else float(validation.std()),
        train=math.nan if failed else float(sign * train.mean()),
        fit_seconds=scores.fit_seconds,
    )


def _survivors(state: SearchState, keep: int) -> list[int]:
    previous = [r for r in state.results if r.round == state.round - 1]
    ranked = sorted(previous, key=lambda r: -r.score if not r.failed else math.inf)
    return [r.candidate for r in ranked[:keep]]


def _score_best(data: SplitData, state: SearchState) -> dict[str, float] | None:
    params = state.best_params()
    if params is None:
        return None
    plan = state.plan
    pipe, _ = build_pipeline(plan.spec, plan.task, params, data.profile, data.features, plan.seed)
    with warnings.catch_warnings():
        for category in QUIET:
            warnings.simplefilter("ignore", category)
        pipe.fit(data.X_train, data.y_train)
        return metrics.score(plan.task, data.y_test, pipe.predict(data.X_test))


def results_table(state: SearchState, tr: Translator | None = None) -> pd.DataFrame:
    """One row per candidate (its last round), best first, parameters as readable labels;
    headers and labels in ``tr``'s language (English by default). Its float columns are
    scores, then the fit time last."""
    plan = state.plan
    tr = tr or translator(DEFAULT)
    metric = tr.text(plan.metric)
    params = {p.name: p for p in plan.spec.params_for(plan.task)}
    latest: dict[int, SearchResult] = {}
    for row in state.results:
        latest[row.candidate] = row
    rows = []
    for row in latest.values():
        settings = plan.candidates[row.candidate]
        out: dict[str, Any] = {}
        for name in plan.names:
            label = tr.text(params[name].label)
            out[label] = tr.text(params[name].label_of(settings[name])) if name in settings else "—"
        out[tr("validation {metric}", metric=metric)] = row.validation
        out[tr("± std")] = row.std
        out[tr("train {metric}", metric=metric)] = row.train
        if plan.method == "halving":
            out[tr("rows")] = row.rows
        out[tr("fit s")] = row.fit_seconds
        out["_score"] = row.score
        out["_round"] = row.round
        rows.append(out)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table = table.sort_values(["_round", "_score"], ascending=[False, False], na_position="last")
    table.insert(0, tr("rank"), range(1, len(table) + 1))
    return table.drop(columns=["_score", "_round"]).reset_index(drop=True)


def describe_params(
    spec: ModelSpec, task: Task, values: Mapping[str, Any], tr: Translator | None = None
) -> str:
    """``"C = 10, γ (kernel width) = 0.01"`` for a settings dict (labels in ``tr``'s language)."""
    tr = tr or translator(DEFAULT)
    params = {p.name: p for p in spec.params_for(task)}
    return tr(", ").join(
        f"{tr.text(params[k].label)} = {tr.text(params[k].label_of(v))}"
        for k, v in values.items()
        if k in params
    )


SAMPLE_SIZES = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)


def affordable_sample(
    plan: SearchPlan, n_rows: int, n_features: int, workers: int, n_text: int, budget: float
) -> int | None:
    """The largest round sample of the table's ``n_rows`` rows whose search the estimate puts
    under ``budget`` seconds (each fit sees the same share of fewer rows); ``None`` when the
    whole table fits the budget, or when no sample does."""
    if search_seconds(plan, n_features, workers, n_text) <= budget:
        return None
    best = None
    for size in (s for s in SAMPLE_SIZES if s < n_rows):
        smaller = sampled_plan(plan, size / n_rows)
        if search_seconds(smaller, n_features, workers, n_text) <= budget:
            best = size
    return best


def sampled_plan(plan: SearchPlan, share: float) -> SearchPlan:
    """The same search on ``share`` of the rows: every round's fits see that share."""
    rounds = tuple((n, max(2, int(rows * share))) for n, rows in plan.rounds)
    return dataclasses.replace(plan, rounds=rounds)


def search_seconds(plan: SearchPlan, n_features: int, workers: int, n_text: int = 0) -> float:
    """The plan's wall time: the cost model per fit, times what fits of this algorithm
    measured on this machine when any did (else plus a fixed overhead per fit)."""
    spec = plan.spec
    overhead = 0.0 if training.is_measured(spec) else FIT_OVERHEAD_SECONDS
    total = sum(
        n * (training.training_seconds(spec, rows, n_features, 0, n_text) + overhead)
        for n, rows in plan.rounds
    )
    return total * plan.folds / max(1, workers)
