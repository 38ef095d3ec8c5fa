"""``fastrtc-plugins bench``: measure plugins on a labelled corpus and inside ReplyOnPause.

- :mod:`.corpus` builds the labelled audio (speech, silence, noise, humming,
  music, speech in noise, conversations) from fastrtc's recording and a seed;
- :mod:`.metrics` turns VAD spans and reply times into figures (pure);
- :mod:`.run` measures one plugin in a worker process and ranks the results;
- :mod:`.plot` draws the chart (SVG; PNG with matplotlib).

``bench_action`` is the worker's entry point for a ``bench`` request.
"""

from __future__ import annotations

from .corpus import CORPUS_VERSION
from .run import BenchResult, bench_action, bench_plugins, catalog_record, rank

__all__ = [
    "CORPUS_VERSION",
    "BenchResult",
    "bench_action",
    "bench_plugins",
    "catalog_record",
    "rank",
]
