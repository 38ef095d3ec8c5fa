"""Talking to package indexes: the simple API, wheels read by byte range, and a cache.

The one call most code needs is :func:`scan_index`: every ``fastrtc-*``
project on an index with the facts its newest release declares, read
without installing, building or importing anything::

    from fastrtc_registry.index import resolve_index_url, scan_index

    scan = scan_index(resolve_index_url().url)
    for project in scan.projects:
        print(project.name, project.version, project.declared, project.entry_points)

Modules: :mod:`.simple` and :mod:`.releases` are pure parsers (package
metadata itself is :mod:`fastrtc_registry.packages`), :mod:`.client` is the
HTTP policy (retries, concurrency, User-Agent, size caps, deadlines; also
:func:`fetch_url` for one synchronous GET), :mod:`.wheel` reads files out of
remote wheels, :mod:`.cache` keeps results on disk, :mod:`.config` finds the
index URL as pip would, :mod:`.project` reads one project and :mod:`.scan`
puts them together.
"""

from __future__ import annotations

from typing import Any

from ..packages import EntryPointSpec
from .config import IndexLocation, is_offline, resolve_index_url
from .scan import (
    ROOT_MAX_AGE,
    IndexScan,
    ProjectFacts,
    ScanProgress,
    cached_projects,
    fetch_projects,
    scan_index,
)

__all__ = [
    "ROOT_MAX_AGE",
    "EntryPointSpec",
    "FetchedBody",
    "IndexLocation",
    "IndexScan",
    "ProjectFacts",
    "ScanProgress",
    "cached_projects",
    "fetch_projects",
    "fetch_url",
    "is_offline",
    "resolve_index_url",
    "scan_index",
]


def __getattr__(name: str) -> Any:
    # The client imports asyncio: only load it for callers that fetch.
    if name in ("fetch_url", "FetchedBody"):
        from . import client

        return getattr(client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
