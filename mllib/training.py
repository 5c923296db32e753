"""Split, fit, score and cross-validate one model, returning everything pages need to show it.

:func:`train_model` is pure: same data and :class:`TrainConfig` give the same model. Checks that
would otherwise surface as scikit-learn tracebacks run first and raise :class:`TrainingError`
with a message for people. :func:`training_key` is the cheap cache key the app layer uses.

One topic: training one model. Its settings, checks, split, fit, scores, cross-validation and
the rebuilding of a saved model share :class:`TrainConfig` and :class:`TrainedModel` (about 600
lines); how long a fit will take lives in :mod:`mllib.fit_time`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline

from mllib import costs, metrics, parallel, prepared, response
from mllib.catalogue import ModelSpec, get_spec
from mllib.convergence import hit_iteration_limit
from mllib.errors import DataError, TrainingError
from mllib.fit_time import CALIBRATION_ROWS as CALIBRATION_ROWS
from mllib.fit_time import CALIBRATION_SECONDS as CALIBRATION_SECONDS
from mllib.fit_time import KERNEL_SVM_SAMPLE as KERNEL_SVM_SAMPLE
from mllib.fit_time import SLOW_FIT_SECONDS as SLOW_FIT_SECONDS
from mllib.fit_time import affordable_rows as affordable_rows
from mllib.fit_time import calibration_rows as calibration_rows
from mllib.fit_time import count_text as count_text
from mllib.fit_time import is_measured as is_measured
from mllib.fit_time import model_seconds as model_seconds
from mllib.fit_time import training_seconds as training_seconds
from mllib.i18n import N_, Message, from_data, msg, to_data
from mllib.pipeline import (
    ColumnPlan,
    build_pipeline,
    category_text,
    check_columns,
    prepare_features,
)
from mllib.prepared import PreparedRows
from mllib.profile import TableProfile, check_target, drop_bad_target_rows
from mllib.vocab import Task, is_numeric

MIN_ROWS = 10
TRAIN_SCORE_ROWS = 20_000


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a fit; hashable into the cache key."""

    algorithm: str
    task: Task
    target: str
    features: tuple[str, ...]
    params: tuple[tuple[str, Any], ...] = ()
    test_size: float = 0.25
    seed: int = 0
    cv_folds: int = 0
    sample_rows: int | None = None

    @property
    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def spec(self) -> ModelSpec:
        return get_spec(self.algorithm)

    @staticmethod
    def make(
        algorithm: str,
        task: Task,
        target: str,
        features: list[str] | tuple[str, ...],
        params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> TrainConfig:
        spec = get_spec(algorithm)
        clean = spec.clean(task, params or {})
        return TrainConfig(
            algorithm, task, target, tuple(features), tuple(sorted(clean.items())), **kwargs
        )


@dataclass
class TrainedModel:
    """A fitted pipeline plus what it was trained on and how well it did."""

    pipeline: Pipeline
    config: TrainConfig
    plan: ColumnPlan
    train_scores: dict[str, float]
    test_scores: dict[str, float]
    cv: pd.DataFrame | None
    fit_seconds: float
    n_train: int
    n_test: int
    classes: list[Any] | None
    data_fingerprint: str
    train_index: np.ndarray
    test_index: np.ndarray
    y_test: np.ndarray
    y_pred: np.ndarray
    test_scores_raw: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)  # Messages: shown in the reader's language
    created: float = field(default_factory=time.time)

    @property
    def spec(self) -> ModelSpec:
        return self.config.spec

    @property
    def task(self) -> Task:
        return self.config.task

    @property
    def estimator(self) -> Any:
        """The fitted scikit-learn model itself (unwrapped from target scaling)."""
        model = self.pipeline.named_steps["model"]
        return getattr(model, "regressor_", model)

    @functools.cached_property
    def input_width(self) -> int:
        """Columns the estimator sees after preprocessing (one-hot columns counted)."""
        return len(self.pipeline.named_steps["prep"].get_feature_names_out())

    def train_test_table(self) -> pd.DataFrame:
        """Train and test scores side by side (made once: pages draw it on every rerun)."""
        return self._train_test_table

    @functools.cached_property
    def _train_test_table(self) -> pd.DataFrame:
        return metrics.comparison_table(self.train_scores, self.test_scores)

    def summary_row(self) -> dict[str, Any]:
        """One line of the run history. Its keys are English (a saved project keeps them);
        :func:`history_header` gives each in the reader's language, and its text values are
        Messages while the session lasts."""
        row: dict[str, Any] = {
            "algorithm": Message(self.spec.name),
            "settings": self.spec.describe_settings(self.task, self.config.param_dict),
            "target": self.config.target,
            "split": msg(
                "{share:.0%} test, seed {seed}",
                share=self.config.test_size,
                seed=self.config.seed,
            ),
            "features": len(self.config.features),
            "train rows": self.n_train,
            "fit s": round(self.fit_seconds, 3),
        }
        for name, value in self.test_scores.items():
            row[f"test {name}"] = round(value, 4)
        if self.cv is not None and len(self.cv):
            first = self.cv.iloc[0]
            row[f"CV {first['metric']}"] = f"{first['mean']:.3f} ± {first['std']:.3f}"
        return row


#: The run history's fixed columns (:meth:`TrainedModel.summary_row`), marked for translation.
HISTORY_COLUMNS = (
    N_("data"),
    N_("algorithm"),
    N_("settings"),
    N_("target"),
    N_("split"),
    N_("features"),
    N_("train rows"),
    N_("fit s"),
)


def history_header(key: str) -> Message:
    """A run-history column's header as people read it: the key itself, translatable (a
    metric's column, ``"test accuracy"`` or ``"CV accuracy"``, names the metric as a term)."""
    for prefix, text in (("test ", N_("test {metric}")), ("CV ", N_("CV {metric}"))):
        if key.startswith(prefix) and key not in HISTORY_COLUMNS:
            return msg(text, metric=Message(key[len(prefix) :]))
    return Message(key)


def joined(parts: list[Message] | tuple[Message, ...]) -> Message:
    """Sentences one after another, each in the reader's language (Chinese needs no space)."""
    text = parts[0]
    for part in parts[1:]:
        text = msg("{first} {second}", first=text, second=part)
    return text


def training_key(fingerprint: str, config: TrainConfig) -> str:
    """A short stable key for caches: data content hash + every training choice."""
    payload = json.dumps([fingerprint, asdict(config)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def gate_key(fingerprint: str, config: TrainConfig) -> str:
    """What a choice made before a slow fit (sample or all rows) holds for: this algorithm on
    this data, target and features, whatever its hyperparameters, split or folds."""
    payload = json.dumps(
        [fingerprint, config.algorithm, config.task.value, config.target, config.features]
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def valid_settings(spec: ModelSpec, task: Task, values: Mapping[str, Any]) -> dict[str, Any]:
    """The user's settings for ``spec`` (those that apply to ``task``) if they are still
    valid, else its defaults."""
    known = {p.name for p in spec.params_for(task)}
    kept = {k: v for k, v in values.items() if k in known}
    try:
        return spec.clean(task, kept)
    except ValueError:
        return spec.defaults(task)


def check_dataset(frame: pd.DataFrame, name: str) -> None:
    """Refuse a table with nothing to learn from (a single row) before it replaces the data;
    a few rows load, and the Train page says how many more it needs."""
    if len(frame) < 2:
        raise DataError(
            msg(
                "“{name}” has a single data row: there is nothing to learn from or test on "
                "(training needs at least {min_rows} rows).",
                name=name,
                min_rows=MIN_ROWS,
            ),
            msg("Add rows, or check that the right file and sheet were chosen."),
        )


def test_size_bounds(y: pd.Series, task: Task) -> tuple[float, float]:
    """The test fractions (whole percent, 5–50 %) that leave every class in both parts.

    scikit-learn puts ``ceil(f·n)`` rows in the test part and deals each class out in
    proportion, rounding either way; a class of ``c`` rows is therefore in both parts exactly
    when ``c·n_test ≥ n`` and ``c·n_train ≥ n``, so the smallest class decides (not the number
    of classes). Regression needs two rows in each part (R² needs two). If no fraction
    guarantees it (e.g. a two-row class in an odd number of rows), an even split is the best.
    """
    n = len(y)
    smallest = int(y.value_counts().min()) if task == Task.CLASSIFICATION and n else 0

    def fits(n_test: int) -> bool:
        n_train = n - n_test
        if smallest:
            return smallest * n_test >= n and smallest * n_train >= n
        return n_test >= 2 and n_train >= 2

    allowed = [pct / 100 for pct in range(5, 51) if fits(math.ceil(pct / 100 * n))]
    return (allowed[0], allowed[-1]) if allowed else (0.5, 0.5)


def calibrate(
    frame: pd.DataFrame, profile: TableProfile, config: TrainConfig, rows: int | None = None
) -> None:
    """Time one training of ``config`` on a sample (``rows``, else :func:`calibration_rows`),
    so that estimates for larger data come from this machine (and these settings) rather
    than from the cost model alone. Nothing happens for a table not much larger than that."""
    if rows is None:
        n_text = count_text(profile, config.features)
        rows = calibration_rows(config.spec, len(config.features), n_text)
    if len(frame) < 2 * rows:
        return
    with contextlib.suppress(TrainingError):  # the real fit will explain it
        train_model(frame, profile, replace(config, sample_rows=rows, cv_folds=0))


def check_trainable(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    """Raise :class:`TrainingError` for blocking problems; return warnings for the rest."""
    check_config(config)
    return _check_rows(frame, config)


def check_config(config: TrainConfig) -> None:
    """The checks that need no data: features, target and task against the algorithm."""
    if not config.features:
        raise TrainingError(
            msg("No feature is selected."),
            msg("Tick at least one feature column on the Data page."),
        )
    if config.target in config.features:
        raise TrainingError(
            msg("“{target}” is both the target and a feature.", target=config.target),
            msg("Untick it in the feature list."),
        )
    spec = config.spec
    if config.task not in spec.tasks:
        raise TrainingError(
            msg(
                "{algorithm} does not do {task}.",
                algorithm=Message(spec.name),
                task=Message(config.task.value),
            ),
            msg("Pick an algorithm from the list for this task."),
        )


def _check_rows(frame: pd.DataFrame, config: TrainConfig) -> list[str]:
    check = check_target(frame, config.target, config.task)
    if check.errors:
        raise TrainingError(
            joined([Message(e) if not isinstance(e, Message) else e for e in check.errors])
        )
    usable = len(frame) - check.bad_rows
    if usable < MIN_ROWS:
        raise TrainingError(
            msg(
                "Only {usable} usable row(s): at least {min_rows} are needed to train and test "
                "a model.",
                usable=usable,
                min_rows=MIN_ROWS,
            ),
        )
    notes = list(check.warnings)
    empty = [f for f in config.features if f in frame.columns and not _has_values(frame[f])]
    if empty and len(empty) == len(config.features):
        raise TrainingError(
            msg(
                "Every selected feature is empty ({columns}): there is nothing to learn from.",
                columns=", ".join(empty),
            ),
            msg("Tick feature columns that have values."),
        )
    if empty:
        notes.append(
            msg("{columns}: no values at all, so the model cannot use it.", columns=empty[0])
            if len(empty) == 1
            else msg(
                "{columns}: no values at all, so the model cannot use them.",
                columns=", ".join(empty),
            )
        )
    n_features = len(config.features)
    if n_features >= usable:
        notes.append(
            msg(
                "There are {n_features} features but only {usable} rows: expect over-fitting; "
                "the test score is the one to trust.",
                n_features=n_features,
                usable=usable,
            )
        )
    return notes


def _has_values(series: pd.Series) -> bool:
    """Whether a column holds anything a model can use (±inf counts as missing, as in cleaning)."""
    if is_numeric(series):
        return bool(np.isfinite(series.to_numpy(dtype=float, na_value=np.nan)).any())
    return bool(series.notna().any())


def model_rows(frame: pd.DataFrame, config: TrainConfig) -> pd.DataFrame:
    """The rows a model is split, fitted and tested on; ``train_index``/``test_index`` point
    into this frame. Deterministic, so views can rebuild it from the dataset and the config."""
    return _sample(drop_bad_target_rows(frame, config.target), config)


def _sample(data: pd.DataFrame, config: TrainConfig) -> pd.DataFrame:
    if config.sample_rows and len(data) > config.sample_rows:
        return data.sample(config.sample_rows, random_state=config.seed).reset_index(drop=True)
    return data


def train_model(
    frame: pd.DataFrame,
    profile: TableProfile,
    config: TrainConfig,
    fingerprint: str = "",
) -> TrainedModel:
    """Fit ``config`` on ``frame``; rows with a missing/infinite target are left out (and said).

    With a ``fingerprint`` (the data's content hash), the prepared rows of small tables are
    reused while only the model's settings change (:mod:`mllib.prepared`)."""
    check_config(config)
    check_columns(frame, config.features)
    pipe, plan = build_pipeline(
        config.spec, config.task, config.param_dict, profile, list(config.features), config.seed
    )
    key = _prepared_key(fingerprint, config, plan) if fingerprint else ""
    rows = prepared.CACHE.get(key) if key else None
    if rows is None:
        rows = prepare_rows(frame, config, pipe)
        if key:
            prepared.CACHE.put(key, rows)
    pipe.steps[0] = (pipe.steps[0][0], rows.clean)
    pipe.steps[1] = (pipe.steps[1][0], rows.prep)
    notes = list(rows.notes)
    start = time.perf_counter()
    notes.extend(_fit_model(pipe[-1], rows.Xt_train, rows.y_train))
    fit_seconds = rows.seconds + time.perf_counter() - start
    classes = list(pipe.classes_) if config.task == Task.CLASSIFICATION else None
    Xt_train, y_train = rows.Xt_train, rows.y_train
    if len(y_train) > TRAIN_SCORE_ROWS:  # the train score is a check for over-fitting:
        picked = np.random.default_rng(config.seed).choice(  # a sample measures it well
            len(y_train), TRAIN_SCORE_ROWS, replace=False
        )
        Xt_train, y_train = Xt_train[picked], y_train.iloc[picked]
        notes.append(
            msg("Train scores were measured on {n:,} sampled train rows.", n=TRAIN_SCORE_ROWS)
        )
    train_pred, raw_train = _predict_prepared(pipe[-1], Xt_train)
    Xt_test = rows.Xt_test
    if rows.test_later is not None:  # the training matrix's memory back first (peak memory)
        make_test = rows.test_later
        rows, Xt_train = replace(rows, Xt_train=None, test_later=None), None
        Xt_test = make_test()
        del make_test  # and the cleaned rows it held
    test_pred, raw_test = _predict_prepared(pipe[-1], Xt_test)
    train_scores = metrics.score(config.task, y_train, train_pred, raw_train, classes)
    test_scores = metrics.score(config.task, rows.y_test, test_pred, raw_test, classes)
    n_text = count_text(profile, config.features)
    costs.record(  # preparing, fitting and scoring len(data) rows: what an estimate means
        config.algorithm,
        model_seconds(config.spec, rows.n_rows, len(config.features), n_text),
        rows.seconds + rows.test_seconds + time.perf_counter() - start,
    )
    cv_table = None
    if config.cv_folds and config.cv_folds >= 2:
        X, y, *_ = split_rows(model_rows(frame, config), config)
        cv_table = cross_validate_model(config, profile, X, y)
    return TrainedModel(
        pipeline=pipe,
        config=config,
        plan=plan,
        train_scores=train_scores,
        test_scores=test_scores,
        cv=cv_table,
        fit_seconds=fit_seconds,
        n_train=len(rows.train_index),
        n_test=len(rows.test_index),
        classes=classes,
        data_fingerprint=fingerprint,
        train_index=rows.train_index,
        test_index=rows.test_index,
        y_test=np.asarray(rows.y_test),
        y_pred=np.asarray(test_pred),
        test_scores_raw=raw_test,
        warnings=notes,
    )


def _prepared_key(fingerprint: str, config: TrainConfig, plan: ColumnPlan) -> str:
    """What the prepared rows depend on: the data, the split and the column treatment (not
    the algorithm's settings)."""
    payload = json.dumps(
        [
            fingerprint,
            config.task.value,
            config.target,
            config.features,
            config.test_size,
            config.seed,
            config.sample_rows,
            config.spec.dense,
            repr(plan),
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def prepare_rows(frame: pd.DataFrame, config: TrainConfig, pipe: Pipeline) -> PreparedRows:
    """Check, sample and split the rows, and fit ``pipe``'s preparation steps on the
    training part (the estimator is left unfitted)."""
    notes = _check_rows(frame, config)
    usable = drop_bad_target_rows(frame, config.target)
    data = _sample(usable, config)
    if len(data) < len(usable):
        notes.append(msg("Trained on a random sample of {n:,} rows.", n=config.sample_rows))
    X, y, train_idx, test_idx, test_size = split_rows(data, config)
    if not math.isclose(test_size, config.test_size):
        notes.append(
            msg(
                "Test share adjusted to {share:.0%} so every class fits in both parts.",
                share=test_size,
            )
        )
    y_train, y_test = y.iloc[train_idx], y.iloc[test_idx]
    if config.task == Task.CLASSIFICATION and y_train.nunique() < 2:
        raise TrainingError(msg("The training part holds a single class; use more data."))
    start = time.perf_counter()
    prep = pipe[1]  # the ColumnTransformer (mllib.summary_fit.StackedColumns)
    with _fit_errors():
        # every row cleaned once (row by row), and the matrices made from its rows by number:
        # a large one is written straight from the cleaned columns (mllib.matrix_fill)
        cleaned = pipe[0].fit(X).transform(X)
        Xt_train = prep.fit_transform(cleaned, y_train, rows=train_idx)
    seconds = time.perf_counter() - start
    test_later = None
    if prepared.matrix_bytes(Xt_train) > prepared.MAX_BYTES:  # not kept: see train_model
        Xt_test, test_later = None, functools.partial(prep.transform, cleaned, rows=test_idx)
    else:
        Xt_test = prep.transform(cleaned, rows=test_idx)
    del cleaned
    test_seconds = time.perf_counter() - start - seconds
    return PreparedRows(
        clean=pipe[0],
        prep=pipe[1],
        Xt_train=Xt_train,
        Xt_test=Xt_test,
        y_train=y_train,
        y_test=y_test,
        train_index=train_idx,
        test_index=test_idx,
        n_rows=len(data),
        notes=tuple(notes),
        seconds=seconds,
        test_seconds=test_seconds,
        test_later=test_later,
    )


def split_rows(
    data: pd.DataFrame, config: TrainConfig
) -> tuple[pd.DataFrame, pd.Series, np.ndarray, np.ndarray, float]:
    """Features, labels and the seeded train/test positions of ``data`` (:func:`model_rows`):
    the one split that training, comparing and tuning share."""
    X = prepare_features(data, list(config.features))
    y = data[config.target]
    if config.task == Task.CLASSIFICATION:
        y = y.map(category_text)  # one label type: 1, 1.0, "1" and True are text
    stratify = y if config.task == Task.CLASSIFICATION else None
    lo, hi = test_size_bounds(y, config.task)
    test_size = min(max(config.test_size, lo), hi)
    try:
        train_idx, test_idx = train_test_split(
            np.arange(len(data)), test_size=test_size, random_state=config.seed, stratify=stratify
        )
    except ValueError as err:
        raise TrainingError(
            msg("The data could not be split into train and test parts: {error}", error=str(err))
        ) from err
    # each part keeps the table's row order: the rows are then read front to back (a million
    # rows' columns are gathered 7× faster than in shuffled order; see mllib.matrix_fill)
    return X, y, np.sort(train_idx), np.sort(test_idx), test_size


def model_record(model: TrainedModel) -> dict[str, Any]:
    """Everything about a trained model except the fitted pipeline, as JSON-ready values:
    with the pipeline and the same data, :func:`restore_model` rebuilds the model."""
    config = asdict(model.config)
    config["task"] = model.config.task.value
    return {
        "config": config,
        "train_scores": model.train_scores,
        "test_scores": model.test_scores,
        "cv": None if model.cv is None else model.cv.to_dict(orient="records"),
        "fit_seconds": model.fit_seconds,
        "data_fingerprint": model.data_fingerprint,
        "warnings": [to_data(w) for w in model.warnings],  # Messages stay translatable
        "created": model.created,
    }


def config_from_dict(values: dict[str, Any]) -> TrainConfig:
    """The inverse of ``asdict(config)`` after a JSON round trip; checked like any input."""
    spec = get_spec(str(values["algorithm"]))
    task = Task(values["task"])
    params = spec.clean(task, dict(values.get("params") or []))
    sample = values.get("sample_rows")
    return TrainConfig(
        spec.key,
        task,
        str(values["target"]),
        tuple(str(f) for f in values["features"]),
        tuple(sorted(params.items())),
        test_size=float(values["test_size"]),
        seed=int(values["seed"]),
        cv_folds=int(values["cv_folds"]),
        sample_rows=None if sample is None else int(sample),
    )


def restore_model(
    frame: pd.DataFrame, profile: TableProfile, pipeline: Pipeline, record: dict[str, Any]
) -> TrainedModel:
    """A saved model back in the shape pages use, without refitting: the split is rebuilt
    from the seed and the test predictions are made again by the saved pipeline."""
    config = config_from_dict(record["config"])
    data = model_rows(frame, config)
    X, y, train_idx, test_idx, _ = split_rows(data, config)
    _, plan = build_pipeline(
        config.spec, config.task, config.param_dict, profile, list(config.features), config.seed
    )
    test_pred, raw_test = _predict_all(pipeline, X.iloc[test_idx])
    classes = list(pipeline.classes_) if config.task == Task.CLASSIFICATION else None
    cv = record.get("cv")
    return TrainedModel(
        pipeline=pipeline,
        config=config,
        plan=plan,
        train_scores={str(k): float(v) for k, v in record["train_scores"].items()},
        test_scores={str(k): float(v) for k, v in record["test_scores"].items()},
        cv=None if cv is None else pd.DataFrame(cv),
        fit_seconds=float(record["fit_seconds"]),
        n_train=len(train_idx),
        n_test=len(test_idx),
        classes=classes,
        data_fingerprint=str(record["data_fingerprint"]),
        train_index=train_idx,
        test_index=test_idx,
        y_test=np.asarray(y.iloc[test_idx]),
        y_pred=np.asarray(test_pred),
        test_scores_raw=raw_test,
        warnings=[_warning(w) for w in record.get("warnings", [])],
        created=float(record.get("created", time.time())),
    )


def _warning(value: Any) -> str:
    """A saved model's warning: a Message again when it was saved as one (plain text before)."""
    said = from_data(value)
    return said if isinstance(said, str) else str(said)


@contextlib.contextmanager
def _fit_errors() -> Iterator[None]:
    """scikit-learn's numeric and memory errors as :class:`TrainingError` for people."""
    try:
        yield
    except MemoryError as err:
        raise TrainingError(
            msg("This model ran out of memory on this data."),
            msg("Use fewer features or rows, or a linear model."),
        ) from err
    except ValueError as err:
        raise TrainingError(
            msg("scikit-learn could not fit this model: {error}", error=str(err))
        ) from err


def _fit_model(model: Any, Xt: Any, y: pd.Series) -> list[str]:
    """Fit the estimator on prepared rows; convergence warnings become advice (also read from
    the model: other threads can swap the recorded warning away, see mllib.convergence)."""
    with warnings.catch_warnings(record=True) as caught, _fit_errors(), _no_input_copy(model, Xt):
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(Xt, y)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    if warned or hit_iteration_limit(model):
        return [
            msg(
                "The solver stopped before it converged, so the model may be sub-optimal. "
                "Raise “Max iterations”, or make the penalty stronger (larger α, smaller C)."
            )
        ]
    return []


@contextlib.contextmanager
def _no_input_copy(model: Any, Xt: Any) -> Iterator[None]:
    """Linear models copy their input first (``copy_X``) so as not to centre it in place; a
    sparse matrix is never centred or changed, so the copy (200 MB for a million rows) is
    skipped. The setting is restored after the fit: the exported parameters, and the fitted
    numbers, are those of a fit with the copy."""
    names = [k for k, v in model.get_params().items() if k.endswith("copy_X") and v is True]
    if not sp.issparse(Xt) or not names:
        yield
        return
    model.set_params(**dict.fromkeys(names, False))
    try:
        yield
    finally:
        model.set_params(**dict.fromkeys(names, True))


def _predict_all(pipe: Pipeline, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions plus probabilities (or decision values, which rank as well for ROC),
    preprocessing ``X`` once for both."""
    return _predict_prepared(pipe[-1], pipe[:-1].transform(X))


def _predict_prepared(model: Any, Xt: Any) -> tuple[np.ndarray, np.ndarray | None]:
    raw = response.class_scores(model, Xt)[0] if hasattr(model, "classes_") else None
    return model.predict(Xt), raw


def cv_splits(
    y: pd.Series, task: Task, folds: int, seed: int, turn_off: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The cross-validation folds (training and searches alike): stratified for classes, at
    most as many as the rarest class has rows, shuffled with ``seed``. ``turn_off``: the
    advice is to turn cross-validation off (training), not that these rows cannot have it."""
    if task == Task.CLASSIFICATION:
        folds = min(folds, int(y.value_counts().min()))
        if folds < 2:
            raise TrainingError(
                msg("A class is too rare for cross-validation; turn it off.")
                if turn_off
                else msg("A class is too rare for cross-validation on these rows.")
            )
        splitter: Any = StratifiedKFold(folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(min(folds, len(y)), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y))


def cross_validate_model(
    config: TrainConfig, profile: TableProfile, X: pd.DataFrame, y: pd.Series
) -> pd.DataFrame:
    pipe, _ = build_pipeline(
        config.spec, config.task, config.param_dict, profile, list(config.features), config.seed
    )
    splits = cv_splits(y, config.task, config.cv_folds, config.seed, turn_off=True)
    scoring = list(metrics.scorers(config.task).values())
    # all local cores (threads), or the Dask cluster when GLASSBOX_DASK_SCHEDULER is set
    with warnings.catch_warnings(), parallel.execution_backend():
        warnings.simplefilter("ignore")
        result = cross_validate(pipe, X, y, cv=splits, scoring=scoring, error_score=np.nan)
    return metrics.cv_summary(result, config.task)
