"""Generate the sample CSV datasets shipped with Glassbox.

Run with ``python sample_data/make_samples.py``. The output is deterministic: every
random draw is seeded (each generated dataset has its own seed), so re-running the
script reproduces the committed CSVs exactly.
Each CSV is written next to this script and has its target column last.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_moons

OUT_DIR = Path(__file__).resolve().parent
SEED_STUDY_HOURS = 42
SEED_CUSTOMERS = 2024

DIABETES_NAMES: dict[str, str] = {
    "age": "age",
    "sex": "sex",
    "bmi": "bmi",
    "bp": "blood_pressure",
    "s1": "s1_total_cholesterol",
    "s2": "s2_ldl",
    "s3": "s3_hdl",
    "s4": "s4_tch",
    "s5": "s5_ltg",
    "s6": "s6_glucose",
}


def make_study_hours(rng: np.random.Generator, n: int = 100) -> pd.DataFrame:
    """One-feature linear regression demo: exam score ~ 35 + 6 * hours + noise."""
    hours = np.round(rng.uniform(0.5, 10.0, size=n), 1)
    score = np.round(35.0 + 6.0 * hours + rng.normal(0.0, 5.0, size=n), 1)
    return pd.DataFrame({"hours_studied": hours, "exam_score": score})


def make_diabetes() -> pd.DataFrame:
    """Unscaled scikit-learn diabetes data with readable column names."""
    data = load_diabetes(as_frame=True, scaled=False)
    df = data.data.rename(columns=DIABETES_NAMES)
    df["disease_progression"] = data.target
    # Columns that only hold whole numbers are written as integers for readability.
    whole = [c for c in df.columns if (df[c] % 1 == 0).all()]
    return df.astype({c: int for c in whole})


def make_iris() -> pd.DataFrame:
    """Fisher's iris data with species names as the target."""
    data = load_iris(as_frame=True)
    df = data.data.copy()
    df.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    df["species"] = np.asarray(data.target_names)[data.target.to_numpy()]
    return df


def make_breast_cancer() -> pd.DataFrame:
    """Wisconsin diagnostic breast cancer data with snake_case names."""
    data = load_breast_cancer(as_frame=True)
    df = data.data.copy()
    df.columns = [c.strip().replace(" ", "_") for c in df.columns]
    df["diagnosis"] = np.asarray(data.target_names)[data.target.to_numpy()]
    return df


def make_moons_data() -> pd.DataFrame:
    """Two interleaving half-moons: a 2-D non-linear classification demo."""
    x, y = make_moons(n_samples=400, noise=0.25, random_state=0)
    return pd.DataFrame(
        {
            "x1": np.round(x[:, 0], 4),
            "x2": np.round(x[:, 1], 4),
            "label": np.where(y == 0, "class_a", "class_b"),
        }
    )


def _with_missing(rng: np.random.Generator, values: pd.Series, fraction: float) -> pd.Series:
    """Return a copy of ``values`` with ``fraction`` of its entries set to missing."""
    mask = np.zeros(len(values), dtype=bool)
    mask[rng.choice(len(values), size=round(fraction * len(values)), replace=False)] = True
    out = values.copy()
    out[mask] = pd.NA if isinstance(out.dtype, pd.api.extensions.ExtensionDtype) else np.nan
    return out


def make_customers(rng: np.random.Generator, n: int = 1000) -> pd.DataFrame:
    """Synthetic mixed-type customer churn table with missing values and an ID column."""
    start = pd.Timestamp("2022-01-01")
    end = pd.Timestamp("2024-01-01")  # reference date: the snapshot is taken here
    offsets = rng.integers(0, (end - start).days, size=n)
    signup = start + pd.to_timedelta(offsets, unit="D")
    tenure = ((end - signup).days // 30).astype(int)

    age = np.clip(np.round(rng.normal(42, 13, size=n)), 18, 85).astype(int)
    region = rng.choice(["North", "South", "East", "West"], size=n, p=[0.3, 0.25, 0.2, 0.25])
    plan = rng.choice(["Basic", "Standard", "Premium"], size=n, p=[0.45, 0.35, 0.2])
    base_spend = pd.Series(plan).map({"Basic": 20.0, "Standard": 45.0, "Premium": 80.0})
    spend = np.round(base_spend.to_numpy() * rng.lognormal(0.0, 0.25, size=n), 2)
    support_calls = np.clip(rng.poisson(2.0, size=n), 0, 10)
    has_partner = rng.random(n) < 0.5

    # Churn log-odds: more support calls and short tenure raise churn; Premium plans and
    # partners lower it; high spend relative to the plan's typical price raises it.
    plan_effect = pd.Series(plan).map({"Basic": 1.0, "Standard": 0.0, "Premium": -1.5})
    logit = (
        -1.8
        + plan_effect.to_numpy()
        + 1.4 * (support_calls - 2.0)
        - 0.2 * (tenure - 12.0)
        + 2.0 * (spend / base_spend.to_numpy() - 1.0)
        - 0.4 * has_partner
    )
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))

    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in rng.permutation(np.arange(100, 100 + n))],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "age": pd.array(age, dtype="Int64"),
            "region": pd.array(region, dtype="string"),
            "plan": plan,
            "monthly_spend": spend,
            "support_calls": support_calls,
            "has_partner": has_partner,
            "tenure_months": tenure,
            "country": "UK",
            "churned": np.where(churned, "yes", "no"),
        }
    )
    df["age"] = _with_missing(rng, df["age"], 0.05)
    df["region"] = _with_missing(rng, df["region"], 0.03)
    df["monthly_spend"] = _with_missing(rng, df["monthly_spend"], 0.04)
    return df


def main() -> None:
    """Build every sample dataset and write it as a CSV next to this script."""
    datasets: dict[str, pd.DataFrame] = {
        "study_hours.csv": make_study_hours(np.random.default_rng(SEED_STUDY_HOURS)),
        "diabetes.csv": make_diabetes(),
        "iris.csv": make_iris(),
        "breast_cancer.csv": make_breast_cancer(),
        "moons.csv": make_moons_data(),
        "customers.csv": make_customers(np.random.default_rng(SEED_CUSTOMERS)),
    }
    for name, df in datasets.items():
        path = OUT_DIR / name
        df.to_csv(path, index=False, lineterminator="\n")
        size_kb = path.stat().st_size / 1024
        print(f"{name}: {len(df)} rows x {df.shape[1]} columns, {size_kb:.1f} KB")


if __name__ == "__main__":
    main()
