"""Training end to end on the samples, the cache key, the split bounds, and every input that
must be refused (or warned about) in words rather than a scikit-learn traceback."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split
from sklearn.svm import SVR

from mllib import training  # not `from ... import test_size_bounds`: pytest would collect it
from mllib.catalogue import CATALOGUE, ModelSpec
from mllib.errors import TrainingError
from mllib.profile import TableProfile, Task, default_features, profile_table
from mllib.samples import SAMPLES, load_sample
from mllib.training import MIN_ROWS, TrainConfig, TrainedModel, train_model, training_key

C, R = Task.CLASSIFICATION, Task.REGRESSION
REGRESSION_NAMES = ["R²", "MAE", "RMSE"]
CLASSIFICATION_NAMES = [
    "accuracy",
    "balanced accuracy",
    "precision (macro)",
    "recall (macro)",
    "F1 (macro)",
    "ROC AUC",
]


@cache
def sample(key: str) -> tuple[pd.DataFrame, TableProfile, list[str], str]:
    dataset = load_sample(key)
    target = SAMPLES[key].target
    prof = profile_table(dataset.frame)
    return dataset.frame, prof, default_features(prof, target).features, dataset.fingerprint


def fit(key: str, algorithm: str, task: Task, **kwargs: object) -> TrainedModel:
    frame, prof, features, fingerprint = sample(key)
    params = kwargs.pop("params", None)
    config = TrainConfig.make(
        algorithm,
        task,
        SAMPLES[key].target,
        features,
        params,
        **kwargs,  # type: ignore[arg-type]
    )
    return train_model(frame, prof, config, fingerprint)


def tiny(y: list, n_features: int = 1, seed: int = 0) -> tuple[pd.DataFrame, TableProfile]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=len(y)) for i in range(n_features)})
    frame["y"] = y
    return frame, profile_table(frame)


def train_tiny(frame: pd.DataFrame, algorithm: str, task: Task, **kwargs: object) -> TrainedModel:
    features = [c for c in frame.columns if c != "y"]
    config = TrainConfig.make(algorithm, task, "y", features, **kwargs)  # type: ignore[arg-type]
    return train_model(frame, profile_table(frame), config)


# --- every algorithm on the samples ------------------------------------------------------------

RUNS = [
    pytest.param(spec, task, key, id=f"{spec.key}-{key}")
    for spec in CATALOGUE.values()
    for task in sorted(spec.tasks)
    for key in ({R: ("diabetes",), C: ("iris", "customers")}[task])
]


@pytest.mark.parametrize(("spec", "task", "key"), RUNS)
def test_every_algorithm_trains_and_reports_its_metrics(
    spec: ModelSpec, task: Task, key: str
) -> None:
    model = fit(key, spec.key, task, cv_folds=3)
    names = REGRESSION_NAMES if task == R else CLASSIFICATION_NAMES
    assert list(model.train_scores) == names
    assert list(model.test_scores) == names
    assert all(np.isfinite(v) for v in model.test_scores.values())
    frame = sample(key)[0]
    assert model.n_train + model.n_test == len(frame)
    assert model.n_test == len(model.y_test) == len(model.y_pred)
    assert sorted([*model.train_index, *model.test_index]) == list(range(len(frame)))
    assert model.data_fingerprint == sample(key)[3]
    assert model.pipeline.named_steps.keys() == {"clean", "prep", "model"}
    assert model.task == task and model.spec is spec
    assert model.cv is not None
    assert model.cv.columns.tolist() == ["metric", "mean", "std", "folds"]
    assert model.cv["metric"].tolist() == names[:5] if task == C else names
    assert (model.cv["folds"] == 3).all() and model.cv["std"].ge(0).all()
    if task == C:
        assert model.classes == sorted(set(frame[SAMPLES[key].target].astype(str)))
        assert set(model.y_pred) <= set(model.classes)
        assert model.test_scores_raw is not None and len(model.test_scores_raw) == model.n_test
        assert model.test_scores["accuracy"] > 0.7
    else:
        assert model.classes is None
        assert model.test_scores["R²"] > 0
    row = model.summary_row()
    assert row["algorithm"] == spec.name and row["train rows"] == model.n_train
    assert model.train_test_table()["metric"].tolist() == names


def test_no_cross_validation_unless_asked() -> None:
    assert fit("iris", "tree", C).cv is None
    assert fit("iris", "tree", C, cv_folds=1).cv is None


def test_the_estimator_is_unwrapped_from_target_scaling() -> None:
    model = fit("study_hours", "svm", R)
    assert isinstance(model.estimator, SVR)
    assert hasattr(model.estimator, "support_")


def test_study_hours_line_is_learned() -> None:
    model = fit("study_hours", "linear", R)
    assert model.test_scores["R²"] > 0.8
    assert model.estimator.coef_[0] > 0  # more hours, higher score


def test_same_config_gives_identical_predictions() -> None:
    params = {"max_features": "sqrt", "max_depth": None}
    first = fit("customers", "tree", C, params=params, seed=3)
    again = fit("customers", "tree", C, params=params, seed=3)
    np.testing.assert_array_equal(first.y_pred, again.y_pred)
    np.testing.assert_array_equal(first.test_index, again.test_index)
    np.testing.assert_array_equal(first.test_scores_raw, again.test_scores_raw)
    assert first.test_scores == again.test_scores
    other = fit("customers", "tree", C, params=params, seed=4)
    assert not np.array_equal(first.test_index, other.test_index)


def test_classification_labels_are_text() -> None:
    frame, _ = tiny([0, 1] * 10 + [1.0, 0.0] * 5)
    model = train_tiny(frame, "logistic", C)
    assert model.classes == ["0", "1"]


# --- the cache key ----------------------------------------------------------------------------

BASE = TrainConfig.make("svm", C, "y", ["a", "b"], {"C": 1.0}, test_size=0.25, seed=0)
CHANGES = {
    "algorithm": dataclasses.replace(BASE, algorithm="tree"),
    "task": dataclasses.replace(BASE, task=R),
    "target": dataclasses.replace(BASE, target="z"),
    "features": dataclasses.replace(BASE, features=("a",)),
    "feature order": dataclasses.replace(BASE, features=("b", "a")),
    "param": TrainConfig.make("svm", C, "y", ["a", "b"], {"C": 2.0}),
    "another param": TrainConfig.make("svm", C, "y", ["a", "b"], {"kernel": "linear"}),
    "test_size": dataclasses.replace(BASE, test_size=0.3),
    "seed": dataclasses.replace(BASE, seed=1),
    "cv_folds": dataclasses.replace(BASE, cv_folds=5),
    "sample_rows": dataclasses.replace(BASE, sample_rows=1000),
}


@pytest.mark.parametrize("change", CHANGES)
def test_training_key_changes_with_every_choice(change: str) -> None:
    assert training_key("fp", CHANGES[change]) != training_key("fp", BASE)


def test_training_key_is_stable_and_follows_the_data() -> None:
    key = training_key("fp", BASE)
    assert len(key) == 32
    same = TrainConfig.make("svm", C, "y", ("a", "b"), {"C": 1}, test_size=0.25, seed=0)
    assert training_key("fp", same) == key  # 1 and 1.0 are the same choice
    assert training_key("fp", TrainConfig.make("svm", C, "y", ["a", "b"])) == key  # defaults
    assert training_key("other data", BASE) != key


# --- the split --------------------------------------------------------------------------------

LAYOUTS = {
    "balanced": [50, 50, 50],
    "two classes": [30, 12],
    "one big, two small": [100, 3, 3],
    "many pairs": [2] * 10,
    "ten small": [5] * 10,
    "tail": [400, 60, 9, 4],
    "uneven pair": [7, 4],
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_test_size_in_bounds_keeps_every_class_in_both_parts(layout: str) -> None:
    counts = LAYOUTS[layout]
    y = pd.Series([f"class{i}" for i, n in enumerate(counts) for _ in range(n)])
    low, high = training.test_size_bounds(y, C)
    assert 0.05 <= low <= high <= 0.5
    for pct in range(round(low * 100), round(high * 100) + 1):
        for seed in range(3):
            train, test = train_test_split(y, test_size=pct / 100, stratify=y, random_state=seed)
            assert set(train) == set(test) == set(y), (pct, seed)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(2, 60), min_size=2, max_size=6))
def test_bounds_hold_for_any_class_layout(counts: list[int]) -> None:
    y = pd.Series([i for i, n in enumerate(counts) for _ in range(n)])
    low, high = training.test_size_bounds(y, C)
    assume((low, high) != (0.5, 0.5))  # the documented best effort when nothing is certain
    for fraction in {low, round((low + high) / 2, 2), high}:
        train, test = train_test_split(y, test_size=fraction, stratify=y, random_state=0)
        assert set(train) == set(test) == set(y), fraction


def test_bounds_for_known_layouts() -> None:
    def bounds(counts: list[int]) -> tuple[float, float]:
        y = pd.Series([i for i, n in enumerate(counts) for _ in range(n)])
        return training.test_size_bounds(y, C)

    assert bounds([50, 50, 50]) == (0.05, 0.5)
    assert bounds([100, 3, 3]) == (0.34, 0.5)  # a 3-row class needs a third of it in test
    assert bounds([2] * 10) == (0.46, 0.5)  # 10 of 20 rows in test: ceil(0.46 · 20)
    assert bounds([2, 3]) == (0.5, 0.5)  # nothing is guaranteed: the even split is the best
    assert training.test_size_bounds(pd.Series(range(10)), R) == (0.11, 0.5)
    assert training.test_size_bounds(pd.Series(range(100)), R) == (0.05, 0.5)


def test_test_size_is_moved_into_bounds_with_a_note() -> None:
    frame, _ = tiny(["big"] * 40 + ["small"] * 3)
    model = train_tiny(frame, "tree", C, test_size=0.1)
    assert "Test share adjusted to 33% so every class fits in both parts." in model.warnings
    assert set(model.y_test) == {"big", "small"}


# --- refusals and warnings --------------------------------------------------------------------


def test_no_feature_is_refused() -> None:
    frame, prof = tiny([1.0, 2.0] * 10)
    config = TrainConfig.make("linear", R, "y", [])
    with pytest.raises(TrainingError, match=r"No feature is selected\. Tick at least one feature"):
        training.check_trainable(frame, config)
    with pytest.raises(TrainingError, match="No feature is selected"):
        train_model(frame, prof, config)


@pytest.mark.parametrize(
    ("y", "algorithm", "task", "message"),
    [
        pytest.param(["a"] * 20, "logistic", C, "has a single value \\('a'\\)", id="one-class"),
        pytest.param(
            ["a"] * 10 + ["b"] * 9 + ["c"], "tree", C,
            "1 class\\(es\\) of “y” have a single row \\(c\\)", id="rare-class",
        ),
        pytest.param(
            list(np.linspace(0.1, 2.0, 20)), "logistic", C,
            "holds decimal numbers \\(20 distinct values\\).*Choose the regression task",
            id="float-target",
        ),
        pytest.param(
            ["low", "high"] * 10, "ridge", R, "is text, which regression cannot predict",
            id="text-regression",
        ),
        pytest.param(
            [float(i) for i in range(MIN_ROWS - 1)], "linear", R,
            f"Only {MIN_ROWS - 1} usable row\\(s\\): at least {MIN_ROWS} are needed",
            id="too-few-rows",
        ),
        pytest.param(
            [1.0, 2.0] * 4 + [np.nan] * 6, "linear", R,
            f"Only 8 usable row\\(s\\): at least {MIN_ROWS}", id="too-few-after-missing",
        ),
        pytest.param(
            [1.0, 2.0] * 10, "logistic", R, "Logistic regression does not do regression",
            id="wrong-task",
        ),
    ],
)  # fmt: skip
def test_bad_targets_are_refused_in_words(
    y: list, algorithm: str, task: Task, message: str
) -> None:
    frame, _ = tiny(y)
    with pytest.raises(TrainingError, match=message):
        train_tiny(frame, algorithm, task)


def test_target_used_as_feature_is_refused() -> None:
    frame, prof = tiny([1.0, 2.0] * 10)
    config = TrainConfig.make("linear", R, "y", ["x0", "y"])
    with pytest.raises(TrainingError, match="“y” is both the target and a feature"):
        train_model(frame, prof, config)


def test_integer_codes_for_regression_train_with_a_warning() -> None:
    frame, _ = tiny([1, 2, 3, 4] * 5)
    model = train_tiny(frame, "linear", R)
    assert model.warnings == [
        "The target has only 4 whole-number values; if they are codes for categories, "
        "classification is the right task."
    ]


def test_more_features_than_rows_is_a_warning() -> None:
    frame, _ = tiny(list(np.linspace(0, 1, 12)), n_features=15)
    model = train_tiny(frame, "ridge", R)
    assert (
        "There are 15 features but only 12 rows: expect over-fitting; the test score is the "
        "one to trust." in model.warnings
    )


def test_missing_and_infinite_targets_are_left_out_and_said() -> None:
    y = [*np.linspace(0, 1, 30), np.nan, np.inf, -np.inf]
    frame, _ = tiny(y)
    model = train_tiny(frame, "linear", R)
    assert model.n_train + model.n_test == 30
    assert (
        "The target “y” has 1 missing and 2 infinite value(s); those rows cannot be used for "
        "training." in model.warnings
    )


@pytest.mark.parametrize(
    ("key", "algorithm", "task", "params"),
    [
        ("diabetes", "lasso", R, {"alpha": 1e-4, "max_iter": 100}),
        # liblinear needs 622 iterations here (the cap is 500); seeded, so it stays so
        ("breast_cancer", "linear_svm", C, {"C": 300.0, "max_iter": 500}),
        ("breast_cancer", "logistic", C, {"C": 1000.0, "l1_ratio": 1.0, "max_iter": 100}),
    ],
)
def test_a_fit_that_did_not_converge_says_so_plainly(
    key: str, algorithm: str, task: Task, params: dict
) -> None:
    model = fit(key, algorithm, task, params=params)
    assert (
        "The solver stopped before it converged, so the model may be sub-optimal. Raise “Max "
        "iterations”, or make the penalty stronger (larger α, smaller C)." in model.warnings
    )
    assert fit(key, algorithm, task).warnings == []


def test_a_fit_scikit_learn_refuses_becomes_a_training_error() -> None:
    frame, _ = tiny(list(np.linspace(-1, 1, 20)))  # Poisson needs a non-negative target
    with pytest.raises(TrainingError, match=r"scikit-learn could not fit this model: .*negative"):
        train_tiny(frame, "tree", R, params={"criterion": "poisson"})


def test_sample_rows_trains_on_a_subsample_and_says_so() -> None:
    model = fit("customers", "tree", C, sample_rows=200)
    assert model.n_train + model.n_test == 200
    assert "Trained on a random sample of 200 rows." in model.warnings
    assert "Trained on a random sample" not in " ".join(
        fit("iris", "tree", C, sample_rows=1000).warnings
    )


def test_training_seconds_counts_cross_validation_fits() -> None:
    spec = CATALOGUE["svm"]
    one = training.training_seconds(spec, 1000, 5)
    assert training.training_seconds(spec, 1000, 5, cv_folds=4) == pytest.approx(5 * one)


def test_an_empty_feature_is_named_and_the_rest_still_train() -> None:
    frame, _ = tiny(list(np.linspace(0, 1, 20)))
    frame["blank"] = np.nan
    frame["dashes"] = pd.Series([None] * 20, dtype=object)
    model = train_tiny(frame, "ridge", R)
    assert "blank, dashes: no values at all, so the model cannot use them." in model.warnings
    with pytest.raises(TrainingError, match=r"Every selected feature is empty \(blank\)"):
        train_model(frame, profile_table(frame), TrainConfig.make("tree", R, "y", ["blank"]))


def test_a_saved_model_s_warnings_stay_translatable() -> None:
    """model_record keeps a warning's msgid and parameters through JSON (also nested ones),
    so a reopened project says it in the reader's language; plain text from older records
    comes back as it was."""
    import json

    from mllib.i18n import Message, from_data, msg, to_data, translator

    note = msg(
        "{first} {second}",
        first=msg("Trained on a random sample of {n:,} rows.", n=1000),
        second=Message("The training part holds a single class; use more data."),
    )
    back = from_data(json.loads(json.dumps(to_data(note))))
    assert isinstance(back, Message) and back == note
    assert translator("zh").text(back) == translator("zh").text(note) != str(note)
    assert from_data("older plain text") == "older plain text"
    assert from_data({"msgid": "{missing}", "params": {}}) == "{missing}"


def test_each_part_of_the_split_keeps_the_table_order() -> None:
    model = fit("diabetes", "ridge", R)
    assert (np.diff(model.train_index) > 0).all() and (np.diff(model.test_index) > 0).all()


def test_a_matrix_too_large_to_keep_is_let_go_before_the_test_rows_are_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test rows' matrix is made after the fit, once the training matrix is gone (peak
    memory of a million-row fit); the model and its scores are the same."""
    import gc
    import weakref

    from mllib import prepared

    frame, profile, features, _ = sample("customers")
    target = SAMPLES["customers"].target
    config = TrainConfig.make("logistic", C, target, features, None)
    kept = train_model(frame, profile, config)
    seen: dict[str, object] = {}
    real = training.prepare_rows

    def watched(*args: object) -> prepared.PreparedRows:
        rows = real(*args)  # type: ignore[arg-type]
        assert rows.Xt_test is None and rows.test_later is not None
        train = weakref.ref(rows.Xt_train)
        make = rows.test_later

        def later() -> object:
            gc.collect()
            seen["train matrix alive"] = train() is not None
            return make()

        return dataclasses.replace(rows, test_later=later)

    monkeypatch.setattr(prepared, "MAX_BYTES", 0)
    monkeypatch.setattr(training, "prepare_rows", watched)
    later = train_model(frame, profile, config)
    assert seen == {"train matrix alive": False}
    assert later.test_scores == kept.test_scores and later.train_scores == kept.train_scores
    np.testing.assert_array_equal(later.y_pred, kept.y_pred)
