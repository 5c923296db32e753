"""The decision threshold: counts at a cut-off, its point on the curves, and its journey into
the exported metadata, the Predict page's bundle and the service."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

from mllib import explain, export, samples, serve, threshold, training
from mllib.errors import GlassboxError
from mllib.profile import Task, default_features, profile_table
from mllib.training import TrainConfig


def trained(algorithm: str = "logistic") -> tuple[training.TrainedModel, export.ModelBundle]:
    dataset = samples.load_sample("customers")
    profile = profile_table(dataset.frame)
    target = samples.SAMPLES["customers"].target
    features = default_features(profile, target).features
    config = TrainConfig.make(algorithm, Task.CLASSIFICATION, target, features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return model, export.bundle_from_model(model, dataset, profile)


def scores_of(model: training.TrainedModel) -> threshold.BinaryScores:
    kind = "probability" if hasattr(model.pipeline, "predict_proba") else "decision score"
    scores = threshold.binary_scores(
        model.y_test, model.test_scores_raw, [str(c) for c in model.classes], kind
    )
    assert scores is not None
    return scores


@pytest.mark.parametrize("algorithm", ["logistic", "svm"])
def test_counts_match_sklearn_and_the_point_lies_on_both_curves(algorithm: str) -> None:
    model, _ = trained(algorithm)
    s = scores_of(model)
    fpr, tpr, roc_thresholds = roc_curve(s.truth, s.score, drop_intermediate=False)
    precision, recall, pr_thresholds = precision_recall_curve(s.truth, s.score)
    for t in (*np.quantile(s.score, [0.1, 0.5, 0.9]), s.default):
        point = threshold.operating_point(s, t)
        labels = threshold.predictions(s, t)
        expected = confusion_matrix(s.truth, labels == s.positive, labels=[True, False])
        assert [[point.tp, point.fn], [point.fp, point.tn]] == expected.tolist()
        # every cut-off is one of the curves' own points (rows scoring at least t: positive)
        k = np.searchsorted(-roc_thresholds, -t, side="right") - 1
        assert (point.fpr, point.recall) == pytest.approx((fpr[k], tpr[k]))
        j = np.searchsorted(pr_thresholds, t, side="left")
        if j < len(pr_thresholds):
            assert (point.recall, point.precision) == pytest.approx((recall[j], precision[j]))


def test_default_threshold_reproduces_the_models_predictions() -> None:
    model, _ = trained("logistic")
    s = scores_of(model)
    same = threshold.predictions(s, s.default) == np.asarray(model.y_pred).astype(str)
    assert same.mean() > 0.99  # only rows scoring exactly 0.5 could differ
    assert s.bounds() == (0.0, 1.0)
    svm_model, _ = trained("svm")
    low, high = scores_of(svm_model).bounds()
    assert low < 0 < high


def test_binary_scores_only_for_two_classes() -> None:
    assert threshold.binary_scores(["a", "b", "c"], np.ones((3, 3)), ["a", "b", "c"], "x") is None
    assert threshold.binary_scores(["a", "b"], None, ["a", "b"], "x") is None


def test_threshold_travels_into_metadata_card_skops_and_service(tmp_path: object) -> None:
    model, bundle = trained("logistic")
    s = scores_of(model)
    entry = threshold.metadata(s, 0.2)
    chosen = bundle.with_threshold(entry)
    assert chosen.key != bundle.key and bundle.threshold is None
    assert chosen.with_threshold(None).threshold is None
    frame = explain.model_data(model, samples.load_sample("customers").frame).X_test
    plain, low = bundle.predict(frame), chosen.predict(frame)
    proba = plain.scores[s.positive].to_numpy(float)
    assert list(low.values) == list(np.where(proba >= 0.2, s.positive, s.negative))
    assert (low.values == s.positive).sum() > (plain.values == s.positive).sum()
    assert "Decision threshold: P(" in export.model_card(chosen)
    # through the .skops file and the service, which loads it
    loaded, _ = export.load_skops(export.to_skops(chosen))
    assert loaded.threshold == entry
    client = serve.create_app(loaded).test_client()
    assert client.get("/health").get_json()["decision_threshold"] == entry
    rows = frame.head(40).astype(object).where(frame.head(40).notna(), None)
    answer = client.post("/predict", json={"rows": rows.to_dict(orient="records")}).get_json()
    assert answer["predictions"] == list(low.values[:40])


def test_a_threshold_for_other_classes_is_refused() -> None:
    scores = pd.DataFrame({"yes": [0.2, 0.8]})
    entry = {"value": 0.5, "positive_class": "no", "negative_class": "yes"}
    with pytest.raises(GlassboxError):
        threshold.apply(np.array(["no", "yes"]), scores, entry)
    assert list(threshold.apply(np.array(["x", "y"]), scores, None)) == ["x", "y"]
