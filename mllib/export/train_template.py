#!/usr/bin/env python3
"""The standalone ``train.py`` that comes with every exported model, kept as a real module so
that ruff (and the tests) check it like the rest of the code.

:func:`mllib.export.script.train_script` reads this file's source and fills it in for one model:
it replaces this docstring, the values of the UPPER-CASE settings below, the ``sklearn`` imports
(with those the model's pipeline needs), the ``mllib`` imports (with a copy of the helpers they
name, so the download runs without Glassbox), the expression ``build_pipeline`` returns and the
first line of ``read_data``. Everything else is copied as written, so it may use Python, pandas,
numpy and scikit-learn only.
"""

from __future__ import annotations

import argparse
import sys
import warnings  # noqa: F401  (used by the helpers copied in place of the mllib import)
from typing import Any, Literal  # noqa: F401  (the same)

import numpy as np
import pandas as pd
from sklearn import metrics
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from mllib.cleaning import category_text, clean_features
from mllib.profile import drop_bad_target_rows
from mllib.response import class_scores

DATA_FILE = "data.csv"
DATA_ROWS = 0
TARGET = "target"
FEATURES: list[str] = []
NUMERIC: list[str] = []
CATEGORICAL: list[str] = []
DATES: list[str] = []
TASK = "classification"
SEED = 0
TEST_ROWS = 1
SAMPLE_ROWS: int | None = None
GLASSBOX_TEST_METRICS: dict[str, float] = {}


def build_pipeline() -> Pipeline:
    """The same preprocessing and estimator, with the same hyperparameters: plain
    scikit-learn, taking clean_features(...) output."""
    return Pipeline([("model", DummyClassifier())])


def read_data(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def score(
    y_true: pd.Series, y_pred: np.ndarray, raw: np.ndarray | None, classes: list[str] | None
) -> dict[str, float]:
    """The metrics Glassbox shows, computed the same way."""
    if TASK == "regression":
        return {
            "R²": metrics.r2_score(y_true, y_pred),
            "MAE": metrics.mean_absolute_error(y_true, y_pred),
            "RMSE": metrics.root_mean_squared_error(y_true, y_pred),
        }
    out = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
        "precision (macro)": metrics.precision_score(
            y_true, y_pred, average="macro", zero_division=0
        ),
        "recall (macro)": metrics.recall_score(y_true, y_pred, average="macro", zero_division=0),
        "F1 (macro)": metrics.f1_score(y_true, y_pred, average="macro", zero_division=0),
    }
    if raw is not None and classes is not None and len(np.unique(y_true)) >= 2:
        if len(classes) == 2:
            column = raw if raw.ndim == 1 else raw[:, 1]
            out["ROC AUC"] = metrics.roc_auc_score(np.asarray(y_true) == classes[1], column)
        elif raw.ndim == 2 and len(np.unique(y_true)) == len(classes):
            if not (raw.min() >= 0 and np.allclose(raw.sum(axis=1), 1)):
                raw = np.exp(raw - raw.max(axis=1, keepdims=True))
                raw = raw / raw.sum(axis=1, keepdims=True)
            out["ROC AUC"] = metrics.roc_auc_score(y_true, raw, multi_class="ovr", labels=classes)
    return {k: float(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("data", nargs="?", default=DATA_FILE, help="the data file")
    parser.add_argument(
        "--save",
        help="write the fitted pipeline to this .joblib file (it predicts from "
        "clean_features(table[FEATURES], NUMERIC, CATEGORICAL, DATES))",
    )
    args = parser.parse_args(argv)
    frame = read_data(args.data)
    if len(frame) != DATA_ROWS:
        print(
            f"Note: {args.data} has {len(frame)} rows; Glassbox trained on a table of "
            f"{DATA_ROWS} rows, so the split and the scores will differ.",
            file=sys.stderr,
        )
    data = drop_bad_target_rows(frame, TARGET)  # missing or infinite targets, as in Glassbox
    if SAMPLE_ROWS and len(data) > SAMPLE_ROWS:
        data = data.sample(SAMPLE_ROWS, random_state=SEED).reset_index(drop=True)
    X = clean_features(data[FEATURES], NUMERIC, CATEGORICAL, DATES)
    y = data[TARGET]
    if TASK == "classification":
        y = y.map(category_text)  # one label type: 1, 1.0, "1" and True are text
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=TEST_ROWS,
        random_state=SEED,
        stratify=y if TASK == "classification" else None,
    )
    # each part keeps the table's row order, as in Glassbox
    X_train, X_test = X_train.sort_index(), X_test.sort_index()
    y_train, y_test = y_train.sort_index(), y_test.sort_index()
    pipe = build_pipeline().fit(X_train, y_train)
    classes = list(pipe.classes_) if TASK == "classification" else None
    raw = class_scores(pipe, X_test)[0] if classes is not None else None
    scores = score(y_test, pipe.predict(X_test), raw, classes)
    print(f"{len(X_train)} training rows, {len(X_test)} test rows")
    for name, value in scores.items():
        glassbox = GLASSBOX_TEST_METRICS.get(name)
        shown = "" if glassbox is None else f"   (Glassbox: {glassbox:.10f})"
        print(f"test {name}: {value:.10f}{shown}")
    if args.save:
        import joblib

        joblib.dump(pipe, args.save, compress=3)
        print(f"saved the fitted pipeline to {args.save}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
