"""The SVM dual read back from the fitted model: every equality the page shows is checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mllib import explain, samples, svm_dual, training
from mllib.errors import GlassboxError
from mllib.profile import Task, profile_table
from mllib.training import TrainConfig, TrainedModel

C, R = Task.CLASSIFICATION, Task.REGRESSION


def fit(frame: pd.DataFrame, target: str, task: Task, **params: object) -> TrainedModel:
    features = [c for c in frame.columns if c != target]
    config = TrainConfig.make("svm", task, target, features, params)
    return training.train_model(frame, profile_table(frame), config)


def iris() -> pd.DataFrame:
    return samples.load_sample("iris").frame


def two_iris_classes() -> pd.DataFrame:
    frame = iris()
    return frame[frame["species"] != "setosa"].reset_index(drop=True)


def scaled(model: TrainedModel, frame: pd.DataFrame) -> np.ndarray:
    return explain.transform(model, frame[list(model.config.features)])


@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly", "sigmoid"])
def test_expansion_equals_decision_function_for_two_classes(kernel: str) -> None:
    frame = two_iris_classes()
    model = fit(frame, "species", C, kernel=kernel, C=3.0)
    m = svm_dual.machine(model)
    Z = scaled(model, frame.iloc[:20])
    expected = svm_dual.decision_values(model, Z, m)
    assert np.allclose(expected, model.pipeline.decision_function(frame.iloc[:20]))
    for z, f in zip(Z, expected, strict=True):
        e = svm_dual.expand(model, m, z)
        assert e.value == pytest.approx(f, abs=1e-9)
        assert e.terms["αᵢ yᵢ K(xᵢ, x)"].sum() + e.intercept == pytest.approx(f, abs=1e-9)
    assert m.positive == "virginica" and m.negative == "versicolor"


def test_linear_kernel_w_is_the_sum_of_alpha_y_x_and_equals_coef() -> None:
    model = fit(two_iris_classes(), "species", C, kernel="linear", C=1.0)
    p = svm_dual.primal(model, svm_dual.machine(model))
    assert np.allclose(p.w, p.coef, atol=1e-9)
    assert p.margin == pytest.approx(2 / np.linalg.norm(model.estimator.coef_[0]))


def test_support_table_alphas_classes_and_margin_positions() -> None:
    frame = two_iris_classes()
    model = fit(frame, "species", C, kernel="linear", C=1.0)
    m = svm_dual.machine(model)
    table = svm_dual.support_table(model, m, [c.name for c in explain.model_columns(model)])
    assert len(table) == len(model.estimator.support_)
    assert np.allclose(table["αᵢ"] * table["yᵢ"], model.estimator.dual_coef_[0])
    assert (table["αᵢ"] > 0).all() and (table["αᵢ"] <= 1.0 + 1e-9).all()  # 0 < α ≤ C
    on = table["where"].str.startswith("on the margin")
    assert on.any() and (~on).any()
    # Free support vectors lie on the margin: yᵢ f(xᵢ) = 1 (libsvm's tolerance is 1e-3).
    assert np.allclose(table.loc[on, "yᵢ f(xᵢ)"], 1.0, atol=2e-3)
    assert (table.loc[~on, "yᵢ f(xᵢ)"] <= 1.0 + 2e-3).all()
    # Σ αᵢ yᵢ = 0 (the dual's equality constraint).
    assert (table["αᵢ"] * table["yᵢ"]).sum() == pytest.approx(0.0, abs=1e-6)
    data = explain.model_data(model, frame)
    first = int(table["training row"].iloc[0])
    assert table["class"].iloc[0] == data.y_train.iloc[first]
    z = scaled(model, data.X_train.iloc[[first]])[0]
    assert np.allclose(table.filter(like="(scaled)").iloc[0].to_numpy(float), z)


def test_every_pair_of_three_classes_matches_the_one_vs_one_decision() -> None:
    frame = iris()
    model = fit(frame, "species", C)
    Z = scaled(model, frame.iloc[::10])
    pairs = svm_dual.class_pairs(model)
    assert len(pairs) == 3
    for pair in pairs:
        m = svm_dual.machine(model, pair)
        expected = svm_dual.decision_values(model, Z, m)
        for z, f in zip(Z, expected, strict=True):
            assert svm_dual.expand(model, m, z).value == pytest.approx(f, abs=1e-9)
        table = svm_dual.support_table(model, m, ["a", "b", "c", "d"])
        assert set(table["class"]) <= set(pair) and m.positive == pair[0]
    with pytest.raises(GlassboxError):
        svm_dual.machine(model, ("setosa", "nothing"))


def test_regression_expansion_equals_the_svr_output() -> None:
    frame = samples.load_sample("study_hours").frame
    target = samples.SAMPLES["study_hours"].target
    model = fit(frame, target, R)
    m = svm_dual.machine(model)
    Z = scaled(model, frame.iloc[:10])
    expected = svm_dual.decision_values(model, Z, m)
    mean, scale = explain.target_scale(model)
    assert np.allclose(expected * scale + mean, model.pipeline.predict(frame.iloc[:10]))
    for z, f in zip(Z, expected, strict=True):
        assert svm_dual.expand(model, m, z).value == pytest.approx(f, abs=1e-9)
    table = svm_dual.support_table(model, m, [c.name for c in explain.model_columns(model)])
    assert set(table["where"]) <= {"outside the ε-tube", "on the tube's edge"}


def test_latex_and_refusals() -> None:
    model = fit(two_iris_classes(), "species", C)
    m = svm_dual.machine(model)
    e = svm_dual.expand(model, m, np.zeros(4))
    latex = svm_dual.expansion_latex(e, max_terms=3)
    assert "more" in latex and f"{e.value:.4g}" in latex
    assert r"\gamma" in svm_dual.kernel_formula(model)
    with pytest.raises(GlassboxError):
        svm_dual.primal(model, m)
    linear = training.train_model(
        iris(),
        profile_table(iris()),
        TrainConfig.make("linear_svm", C, "species", ["petal_length", "petal_width"], {}),
    )
    assert not svm_dual.has_dual(linear)
    with pytest.raises(GlassboxError):
        svm_dual.machine(linear)
