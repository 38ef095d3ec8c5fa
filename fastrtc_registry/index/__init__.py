"""Talking to package indexes: the simple API, wheels read by byte range, and a cache.

The one call most code needs is :func:`scan_index`: every ``fastrtc-*``
project on an index with the facts its newest release declares, read
without installing, building or importing anything::

    from fastrtc_registry.index import resolve_index_url, scan_index

    scan = scan_index(resolve_index_url().url)
    for project in scan.projects:
        print(project.name, project.version, project.declared, project.entry_points)

Modules: :mod:`.simple` and :mod:`.metadata` are pure parsers, :mod:`.client`
is the HTTP policy (retries, concurrency, User-Agent), :mod:`.wheel` reads
files out of remote wheels, :mod:`.cache` keeps results on disk, :mod:`.config`
finds the index URL and :mod:`.scan` puts them together.
"""

from __future__ import annotations

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
    "IndexLocation",
    "IndexScan",
    "ProjectFacts",
    "ScanProgress",
    "cached_projects",
    "fetch_projects",
    "is_offline",
    "resolve_index_url",
    "scan_index",
]
