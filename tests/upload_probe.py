"""Load one file as the Data page does, in a child process, and measure it.

``python -m tests.upload_probe FILE NAME`` reads the file the way an upload is read (bytes →
:func:`mllib.data.read_table` → profile → the profile's mini histograms) and prints one JSON line:
the seconds it took, its own peak memory, ``loaded``/``refused``/``crashed`` and the message.

The peak is the child's ``VmHWM`` from ``/proc``, the high-water mark of the memory it got at
``exec``. Not ``ru_maxrss``: Linux carries a forked child's pre-``exec`` peak into it, which is
the test runner's own memory (with the bomb it built) at the fork. :func:`probe` also polls it
while waiting, for a child killed at the timeout, and runs the child under an address-space
cap that keeps a bomb from hurting the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDRESS_SPACE_CAP = 6 * 2**30  # a safety net for the machine, far above any bound we assert


@dataclass(frozen=True)
class Probe:
    seconds: float  # the load alone, measured in the child
    peak_mb: float  # the child's own peak resident memory (VmHWM), imports included
    outcome: str  # "loaded", "refused" (a DataError for the page) or "crashed"
    message: str


def probe(raw: bytes, name: str, timeout: float = 120, env: dict[str, str] | None = None) -> Probe:
    with tempfile.NamedTemporaryFile(suffix="-" + name) as file:
        file.write(raw)
        file.flush()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.upload_probe", file.name, name],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            preexec_fn=_cap,
        )
        deadline = time.monotonic() + timeout
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, peak_mb(proc.pid))
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                return Probe(timeout, peak, "timeout", f"over {timeout:.0f} s")
            time.sleep(0.05)
        out = proc.stdout.read().decode() if proc.stdout else ""
        try:
            result = json.loads(out.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return Probe(0.0, peak, "crashed", f"exit status {proc.returncode}: {out[-300:]}")
        return Probe(result["seconds"], result["peak_mb"], result["outcome"], result["message"])


def peak_mb(pid: int | str = "self") -> float:
    """``VmHWM`` of a process in MB (0 when it has already gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def main(path: str, name: str) -> None:
    from mllib.data import read_table
    from mllib.errors import GlassboxError
    from mllib.profile import distributions, profile_table

    raw = Path(path).read_bytes()
    start = time.perf_counter()
    try:
        dataset = read_table(raw, name)
        profile = profile_table(dataset.frame)
        distributions(dataset.frame, profile)
        profile.to_frame()
        outcome, message = "loaded", f"{dataset.n_rows} rows × {dataset.n_cols} columns"
    except GlassboxError as err:
        outcome, message = "refused", str(err)
    except BaseException as err:
        outcome, message = "crashed", f"{type(err).__name__}: {str(err)[:300]}"
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "peak_mb": peak_mb(), "outcome": outcome, "message": message}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
