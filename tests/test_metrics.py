"""Scores on toy arrays whose right answers can be worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from mllib import metrics
from mllib.profile import Task

C, R = Task.CLASSIFICATION, Task.REGRESSION


def test_regression_scores_of_a_perfect_fit() -> None:
    y = [1.0, 2.0, 3.0, 4.0]
    assert metrics.score(R, y, y) == {"R²": 1.0, "MAE": 0.0, "RMSE": 0.0}


def test_regression_scores_by_hand() -> None:
    # errors 1, -1, 0, 2: MAE = 4/4, RMSE = sqrt(6/4); SS_res = 6, SS_tot = 5 around mean 2.5.
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([2.0, 1.0, 3.0, 6.0])
    scores = metrics.score(R, y_true, y_pred)
    assert scores["MAE"] == 1.0
    assert scores["RMSE"] == pytest.approx(math.sqrt(1.5))
    assert scores["R²"] == pytest.approx(1 - 6 / 5)


def test_r2_is_nan_for_a_single_test_row() -> None:
    assert math.isnan(metrics.score(R, [3.0], [2.0])["R²"])


def test_classification_scores_by_hand() -> None:
    y_true = ["a", "a", "a", "b"]
    y_pred = ["a", "a", "b", "b"]
    scores = metrics.score(C, y_true, y_pred)
    assert scores == {
        "accuracy": 0.75,
        "balanced accuracy": pytest.approx((2 / 3 + 1) / 2),
        "precision (macro)": pytest.approx((1 + 0.5) / 2),
        "recall (macro)": pytest.approx((2 / 3 + 1) / 2),
        "F1 (macro)": pytest.approx((0.8 + 2 / 3) / 2),
    }


def test_a_never_predicted_class_scores_zero_precision_without_warning() -> None:
    scores = metrics.score(C, ["a", "b", "c"], ["a", "a", "a"])
    assert scores["accuracy"] == pytest.approx(1 / 3)
    assert scores["precision (macro)"] == pytest.approx((1 / 3) / 3)


def test_binary_roc_auc_from_probabilities_and_from_decision_values() -> None:
    y = np.array(["neg", "neg", "pos", "pos"])
    classes = ["neg", "pos"]
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]])
    # Positive-class scores 0.1, 0.4 | 0.35, 0.8: 3 of the 4 pos/neg pairs are ordered right.
    assert metrics.roc_auc(y, proba, classes) == 0.75
    decision = np.array([-2.0, -0.1, -0.5, 1.5])  # the same order, one column, negatives
    assert metrics.roc_auc(y, decision, classes) == 0.75
    scores = metrics.score(C, y, ["neg", "neg", "neg", "pos"], proba, classes)
    assert scores["ROC AUC"] == 0.75


def test_roc_auc_is_left_out_when_undefined() -> None:
    proba = np.array([[0.2, 0.8], [0.3, 0.7]])
    assert metrics.roc_auc(["a", "a"], proba, ["a", "b"]) is None  # one class present
    assert metrics.roc_auc(["a", "b"], None, ["a", "b"]) is None
    assert "ROC AUC" not in metrics.score(C, ["a", "b"], ["a", "b"])
    three = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])
    assert metrics.roc_auc(["a", "b"], three, ["a", "b", "c"]) is None  # "c" absent


def test_as_probabilities_passes_probabilities_and_softmaxes_decision_values() -> None:
    proba = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    assert metrics.as_probabilities(proba) is proba
    decision = np.array([[-3.0, -1.0, -2.0], [0.5, -0.5, 2.0], [-10.0, -10.0, -10.0]])
    probs = metrics.as_probabilities(decision)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert (probs > 0).all()
    np.testing.assert_array_equal(probs.argmax(axis=1), decision.argmax(axis=1))
    np.testing.assert_allclose(probs[2], [1 / 3, 1 / 3, 1 / 3])
    e = np.exp([-3.0, -1.0, -2.0])
    np.testing.assert_allclose(probs[0], e / e.sum())


def _iris_auc(model: object) -> float:
    from mllib.samples import load_sample

    frame = load_sample("iris").frame
    X, y = frame.drop(columns="species"), frame["species"]
    rows = np.arange(len(frame))
    train, test = rows % 3 != 0, rows % 3 == 0
    pipe = make_pipeline(StandardScaler(), model).fit(X[train], y[train])
    classes = list(pipe.classes_)
    raw = pipe.predict_proba(X[test]) if hasattr(pipe, "predict_proba") else None
    if raw is None:
        raw = pipe.decision_function(X[test])
    auc = metrics.roc_auc(y[test], raw, classes)
    assert auc is not None
    return auc


def test_multiclass_roc_auc_is_high_for_good_models() -> None:
    assert _iris_auc(LogisticRegression(max_iter=1000)) > 0.9
    # Decision values of a linear SVM are mostly negative: they must go through the softmax
    # rather than be divided by their (negative) row sums.
    assert _iris_auc(LinearSVC()) > 0.9


def test_comparison_table_puts_train_and_test_side_by_side() -> None:
    table = metrics.comparison_table({"R²": 0.9, "MAE": 1.0}, {"R²": 0.7, "MAE": 1.5})
    assert table.to_dict("list") == {
        "metric": ["R²", "MAE"],
        "train": [0.9, 1.0],
        "test": [0.7, 1.5],
        "gap": [pytest.approx(0.2), -0.5],
    }


def test_cv_summary_flips_negated_losses() -> None:
    cv = {
        "test_r2": np.array([0.5, 0.7]),
        "test_neg_mean_absolute_error": np.array([-2.0, -4.0]),
        "test_neg_root_mean_squared_error": np.array([-3.0, np.nan]),
    }
    table = metrics.cv_summary(cv, R)
    assert table["metric"].tolist() == ["R²", "MAE", "RMSE"]
    assert table["mean"].tolist() == pytest.approx([0.6, 3.0, 3.0])
    assert table["std"].tolist() == pytest.approx([0.1, 1.0, 0.0])
    assert table["folds"].tolist() == [2, 2, 2]


def test_cv_summary_lists_classification_metrics_in_order() -> None:
    cv = {f"test_{s}": np.array([0.8, 1.0]) for s in metrics.CLASSIFICATION_METRICS.values()}
    table = metrics.cv_summary(cv, C)
    assert table["metric"].tolist() == list(metrics.CLASSIFICATION_METRICS)
    assert isinstance(table, pd.DataFrame) and (table["mean"] == 0.9).all()


def test_primary_metric_and_direction() -> None:
    assert metrics.primary_metric(R) == "R²"
    assert metrics.primary_metric(C) == "accuracy"
    assert metrics.HIGHER_IS_BETTER.get("RMSE") is False
    assert metrics.HIGHER_IS_BETTER.get("R²", True) is True
