"""What does the JSON service add to a prediction? ``POST /predict`` over loopback vs bare sklearn.

In one run: train a decision tree on the mixed-type customers sample (dates, booleans,
categories, missing values), export it as ``.skops``, start ``python -m mllib.serve`` (waitress)
as a real process on a free loopback port, then time sequential requests on one keep-alive
connection for one row and for a 1,000-row batch. The same rows are predicted by the bare
pipeline in this process: ``pipeline.predict``, and the same work the service does (preprocess
once, then ``predict`` and ``predict_proba``); the overhead is the service minus the latter.
The same model exported as ``.onnx`` is timed too: ONNX Runtime's ``run`` (labels and
probabilities in one call) vs scikit-learn's same work in this process, and ``POST /predict`` to
a second service serving the ``.onnx`` file. Counts and durations are bounded. It prints
requests per second, p50 / p99 latency, the ratios and the overhead per request; the line
before the last is ``onnx_speedup_1row=<sklearn p50 / ONNX Runtime p50, 1 row>
onnx_speedup_1000rows=<same, 1,000 rows>``, the last line is
``overhead_ms_1row=<p50 overhead> overhead_ms_1000rows=<p50 overhead>``.
"""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from mllib import export, onnx_export, samples, training  # noqa: E402
from mllib.profile import Task, default_features, profile_table  # noqa: E402

MAX_REQUESTS = {1: 2000, 1000: 300}
MAX_SECONDS = 12.0
WARMUP = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(call: Callable[[], object], limit: int) -> list[float]:
    """Latencies (s) of up to ``limit`` calls, stopping after ``MAX_SECONDS``."""
    for _ in range(WARMUP):
        call()
    times: list[float] = []
    deadline = time.perf_counter() + MAX_SECONDS
    while len(times) < limit and time.perf_counter() < deadline:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "n": len(times),
        "rps": len(times) / sum(times),
        "p50": statistics.median(times) * 1000,
        "p99": cuts[98] * 1000,
    }


def start_service(model_path: Path, port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mllib.serve", str(model_path), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the service did not start")


def main() -> None:
    dataset = samples.load_sample("customers")
    profile = profile_table(dataset.frame)
    features = default_features(profile, "churned").features
    config = training.TrainConfig.make("tree", Task.CLASSIFICATION, "churned", features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    bundle = export.bundle_from_model(model, dataset, profile)
    pipe = bundle.pipeline
    assert bundle.onnx.ok, bundle.onnx.message
    runner = onnx_export.OnnxRunner(bundle.onnx.data, bundle.inputs, list(bundle.schema.classes))
    source = dataset.frame[bundle.schema.names]
    rows_json = json.loads(source.to_json(orient="records", date_format="iso"))
    for row in rows_json:
        row["has_partner"] = bool(row["has_partner"])

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "glassbox-model.skops"
        path.write_bytes(export.to_skops(bundle))
        onnx_path = Path(tmp) / "glassbox-model.onnx"
        onnx_path.write_bytes(bundle.onnx.data)
        port, onnx_port = free_port(), free_port()
        proc = start_service(path, port)
        onnx_proc = start_service(onnx_path, onnx_port)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            onnx_conn = http.client.HTTPConnection("127.0.0.1", onnx_port, timeout=30)
            results = []
            onnx_results = []
            for n in (1, 1000):
                rows = (rows_json * (n // len(rows_json) + 1))[:n]
                frame = bundle.clean(pd.DataFrame(rows, columns=bundle.schema.names))
                body = json.dumps({"rows": rows}).encode()

                def post(
                    body: bytes = body, n: int = n, conn: http.client.HTTPConnection = conn
                ) -> None:
                    conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
                    response = conn.getresponse()
                    answer = json.loads(response.read())
                    assert response.status == 200 and len(answer["predictions"]) == n, answer

                def onnx_run(frame: pd.DataFrame = frame) -> None:
                    runner.run(frame)  # labels and probabilities

                def bare(frame: pd.DataFrame = frame) -> None:
                    pipe.predict(frame)

                def bare_same_work(frame: pd.DataFrame = frame) -> None:
                    features = pipe[:-1].transform(frame)  # what the service computes
                    pipe[-1].predict(features)
                    pipe[-1].predict_proba(features)

                service = summary(timed(post, MAX_REQUESTS[n]))
                plain = summary(timed(bare, MAX_REQUESTS[n]))
                full = summary(timed(bare_same_work, MAX_REQUESTS[n]))
                results.append((n, service, plain, full, len(body)))
                onnx_service = summary(timed(lambda p=post: p(conn=onnx_conn), MAX_REQUESTS[n]))
                onnx_results.append((n, summary(timed(onnx_run, MAX_REQUESTS[n])), onnx_service))
            conn.close()
            onnx_conn.close()
        finally:
            for process in (proc, onnx_proc):
                process.terminate()
                process.wait(timeout=10)

    print(f"decision tree on customers ({len(features)} mixed features), waitress, loopback")
    print(f"{'rows':>6} {'what':<30} {'n':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    overhead = {}
    for n, service, plain, full, size in results:
        for label, s in (
            (f"POST /predict ({size:,} B)", service),
            ("bare predict", plain),
            ("bare transform+predict+proba", full),
        ):
            print(
                f"{n:>6} {label:<30} {s['n']:>5} {s['rps']:>9.1f} {s['p50']:>9.2f} {s['p99']:>9.2f}"
            )
        overhead[n] = service["p50"] - full["p50"]
        print(
            f"{'':>6} ratio p50 service/pipeline.predict {service['p50'] / plain['p50']:.2f}, "
            f"service/same work {service['p50'] / full['p50']:.2f}; "
            f"overhead {overhead[n]:.2f} ms per request "
            f"({overhead[n] / n * 1000:.1f} µs per row)"
        )
    print("ONNX Runtime (the same tree as glassbox-model.onnx) vs scikit-learn, per request:")
    speedup = {}
    full_by_rows = {n: full for n, _, _, full, _ in results}
    service_by_rows = {n: service for n, service, _, _, _ in results}
    for n, run, onnx_service in onnx_results:
        for label, s in (("ONNX Runtime run", run), ("POST /predict (.onnx)", onnx_service)):
            print(
                f"{n:>6} {label:<30} {s['n']:>5} {s['rps']:>9.1f} {s['p50']:>9.2f} {s['p99']:>9.2f}"
            )
        speedup[n] = full_by_rows[n]["p50"] / run["p50"]
        print(
            f"{'':>6} ratio p50 scikit-learn same work / ONNX Runtime {speedup[n]:.2f}; "
            f"service .skops / .onnx {service_by_rows[n]['p50'] / onnx_service['p50']:.2f}"
        )
    print(f"onnx_speedup_1row={speedup[1]:.2f} onnx_speedup_1000rows={speedup[1000]:.2f}")
    print(f"overhead_ms_1row={overhead[1]:.2f} overhead_ms_1000rows={overhead[1000]:.2f}")


if __name__ == "__main__":
    main()
