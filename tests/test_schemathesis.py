"""schemathesis against a real service process, for a model of every algorithm and task.

Every check schemathesis has runs (server errors, status codes, content types and response
schemas conformance, schema-valid data accepted, schema-violating data rejected, the declared
authentication enforced), with a bounded number of examples per operation so CI stays quick.
The models are trained on the mixed-type customers sample (numbers, categories, a true/false
column and dates), so every kind of feature schema is exercised.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mllib import catalogue
from mllib.profile import Task
from tests.conftest import ROOT
from tests.service_process import Service, write_model

EXAMPLES = 25
TARGET = {Task.CLASSIFICATION: "churned", Task.REGRESSION: "monthly_spend"}
MODELS = [(spec.key, task) for spec in catalogue.CATALOGUE.values() for task in spec.tasks]
TOKEN = "schemathesis-token-0123456789"


def schemathesis(url: str, report: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary, "schemathesis is in requirements-dev.txt"
    command = [
        binary,
        "--config-file",
        str(ROOT / "tests" / "schemathesis.toml"),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "13",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(report),
        "--request-timeout",
        "30",
    ]
    for header in headers:
        command += ["--header", header]
    # Run in the report's folder: schemathesis keeps a cache in its working directory.
    report.mkdir(parents=True, exist_ok=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=report)


def summary(out: str) -> str:
    start = out.find("SUMMARY")
    return out[start - 2000 if start > 2000 else 0 :][-6000:]


@pytest.mark.parametrize(("algorithm", "task"), MODELS, ids=[f"{a}-{t.value}" for a, t in MODELS])
def test_no_server_errors_and_no_schema_violations(
    tmp_path: Path, algorithm: str, task: Task
) -> None:
    model = write_model(tmp_path, "customers", algorithm, task, TARGET[task])
    service = Service(model)
    try:
        result = schemathesis(service.url, tmp_path / "report")
    finally:
        log = service.stop()
    assert result.returncode == 0, summary(result.stdout) + result.stderr[-2000:]
    assert "Traceback" not in log, log[-3000:]


def test_with_a_token_every_guarded_operation_needs_it(tmp_path: Path) -> None:
    model = write_model(tmp_path, "customers", "tree", Task.CLASSIFICATION, "churned")
    service = Service(model, env={**os.environ, "GLASSBOX_API_TOKEN": TOKEN})
    try:
        result = schemathesis(service.url, tmp_path / "report", f"Authorization: Bearer {TOKEN}")
    finally:
        service.stop()
    assert result.returncode == 0, summary(result.stdout) + result.stderr[-2000:]
