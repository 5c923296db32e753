"""The same hyperparameter search with one worker, with every core, and as bare GridSearchCV.

Usage: python bench/search.py [--rows N] [--repeats K] [--backend auto|threading|loky]
       [--algorithm tree|svm]

Builds a synthetic classification table, plans a grid search with ``mllib.tuning`` (the code
the Tune tab runs) and times it with ``n_jobs=1`` and ``n_jobs=-1``, and scikit-learn's own
``GridSearchCV`` over the same pipeline, candidates and folds with ``n_jobs=-1`` (train scores
on and the winner refitted, as Glassbox does), rotating the three so that noise from a shared
machine hits all alike. Prints every timing with the CPU time the process used (CPU / wall =
cores it actually got: other work on a shared machine takes the rest) and the best run of
each. The fitted results must be identical. Then, on its own lines:

- ``vs_gridsearch=<best Glassbox search on all cores / best GridSearchCV>`` (goal ≤ 1.2);
- ``eta_ratio=<worst of estimate/actual and actual/estimate>`` for the time-left figure the
  page shows, over every progress step after 5 % of the fits and before the last 5 % of the
  time (near the end a few tenths of a second decide the ratio), worst over all runs on all
  cores (goal ≤ 2);
- last, ``speedup=<best serial / best parallel>`` (goal ≥ 1.7).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mllib import parallel, training, tuning
from mllib.pipeline import build_pipeline
from mllib.profile import Task, profile_table

SEARCHES = {
    # ~30 candidates x 5 folds; each fit takes tens to a few hundred milliseconds here.
    "tree": (["max_depth", "min_samples_leaf"], {"criterion": "entropy"}, 5),
    "svm": (["C", "gamma"], {}, 4),
}


def make_data(rows: int, algorithm: str) -> tuning.SplitData:
    X, y = make_classification(
        n_samples=rows, n_features=20, n_informative=8, n_redundant=4, random_state=0
    )
    features = [f"x{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=features)
    frame["label"] = np.where(y == 1, "yes", "no")
    config = training.TrainConfig.make(
        algorithm, Task.CLASSIFICATION, "label", features, SEARCHES[algorithm][1], seed=0
    )
    return tuning.split_data(frame, profile_table(frame), config)


def timed_search(
    data: tuning.SplitData, plan: tuning.SearchPlan, n_jobs: int
) -> tuple[float, float, list[float], float]:
    """Wall seconds, CPU seconds of this process (all its threads), the scores, and the worst
    ratio between the time-left figure and the time that was really left."""
    state = tuning.SearchState(plan)
    start, cpu = time.perf_counter(), time.process_time()
    shown = []  # (seconds since start, fits done, time-left figure) at every progress step
    for step in tuning.search(data, state, n_jobs=n_jobs):
        shown.append((time.perf_counter() - start, step.done_fits, step.seconds_left))
    seconds = time.perf_counter() - start
    worst = 1.0
    for at, fits, left in shown:
        if fits < 0.05 * plan.total_fits or at > 0.95 * seconds or left is None:
            continue
        actual = seconds - at
        worst = max(worst, left / actual, actual / max(left, 1e-9))
    scores = sorted((r.candidate, r.score) for r in state.results)
    return seconds, time.process_time() - cpu, [score for _, score in scores], worst


def timed_gridsearch(data: tuning.SplitData, plan: tuning.SearchPlan) -> tuple[float, list[float]]:
    """The same candidates, pipeline and folds through bare ``GridSearchCV(n_jobs=-1)``."""
    spec, task, seed = plan.spec, plan.task, plan.seed
    pipe, _ = build_pipeline(spec, task, {}, data.profile, data.features, seed)
    models = [spec.build(task, c, seed) for c in plan.candidates]
    folds = tuning.cv_splits(data.y_train, task, plan.folds, seed)
    start = time.perf_counter()
    search = GridSearchCV(
        pipe,
        {"model": models},
        scoring=tuning.scorer_name(task, plan.metric),
        cv=folds,
        return_train_score=True,
        error_score=np.nan,
        n_jobs=-1,
    )
    search.fit(data.X_train, data.y_train)
    search.score(data.X_test, data.y_test)
    return time.perf_counter() - start, list(search.cv_results_["mean_test_score"])


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def machine_parallelism(cores: int, loops: int = 3_000_000) -> float:
    """How much faster ``cores`` processes finish ``cores`` pure-CPU jobs than one process: the
    best speed-up this shared machine offers right now (other work competes for the cores)."""
    from joblib import Parallel, delayed

    Parallel(n_jobs=cores, backend="loky")(delayed(_spin)(10) for _ in range(cores))
    start = time.perf_counter()
    for _ in range(cores):
        _spin(loops)
    one = time.perf_counter() - start
    start = time.perf_counter()
    Parallel(n_jobs=cores, backend="loky")(delayed(_spin)(loops) for _ in range(cores))
    return one / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--backend",
        choices=["auto", "threading", "loky"],
        default="auto",
        help="auto = what the app does: threads, then processes once the search proves long",
    )
    parser.add_argument("--algorithm", choices=sorted(SEARCHES), default="tree")
    args = parser.parse_args()
    if args.backend != "auto":
        parallel.LOCAL_BACKEND = args.backend
    names, base, values = SEARCHES[args.algorithm]
    data = make_data(args.rows, args.algorithm)
    plan = tuning.plan_search(data, "grid", names, base, values_per_param=values, folds=5)
    cores = parallel.local_cores()
    print(
        f"{args.algorithm} grid search: {len(plan.candidates)} settings x {plan.folds} folds = "
        f"{plan.total_fits} fits on {len(data.y_train):,} training rows; "
        f"backend {args.backend}, {cores} cores"
    )
    for n_jobs in (1, -1):  # warm-up: imports, caches, the worker processes
        timed_search(data, plan, n_jobs)
    timed_gridsearch(data, plan)
    serial, parallel_runs, bare_runs, etas = [], [], [], []
    reference = None
    for i in range(args.repeats):
        for n_jobs, bucket in ((1, serial), (-1, parallel_runs)):
            seconds, cpu, scores, eta = timed_search(data, plan, n_jobs)
            if reference is None:
                reference = scores
            assert np.allclose(scores, reference, equal_nan=True), "results differ"
            bucket.append(seconds)
            note = (
                ""  # worker processes' CPU time is not this process's
                if args.backend != "threading" and n_jobs != 1
                else (f"  cpu {cpu:6.2f} s = {cpu / seconds:.2f} cores")
            )
            if n_jobs != 1:
                etas.append(eta)
                note += f"  time-left figure off by at most {eta:.2f}x"
            print(f"run {i + 1}: n_jobs={n_jobs:>2}  {seconds:6.2f} s{note}")
        seconds, scores = timed_gridsearch(data, plan)
        assert np.allclose(scores, reference, equal_nan=True), "GridSearchCV scores differ"
        bare_runs.append(seconds)
        print(f"run {i + 1}: GridSearchCV(n_jobs=-1)  {seconds:6.2f} s")
    one, many, bare = min(serial), min(parallel_runs), min(bare_runs)
    print(
        f"best: 1 worker {one:.2f} s, {cores} workers {many:.2f} s, GridSearchCV {bare:.2f} s "
        f"(medians {statistics.median(serial):.2f} s / {statistics.median(parallel_runs):.2f} s"
        f" / {statistics.median(bare_runs):.2f} s)"
    )
    print(
        f"machine check: {cores} pure-CPU processes ran {machine_parallelism(cores):.2f}x "
        "faster than one (the ceiling under the current load)"
    )
    print(f"vs_gridsearch={many / bare:.2f}")
    print(f"eta_ratio={max(etas):.2f}")
    print(f"speedup={one / many:.2f}")


if __name__ == "__main__":
    main()
