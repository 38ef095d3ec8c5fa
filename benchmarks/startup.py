"""How fast the CLI starts, against ``python -c "import fastrtc"`` in the same environment.

Target: ``fastrtc-plugins --help`` and ``fastrtc-plugins list``
under 10% of the time of importing fastrtc. The commands are run interleaved,
round after round, so machine noise hits all of them alike; medians are
compared as ratios.

    python benchmarks/startup.py [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time


def commands() -> dict[str, list[str]]:
    """The commands to compare, by label."""
    cli = shutil.which("fastrtc-plugins")
    base = [cli] if cli else [sys.executable, "-m", "fastrtc_registry"]
    return {
        "python -c 'import fastrtc'": [sys.executable, "-c", "import fastrtc"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
        "fastrtc-plugins --help": [*base, "--help"],
        "fastrtc-plugins list": [*base, "list"],
        "fastrtc-plugins list --json": [*base, "list", "--json"],
    }


def run(rounds: int) -> dict[str, list[float]]:
    """Wall-clock seconds of each command, ``rounds`` times, interleaved."""
    env = {**os.environ, "NO_COLOR": "1"}
    timings: dict[str, list[float]] = {label: [] for label in commands()}
    for _ in range(rounds):
        for label, command in commands().items():
            started = time.perf_counter()
            subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
            )
            timings[label].append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    timings = run(args.rounds)
    reference = statistics.median(timings["python -c 'import fastrtc'"])
    rows = []
    for label, values in timings.items():
        median = statistics.median(values)
        rows.append(
            {
                "command": label,
                "median_s": round(median, 4),
                "ratio_to_import_fastrtc": round(median / reference, 3),
            }
        )
    if args.json:
        print(
            json.dumps(
                {
                    "machine": platform.platform(),
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "rounds": args.rounds,
                    "rows": rows,
                },
                indent=2,
            )
        )
        return
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{args.rounds} interleaved rounds"
    )
    print(f"{'command':32} {'median':>9} {'vs import fastrtc':>18}")
    for row in rows:
        print(f"{row['command']:32} {row['median_s']:8.3f}s {row['ratio_to_import_fastrtc']:17.1%}")


if __name__ == "__main__":
    main()
