"""A real prediction service in a subprocess (waitress, as ``python -m mllib.serve`` runs it)
for the hostile-input and schemathesis tests: its port, its peak memory, and a clean stop."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from functools import lru_cache
from pathlib import Path

from mllib import export, samples, training
from mllib.export import ModelBundle, bundle_from_model
from mllib.profile import Task, default_features, profile_table
from mllib.training import TrainConfig
from tests.conftest import ROOT


@lru_cache(maxsize=32)
def trained_bundle(
    sample: str, algorithm: str, task: Task, target: str | None = None
) -> ModelBundle:
    """A model of ``algorithm`` on a bundled sample (its usual target unless ``target``)."""
    dataset = samples.load_sample(sample)
    profile = profile_table(dataset.frame)
    target = target or samples.SAMPLES[sample].target
    features = default_features(profile, target).features
    config = TrainConfig.make(algorithm, task, target, features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    return bundle_from_model(model, dataset, profile)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(proc: subprocess.Popen, url: str, seconds: float = 90) -> None:
    """Wait for ``GET /health`` to answer ok; a process that exits says what it printed."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                assert json.load(r)["status"] == "ok"
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stdout.read() if proc.stdout else "") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the service did not start in {seconds:g} s") from None
            time.sleep(0.2)


class Service:
    """``python -m mllib.serve model.skops`` on a free port, started and waited for."""

    def __init__(self, model: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mllib.serve", str(model), "--port", str(self.port), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        try:
            wait_until_healthy(self.proc, self.url)
        except RuntimeError:
            self.stop()
            raise

    def peak_mb(self) -> float:
        """The service process's peak resident memory so far (VmHWM), in MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out or ""


def write_model(
    directory: Path, sample: str, algorithm: str, task: Task, target: str | None = None
) -> Path:
    path = directory / f"{sample}-{algorithm}-{task.value}-{target or 'target'}.skops"
    path.write_bytes(export.to_skops(trained_bundle(sample, algorithm, task, target)))
    return path
