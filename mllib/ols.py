"""Ordinary least squares as a statistician reads it: standard errors, t, p, intervals, R², F.

Computed with numpy/scipy from the fitted model's own weights and its training rows, in the
columns the model sees (raw units for linear regression: it is not standardised). The classic
formulas assume independent errors with constant variance σ²:

    σ̂² = RSS / (n − p),  Cov(β̂) = σ̂² (XᵀX)⁻¹,  t = β̂ / SE,  p = 2·P(T_{n−p} > |t|),
    95 % CI = β̂ ± t_{0.975, n−p}·SE,  R² = 1 − RSS/TSS,  F = (ESS / k) / (RSS / (n − p)).

Ridge and Lasso have no such table: their penalty biases the weights on purpose, so β̂ is not
centred on the true β and these standard errors and p-values would be wrong (see
:data:`PENALISED_REASON`). ``tests/test_ols.py`` checks every number against statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from mllib import explain
from mllib.errors import GlassboxError
from mllib.explain import ModelData
from mllib.i18n import N_, Translator, msg
from mllib.training import TrainedModel

PENALISED_REASON = N_(
    "No p-values for {name}: its penalty (α = {alpha:g}) shrinks the weights towards zero on "
    "purpose, so they are biased and the textbook standard errors, t-tests and intervals "
    "(which assume unbiased least-squares weights) do not hold. Use linear regression for "
    "inference, or bootstrap the whole fit."
)


#: The intercept's name in the term column (Glassbox's word, translated where it is shown).
INTERCEPT = N_("intercept")
#: Column names of the coefficient table that are words (translated where they are shown).
WORDS = (N_("term"), N_("coefficient"), N_("std. error"), N_("p-value"))


@dataclass(frozen=True)
class OLSInference:
    """The coefficient table and the overall fit of an ordinary least-squares model.

    ``table`` columns: term, coefficient, std. error, t, p-value, 95% CI low, 95% CI high.
    """

    table: pd.DataFrame
    n: int
    df_model: int
    df_resid: int
    r2: float
    adj_r2: float
    f: float
    f_pvalue: float
    sigma: float
    intercept: bool
    level: float = 0.95

    def headers(self, tr: Translator) -> dict[str, str]:
        """The table's column names in ``tr``'s language (``t`` stays a symbol)."""
        pct = f"{self.level:.0%}"
        shown = tr.percent(self.level)
        return {
            **{name: tr.text(name) for name in WORDS},
            f"{pct} CI low": tr("{level} CI low", level=shown),
            f"{pct} CI high": tr("{level} CI high", level=shown),
        }


def ols_inference(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: float | None,
    names: list[str],
    level: float = 0.95,
) -> OLSInference:
    """Inference for the least-squares fit ``y ≈ X·coef + intercept`` (``None``: no intercept).

    Raises :class:`GlassboxError` when the columns are collinear (then the weights are not
    unique and neither are their standard errors) or there are no residual degrees of freedom.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    has_intercept = intercept is not None
    design = np.column_stack([np.ones(len(X)), X]) if has_intercept else X
    beta = np.concatenate([[intercept], coef]) if has_intercept else np.asarray(coef, float)
    terms = ([INTERCEPT] if has_intercept else []) + list(names)
    n, p = design.shape
    df_resid = n - p
    if df_resid <= 0:
        raise GlassboxError(
            msg(
                "{n} training rows for {p} weights leave no degrees of freedom for the error.",
                n=n,
                p=p,
            ),
            msg("Use more rows or fewer features."),
        )
    if np.linalg.matrix_rank(design) < p:
        raise GlassboxError(
            msg(
                "Standard errors are not unique here: some input columns are exact combinations "
                "of others (for example one feature is another in different units)."
            ),
            msg("Untick the redundant feature on the Data page to see them."),
        )
    residual = y - design @ beta
    rss = float(residual @ residual)
    sigma2 = rss / df_resid
    # Solve with a QR factorisation rather than inverting XᵀX (better conditioned).
    _, r = np.linalg.qr(design)
    r_inv = np.linalg.solve(r, np.eye(p))
    cov = sigma2 * (r_inv @ r_inv.T)
    se = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    pvalue = 2 * stats.t.sf(np.abs(t), df_resid)
    q = stats.t.ppf(0.5 + level / 2, df_resid)
    tss = float(((y - y.mean()) ** 2).sum()) if has_intercept else float(y @ y)
    df_model = p - 1 if has_intercept else p
    r2 = 1 - rss / tss if tss > 0 else float("nan")
    adj = 1 - (1 - r2) * (n - 1 if has_intercept else n) / df_resid
    ess = tss - rss
    f = (ess / df_model) / sigma2 if df_model > 0 and sigma2 > 0 else float("nan")
    f_p = float(stats.f.sf(f, df_model, df_resid)) if np.isfinite(f) else float("nan")
    pct = f"{level:.0%}"
    table = pd.DataFrame(
        {
            "term": terms,
            "coefficient": beta,
            "std. error": se,
            "t": t,
            "p-value": pvalue,
            f"{pct} CI low": beta - q * se,
            f"{pct} CI high": beta + q * se,
        }
    )
    return OLSInference(
        table,
        n,
        df_model,
        df_resid,
        r2,
        adj,
        float(f),
        f_p,
        float(np.sqrt(sigma2)),
        has_intercept,
        level,
    )


def model_inference(model: TrainedModel, data: ModelData) -> OLSInference:
    """:func:`ols_inference` for a fitted linear regression on the rows it was trained on."""
    estimator = model.estimator
    names = [c.label for c in explain.model_columns(model)]
    fit_intercept = bool(getattr(estimator, "fit_intercept", True))
    return ols_inference(
        explain.transform(model, data.X_train),
        data.y_train.to_numpy(dtype=float),
        np.asarray(estimator.coef_, dtype=float).ravel(),
        float(estimator.intercept_) if fit_intercept else None,
        names,
    )
