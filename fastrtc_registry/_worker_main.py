"""The worker process: ``python -m fastrtc_registry._worker_main R W``.

The loop, its limits and the observations are
:mod:`fastrtc_registry.validation.child`; this entry point adds the requests
of the layers above it, so that the validation layer never imports them.
"""

from __future__ import annotations

from typing import Any

from .validation.child import Handler, main
from .validation.protocol import BenchReply, BenchRequest, ReplayReply, ReplayRequest, Reply

__all__ = ["HANDLERS"]


def _bench(request: BenchRequest, state: dict[str, Any]) -> Reply:
    from .bench import bench_action  # numpy and the corpus: only for a bench

    return BenchReply(bench_action({"name": request.name}))


def _replay(request: ReplayRequest, state: dict[str, Any]) -> Reply:
    from .replay import replay_action

    return ReplayReply(replay_action({"path": request.path, "pairs": request.pairs}))


HANDLERS: dict[str, Handler] = {"bench": _bench, "replay": _replay}

if __name__ == "__main__":
    main(handlers=HANDLERS)
