"""How long does the decision-boundary view take on a kernel SVM trained on 10k rows?

In one run: synthetic two-class data, 10 numeric features, 10k training rows; an RBF SVM is
trained with Glassbox's own training code, then it measures (median of a few repeats):
- ``boundary``: :func:`mllib.explain.decision_boundary` on two features (a 60×60 slice: the
  grid frame, one ``decision_function`` call, labels, strengths, marching-squares contours,
  sampled points and support vectors);
- ``bare``: the fitted pipeline's ``decision_function`` on the same number of raw rows,
  the floor any exact boundary of this model has to pay;
- ``chart``: building the Altair chart from the computed table (``to_dict``).
Prints the ratio boundary / bare. The last line is ``boundary_seconds_10k=<seconds>``
(aim: under 0.5 s).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mllib import charts, explain, training  # noqa: E402
from mllib.profile import Task, profile_table  # noqa: E402
from mllib.training import TrainConfig  # noqa: E402

TRAIN_ROWS = 10_000
FEATURES = 10
REPEATS = 5


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """Two classes separated by a curved surface through the first three features, with noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, FEATURES))
    score = X[:, 0] ** 2 + X[:, 1] - 0.5 * X[:, 2] + rng.normal(scale=0.7, size=n)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(FEATURES)])
    frame["y"] = np.where(score > 1, "high", "low")
    return frame


def median_seconds(fn: object) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    # test_size 0.2 of 12,500 rows leaves exactly 10,000 training rows
    frame = synthetic(12_500)
    features = [f"x{i}" for i in range(FEATURES)]
    config = TrainConfig.make("svm", Task.CLASSIFICATION, "y", features, {}, test_size=0.2)
    start = time.perf_counter()
    model = training.train_model(frame, profile_table(frame), config)
    print(
        f"trained SVC(rbf) on {model.n_train:,} rows × {FEATURES} features in "
        f"{time.perf_counter() - start:.2f} s; {len(model.estimator.support_):,} support vectors"
    )
    data = explain.model_data(model, frame)

    def boundary() -> explain.Boundary:
        return explain.decision_boundary(model, data.X_train, data.y_train, "x0", "x1")

    result = boundary()
    # The same 3,600 points the boundary predicts: x0, x1 on the grid, the rest at the medians.
    centres_x = ((result.grid["x"] + result.grid["x2"]) / 2).to_numpy()
    centres_y = ((result.grid["y"] + result.grid["y2"]) / 2).to_numpy()
    grid_rows = pd.DataFrame(
        {name: np.full(len(centres_x), result.fixed.get(name, 0.0)) for name in features}
    )
    grid_rows["x0"], grid_rows["x1"] = centres_x, centres_y

    boundary_s = median_seconds(boundary)
    bare_s = median_seconds(lambda: model.pipeline.decision_function(grid_rows))
    chart_s = median_seconds(lambda: charts.boundary(result, model.classes, "y").to_dict())
    print(f"grid cells: {len(result.grid):,}; marks shipped: {result.marks:,}")
    print(f"boundary (explain.decision_boundary): {boundary_s:.3f} s")
    print(f"bare decision_function on the same {len(grid_rows):,} points: {bare_s:.3f} s")
    print(f"chart build (to_dict): {chart_s:.3f} s")
    print(f"ratio boundary / bare: {boundary_s / bare_s:.2f}")
    print(f"boundary_seconds_10k={boundary_s:.3f}")


if __name__ == "__main__":
    main()
