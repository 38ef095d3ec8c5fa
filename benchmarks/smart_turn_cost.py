"""What one smart-turn decision costs: Smart Turn v3 on the last 8 s of a turn.

Runs the model on turns of 2 to 9 s cut from fastrtc's recording (features
included, as ``SmartTurn.determine_pause`` pays them), with onnxruntime's
intra-op threads at 1 and 2, side by side:

    python benchmarks/smart_turn_cost.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from fastrtc_registry.plugins.smart_turn import SmartTurnModel, find_model
from fastrtc_registry.simulate import fastrtc_speech


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=24)
    args = parser.parse_args()
    rate, speech = fastrtc_speech()
    models = {threads: SmartTurnModel(find_model(), threads=threads) for threads in (1, 2)}
    timings: dict[int, list[float]] = {threads: [] for threads in models}
    for model in models.values():
        model.probability(speech, rate)  # warm
    for i in range(args.rounds):
        turn = speech[: rate * (2 + i % 8)]
        for threads, model in models.items():
            started = time.perf_counter()
            model.probability(turn, rate)
            timings[threads].append(time.perf_counter() - started)
    print(
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{args.rounds} decisions each, interleaved"
    )
    for threads, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"intra_op_threads={threads}: median {statistics.median(values) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms per decision"
        )


if __name__ == "__main__":
    main()
