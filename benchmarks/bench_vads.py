"""The figures in docs/bench.md: one ``fastrtc-plugins bench`` over what this package ships.

Runs the bench on every VAD back-end (installed with the ``vads`` extra) and
every offline turn-taking algorithm (``pause``, ``smart-turn``) in this
interpreter. Prints the command, the machine and two Markdown tables (the
figures; F1 or false speech per condition); with ``--plot`` also writes the
chart. Nothing here reaches the network.

    python benchmarks/bench_vads.py [--plot docs/img/bench.svg] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every back-end and algorithm this package ships that runs offline (silero and
# stopwords download their models).
NAMES = ("webrtc", "pysilero", "silero-lite", "earshot", "ten", "pause", "smart-turn")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: list[dict[str, object]]) -> str:
    """The ranked results as a Markdown table: the VAD and the turn-taking figures."""
    lines = [
        "| # | plugin | F1 | humming FS | noise FS | ms / chunk | false cutoffs "
        "| end of turn p50 / p95 ms | missed | ms @ 5% cutoffs | cutoffs @ 500 ms |",
        "| ---: | --- |" + " ---: |" * 9,
    ]
    for place, row in enumerate(rows, 1):
        get = row.get
        if get("error"):
            lines.append(f"| {place} | {get('name')} | {get('error')} |" + " |" * 8)
            continue
        turn = f"{_num(get('end_of_turn_p50_ms'), 0)} / {_num(get('end_of_turn_p95_ms'), 0)}"
        kind = "" if get("kind") == "vad" else " (turn-taking)"
        lines.append(
            f"| {place} | {get('name')}{kind} | {_num(get('f1'))} "
            f"| {_pct(get('humming_false_speech'))} | {_pct(get('noise_false_speech'))} "
            f"| {_num(get('p50_ms'), 2)} | {_pct(get('false_cutoffs'))} | {turn} "
            f"| {get('missed_turns')} / {get('turn_ends')} | {_num(get('latency_at_5pct_ms'), 0)} "
            f"| {_pct(get('false_cutoffs_at_500ms'))} |"
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
    command = ["fastrtc-plugins", "bench", *NAMES, "--json"]
    if args.plot:
        command += ["--plot", str(args.plot.resolve())]
    done = subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *command[1:]],
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
