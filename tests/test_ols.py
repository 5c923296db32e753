"""OLS inference checked number by number against statsmodels (a test-only dependency)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from mllib import explain, ols, samples, training
from mllib.catalogue import CATALOGUE
from mllib.errors import GlassboxError
from mllib.pipeline import reference_levels
from mllib.profile import Task, profile_table
from mllib.training import TrainConfig, TrainedModel

R = Task.REGRESSION


def fit(
    frame: pd.DataFrame, target: str, algorithm: str = "linear", **params: object
) -> TrainedModel:
    features = [c for c in frame.columns if c != target]
    config = TrainConfig.make(algorithm, R, target, features, params)
    return training.train_model(frame, profile_table(frame), config)


def reference(model: TrainedModel, frame: pd.DataFrame, constant: bool) -> object:
    data = explain.model_data(model, frame)
    X = explain.transform(model, data.X_train)
    return sm.OLS(data.y_train.to_numpy(float), sm.add_constant(X) if constant else X).fit()


@pytest.mark.parametrize("sample", ["diabetes", "study_hours"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_every_number_matches_statsmodels(sample: str, fit_intercept: bool) -> None:
    frame = samples.load_sample(sample).frame
    target = samples.SAMPLES[sample].target
    model = fit(frame, target, fit_intercept=fit_intercept)
    result = ols.model_inference(model, explain.model_data(model, frame))
    ref = reference(model, frame, fit_intercept)
    table = result.table
    assert np.allclose(table["coefficient"], ref.params, rtol=1e-7, atol=1e-9)
    assert np.allclose(table["std. error"], ref.bse, rtol=1e-7)
    assert np.allclose(table["t"], ref.tvalues, rtol=1e-6)
    assert np.allclose(table["p-value"], ref.pvalues, rtol=1e-6, atol=1e-300)
    ci = np.asarray(ref.conf_int(0.05))
    assert np.allclose(table["95% CI low"], ci[:, 0], rtol=1e-7)
    assert np.allclose(table["95% CI high"], ci[:, 1], rtol=1e-7)
    assert result.r2 == pytest.approx(ref.rsquared, rel=1e-9)
    assert result.adj_r2 == pytest.approx(ref.rsquared_adj, rel=1e-9)
    assert result.f == pytest.approx(ref.fvalue, rel=1e-7)
    assert result.f_pvalue == pytest.approx(ref.f_pvalue, rel=1e-6, abs=1e-300)
    assert (result.df_model, result.df_resid) == (int(ref.df_model), int(ref.df_resid))
    assert ("intercept" in set(table["term"])) == fit_intercept


def test_noise_feature_is_not_significant_and_signal_is() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=300), "y": 2 * x + rng.normal(size=300)})
    model = fit(frame, "y")
    table = ols.model_inference(model, explain.model_data(model, frame)).table.set_index("term")
    assert table.loc["x", "p-value"] < 1e-10
    assert table.loc["noise", "p-value"] > 0.01
    assert table.loc["x", "95% CI low"] < 2 < table.loc["x", "95% CI high"]


def test_collinear_columns_are_refused_with_a_reason() -> None:
    x = np.arange(60.0) % 7
    frame = pd.DataFrame({"x": x, "twice_x": 2 * x, "y": np.arange(60.0)})
    model = fit(frame, "y")
    with pytest.raises(GlassboxError, match="not unique"):
        ols.model_inference(model, explain.model_data(model, frame))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_categories_get_a_reference_level_and_match_statsmodels(fit_intercept: bool) -> None:
    """One-hot plus an intercept had no unique weights, so the table was refused on every table
    with a category (found on statsmodels' Grunfeld data). Linear regression now leaves out each
    category's first level, as statsmodels' treatment coding does."""
    from statsmodels.datasets import grunfeld

    frame = grunfeld.load_pandas().data[["invest", "value", "capital", "firm"]]
    model = fit(frame, "invest", fit_intercept=fit_intercept)
    assert reference_levels(model.pipeline) == {"firm": "American Steel"}  # first, sorted
    result = ols.model_inference(model, explain.model_data(model, frame))
    ref = reference(model, frame, fit_intercept)
    assert not any("American Steel" in term for term in result.table["term"])
    assert np.allclose(result.table["coefficient"], ref.params, rtol=1e-7, atol=1e-9)
    assert np.allclose(result.table["std. error"], ref.bse, rtol=1e-7)
    assert result.r2 == pytest.approx(ref.rsquared, rel=1e-9)
    if fit_intercept:  # the same model as the full one-hot coding: the same predictions
        data = explain.model_data(model, frame)
        formula = sm.OLS.from_formula(
            "invest ~ value + capital + C(firm)", data.X_train.assign(invest=data.y_train)
        ).fit()
        assert np.allclose(model.pipeline.predict(data.X_test), formula.predict(data.X_test))


def test_no_degrees_of_freedom_is_refused() -> None:
    with pytest.raises(GlassboxError, match="degrees of freedom"):
        ols.ols_inference(np.eye(3), np.ones(3), np.ones(3), 0.0, ["a", "b", "c"])


def test_only_least_squares_claims_inference() -> None:
    kinds = {key: spec.inference for key, spec in CATALOGUE.items()}
    assert kinds["linear"] == "ols"
    assert kinds["ridge"] == kinds["lasso"] == "penalised"
    assert "penalty" in ols.PENALISED_REASON.format(name="Ridge", alpha=1.0)
