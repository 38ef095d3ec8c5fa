"""How fast the CLI starts, side by side with a bare typer + rich app and with fastrtc.

Two yardsticks, run interleaved round after round so machine noise hits every
command alike, medians compared as ratios:

- a bare two-command typer + rich application's ``--help``
  (``benchmarks/_bare_cli.py``): targets ``fastrtc-plugins --help`` <= 1.2x and
  ``fastrtc-plugins list`` with 45 installed plugins <= 1.4x;
- ``python -c "import fastrtc"``: target < 10% for both (DESIGN.md 6).

The package runs from bytecode, as installed (``benchmarks/_installed.py``).
The 45 plugins are real distributions as far as discovery can tell: one
``.dist-info`` folder each, with ``METADATA`` and an ``entry_points.txt``,
in a temporary folder put on ``PYTHONPATH`` for every command.

    python benchmarks/startup.py [--rounds N] [--plugins N] [--json] [--baseline PYTHON]

``--baseline PYTHON`` also runs the ``fastrtc-plugins`` of another environment
(say, one with an earlier commit installed) in the same rounds: before and
after side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _installed import compile_package, installed_env

HERE = Path(__file__).resolve().parent
BARE = "bare typer+rich --help"
BARE_RUN = "bare typer+rich hello"


def cli(python: str = sys.executable) -> list[str]:
    """The ``fastrtc-plugins`` console script of ``python``'s environment."""
    script = Path(python).with_name("fastrtc-plugins")
    return [str(script)] if script.exists() else [python, "-m", "fastrtc_registry"]


def commands(baseline: str | None = None) -> dict[str, list[str]]:
    """The commands to compare, by label."""
    base = cli()
    before = {}
    if baseline:
        old = cli(baseline)
        before = {
            "baseline --help": [*old, "--help"],
            "baseline list": [*old, "list"],
            "baseline list --json": [*old, "list", "--json"],
        }
    return {
        "python -c 'import fastrtc'": [sys.executable, "-c", "import fastrtc"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
        BARE: [sys.executable, str(HERE / "_bare_cli.py"), "--help"],
        BARE_RUN: [sys.executable, str(HERE / "_bare_cli.py"), "hello"],
        "fastrtc-plugins --help": [*base, "--help"],
        "fastrtc-plugins list": [*base, "list"],
        "fastrtc-plugins list --json": [*base, "list", "--json"],
        **before,
    }


def fake_plugins(root: Path, count: int) -> None:
    """``count`` installed plugin distributions, as metadata only (``list`` imports nothing)."""
    for i in range(count):
        name = f"fastrtc_bench_plugin_{i:02d}"
        info = root / f"{name}-1.0.{i}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: fastrtc-bench-plugin-{i:02d}\nVersion: 1.0.{i}\n"
            "Requires-Python: >=3.10\nRequires-Dist: fastrtc>=0.0.30\n"
        )
        group = "fastrtc.vad" if i % 2 else "fastrtc.turn_taking"
        (info / "entry_points.txt").write_text(f"[{group}]\nbench-{i:02d} = {name}:Plugin\n")
        (info / "RECORD").write_text("")


def run(rounds: int, plugins: int, baseline: str | None = None) -> dict[str, list[float]]:
    """Wall-clock seconds of each command, ``rounds`` times, interleaved."""
    timings: dict[str, list[float]] = {label: [] for label in commands(baseline)}
    with tempfile.TemporaryDirectory() as tmp:
        fake_plugins(Path(tmp), plugins)
        path = os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH")) if p)
        env = {**installed_env(), "NO_COLOR": "1", "PYTHONPATH": path, "COLUMNS": "100"}
        for python in (sys.executable, baseline):
            if python:
                compile_package(python)
        for _ in range(rounds):
            for label, command in commands(baseline).items():
                started = time.perf_counter()
                subprocess.run(
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                    check=True,
                )
                timings[label].append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--plugins", type=int, default=45)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--baseline", metavar="PYTHON", help="also time the fastrtc-plugins of this interpreter"
    )
    args = parser.parse_args()
    timings = run(args.rounds, args.plugins, args.baseline)
    fastrtc = statistics.median(timings["python -c 'import fastrtc'"])
    bare = statistics.median(timings[BARE])
    rows = []
    for label, values in timings.items():
        median = statistics.median(values)
        rows.append(
            {
                "command": label,
                "median_s": round(median, 4),
                "ratio_to_bare_typer": round(median / bare, 3),
                "ratio_to_import_fastrtc": round(median / fastrtc, 3),
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
                    "plugins": args.plugins,
                    "rows": rows,
                },
                indent=2,
            )
        )
        return
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{args.rounds} interleaved rounds, {args.plugins} extra plugins installed"
    )
    print(f"{'command':32} {'median':>9} {'vs bare typer':>14} {'vs import fastrtc':>18}")
    for row in rows:
        print(
            f"{row['command']:32} {row['median_s']:8.3f}s {row['ratio_to_bare_typer']:13.2f}x"
            f" {row['ratio_to_import_fastrtc']:17.1%}"
        )


if __name__ == "__main__":
    main()
