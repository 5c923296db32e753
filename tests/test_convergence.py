"""A solver that used every iteration it was allowed is recognised from the fitted model
itself (mllib.convergence), the same fits that scikit-learn warns about. The concurrent case,
where the recorded warning can be swapped away, is in tests/test_parallel_warnings.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVR

from mllib.convergence import hit_iteration_limit
from mllib.profile import Task, default_features, profile_table
from mllib.samples import SAMPLES, load_sample
from mllib.training import TrainConfig, TrainedModel, train_model

C, R = Task.CLASSIFICATION, Task.REGRESSION


def fit(key: str, algorithm: str, task: Task, params: dict | None = None) -> TrainedModel:
    dataset = load_sample(key)
    profile = profile_table(dataset.frame)
    features = default_features(profile, SAMPLES[key].target).features
    config = TrainConfig.make(algorithm, task, SAMPLES[key].target, features, params)
    return train_model(dataset.frame, profile, config, dataset.fingerprint)


@pytest.mark.parametrize(
    ("key", "algorithm", "task", "params"),
    [
        ("diabetes", "lasso", R, {"alpha": 1e-4, "max_iter": 100}),
        ("breast_cancer", "linear_svm", C, {"C": 300.0, "max_iter": 500}),  # 622 needed
        ("breast_cancer", "logistic", C, {"C": 1000.0, "l1_ratio": 1.0, "max_iter": 100}),
    ],
)
def test_a_solver_stopped_at_its_limit_is_seen_on_the_model(
    key: str, algorithm: str, task: Task, params: dict
) -> None:
    assert hit_iteration_limit(fit(key, algorithm, task, params).pipeline[-1])
    assert not hit_iteration_limit(fit(key, algorithm, task).pipeline[-1])


@pytest.mark.parametrize(("algorithm", "task"), [("tree", C), ("svm", C), ("ridge", R)])
def test_models_without_an_iteration_limit_never_hit_it(algorithm: str, task: Task) -> None:
    key = "breast_cancer" if task == C else "diabetes"
    assert not hit_iteration_limit(fit(key, algorithm, task).pipeline[-1])


def test_the_regressor_inside_a_target_scaler_is_read() -> None:
    """Glassbox wraps SVM regressors in a TransformedTargetRegressor (catalogue/spec.py)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 5)), rng.normal(size=200) * 100
    for limit, hit in ((1, True), (10_000, False)):
        model = TransformedTargetRegressor(
            LinearSVR(C=0.1, max_iter=limit, random_state=0), transformer=StandardScaler()
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        assert hit_iteration_limit(model) is hit
