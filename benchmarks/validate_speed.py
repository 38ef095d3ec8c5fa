"""Time to validate the fixture VAD plugins, all tiers, worker start included.

Run from the repository root::

    python benchmarks/validate_speed.py [--repeat 3]

Measured side by side in one run, as ratios to ``python -c "import fastrtc"``
in the same environment:

- ``worker``: tiers 1 and 2 of one VAD in a fresh worker (``run_plugin_checks``);
- ``validate``: ``fastrtc-plugins validate tests/plugins/<vad>`` end to end
  (CLI start, wheel build, throwaway venv, tier 0, worker);
- the worker's own start (a fresh worker answering a ping request), which
  must stay small: the worker imports neither fastrtc nor numpy unless a
  check needs them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "tests" / "plugins"
VADS = {"energy": "energy_vad", "webrtc": "webrtc_vad"}
SPECS = {"energy": "fastrtc_energy_vad:EnergyVAD", "webrtc": "fastrtc_webrtc_vad:WebRTCVAD"}


def _timed(command: list[str], **kwargs: object) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, capture_output=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - started


def main() -> None:
    """Print a markdown table of medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {
        **os.environ,
        "FASTRTC_PLUGINS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join(str(PLUGINS / d) for d in VADS.values()),
    }
    py = sys.executable
    worker_only = (
        "import sys, time; from fastrtc_registry.suite import run_plugin_checks; "
        "t = time.perf_counter(); r = run_plugin_checks(sys.argv[1], 'vad'); "
        "assert all(x.ok for x in r), r; print(time.perf_counter() - t)"
    )
    ping = (
        "import time; from fastrtc_registry.validation.protocol import PingReply, PingRequest; "
        "from fastrtc_registry.validation.worker import WorkerSession; t = time.perf_counter()\n"
        "with WorkerSession(timeout=60) as s: s.request(PingRequest(), PingReply)\n"
        "print(time.perf_counter() - t)"
    )
    rows: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        rows.setdefault('python -c "import fastrtc"', []).append(
            _timed([py, "-c", "import fastrtc"], env=env)
        )
        out = subprocess.run([py, "-c", ping], capture_output=True, text=True, env=env, check=True)
        rows.setdefault("worker start (no plugin)", []).append(float(out.stdout))
        for name, spec in SPECS.items():
            out = subprocess.run(
                [py, "-c", worker_only, spec], capture_output=True, text=True, env=env, check=True
            )
            rows.setdefault(f"{name}: tiers 1+2 in a worker", []).append(float(out.stdout))
            rows.setdefault(f"{name}: validate tests/plugins/{VADS[name]}", []).append(
                _timed(
                    [py, "-m", "fastrtc_registry", "validate", str(PLUGINS / VADS[name]), "--json"],
                    env=env,
                )
            )
    base = statistics.median(rows['python -c "import fastrtc"'])
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.platform()}, "
        f"{time.strftime('%Y-%m-%d')}, median of {args.repeat}\n"
    )
    print("| what | median (s) | vs import fastrtc |\n| --- | ---: | ---: |")
    for what, times in rows.items():
        median = statistics.median(times)
        print(f"| {what} | {median:.2f} | {median / base:.2f}x |")


if __name__ == "__main__":
    main()
