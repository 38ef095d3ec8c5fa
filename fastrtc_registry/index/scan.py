"""Scan a package index for FastRTC plugin candidates and read their facts.

:func:`scan_index` is the entry point for anything that needs "every
``fastrtc-*`` project on this index, with what its newest release declares"
(``search``, ``registry update``); :func:`fetch_projects` reads named
projects without scanning the root page (``info``). Neither installs, builds
or imports anything: facts come from index pages, PEP 658 metadata files and
byte ranges of wheels.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

from ..errors import IndexAccessError, IndexProtocolError
from ..names import CanonicalName, canonicalize
from .cache import CachedDoc, IndexCache
from .facts import ProjectFacts
from .metadata import (
    choose_release,
    parse_core_metadata,
    parse_entry_points,
    plugin_entry_points,
    release_versions,
)
from .simple import ACCEPT, PREFIXES, PrefixScanner, parse_project_page

if TYPE_CHECKING:
    from .client import IndexClient

__all__ = [
    "ROOT_MAX_AGE",
    "IndexScan",
    "ProjectFacts",
    "ScanProgress",
    "cached_projects",
    "fetch_projects",
    "scan_index",
]

# How long a root scan is reused before the index is asked again (the public
# index itself tells caches 10 minutes).
ROOT_MAX_AGE = 600.0
_FACTS_FORMAT = 1


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """Where a scan is: reading the root page (bytes so far) or the candidates (done/total)."""

    stage: Literal["root", "projects"]
    bytes: int = 0
    found: int = 0
    done: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class IndexScan:
    """The candidates found on an index, with how fresh the answer is.

    ``error`` is set when the index could not be read and the answer comes
    from the cache (``stale`` True, ``age`` seconds old, None when nothing was cached).
    """

    index_url: str
    projects: tuple[ProjectFacts, ...]
    stale: bool = False
    age: float | None = None
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())


ProgressCallback = Callable[[ScanProgress], None]


def scan_index(
    index_url: str,
    *,
    extra_names: Iterable[str] = (),
    prefixes: Sequence[str] = PREFIXES,
    offline: bool = False,
    refresh: bool = False,
    max_age: float = ROOT_MAX_AGE,
    cache_root: Path | None = None,
    progress: ProgressCallback | None = None,
    client: IndexClient | None = None,
) -> IndexScan:
    """Find every ``fastrtc-*``/``fastrtc_*`` project (and ``extra_names``); read their facts.

    The root page is scanned as it streams in; only matching names are kept
    and cached (with the index's ETag). A root scan younger than ``max_age``
    is reused unless ``refresh``. Each candidate's page is fetched
    concurrently; its facts are re-read only when the page changed. When the
    index fails, or ``offline``, the cached facts are returned with
    ``stale=True`` and ``error`` saying why. Never raises for index failures.
    """
    extra = tuple(sorted({canonicalize(n) for n in extra_names}))
    cache = IndexCache(index_url, cache_root)
    if not (offline or refresh):
        fresh = _fresh_from_cache(index_url, cache, sorted(prefixes) + list(extra), max_age)
        if fresh is not None:
            return fresh
    import asyncio

    return asyncio.run(
        _scan(index_url, extra, tuple(prefixes), offline, refresh, max_age, cache, progress, client)
    )


def _fresh_from_cache(
    index_url: str, cache: IndexCache, patterns: list[str], max_age: float
) -> IndexScan | None:
    """The answer from a fresh root scan with every candidate cached, or None."""
    root = cache.load_root()
    if root is None or root.data.get("patterns") != patterns or root.age >= max_age:
        return None
    known = [_facts(doc) if (doc := cache.load_project(c)) else None for c in _root_names(root)]
    if any(f is None for f in known):
        return None
    return IndexScan(index_url, tuple(f for f in known if f is not None))


def fetch_projects(
    index_url: str,
    names: Iterable[str],
    *,
    refresh: bool = False,
    cache_root: Path | None = None,
    client: IndexClient | None = None,
) -> list[ProjectFacts]:
    """Facts of the named projects (those absent from the index are left out).

    Raises :class:`IndexAccessError` when the index cannot be read.
    """
    cache = IndexCache(index_url, cache_root)

    import asyncio

    async def run() -> list[ProjectFacts]:
        async with _client(client) as http:
            found = await asyncio.gather(
                *(
                    _project(http, index_url, canonicalize(n), n, cache, refresh, strict=True)
                    for n in dict.fromkeys(names)
                )
            )
        return [f for f in found if f is not None]

    return asyncio.run(run())


def cached_projects(index_url: str, cache_root: Path | None = None) -> list[ProjectFacts]:
    """Every project's facts in the cache for ``index_url`` (any age)."""
    return [
        facts
        for doc in IndexCache(index_url, cache_root).projects()
        if (facts := _facts(doc)) is not None
    ]


class _client:
    """Use the caller's client or open (and close) our own."""

    def __init__(self, given: IndexClient | None) -> None:
        self.given = given
        self.own: IndexClient | None = None

    async def __aenter__(self) -> IndexClient:
        if self.given is not None:
            return self.given
        from .client import IndexClient

        self.own = IndexClient()
        return self.own

    async def __aexit__(self, *exc: object) -> None:
        if self.own is not None:
            await self.own.__aexit__(*exc)


async def _scan(
    index_url: str,
    extra: tuple[str, ...],
    prefixes: tuple[str, ...],
    offline: bool,
    refresh: bool,
    max_age: float,
    cache: IndexCache,
    progress: ProgressCallback | None,
    client: IndexClient | None,
) -> IndexScan:
    root = None if refresh else cache.load_root()
    patterns = sorted(prefixes) + list(extra)
    usable = root is not None and root.data.get("patterns") == patterns
    if offline:
        return _from_cache(index_url, cache, root, "offline: the index was not contacted")
    async with _client(client) as http:
        if usable and root is not None and root.age < max_age:
            names, fresh = _root_names(root), False
        else:
            try:
                names = await _scan_root(
                    http,
                    index_url,
                    prefixes,
                    extra,
                    cache,
                    patterns,
                    root if usable else None,
                    progress,
                )
            except (IndexAccessError, OSError) as exc:
                return _from_cache(index_url, cache, root, f"cannot read {index_url}: {exc}")
            fresh = True
        total, done = len(names), 0

        async def one(canonical: CanonicalName, display: str) -> ProjectFacts | None:
            nonlocal done
            facts = await _project(
                http, index_url, canonical, display, cache, refresh, strict=False, reuse=not fresh
            )
            done += 1
            if progress is not None:
                progress(ScanProgress("projects", done=done, total=total))
            return facts

        import asyncio

        found = await asyncio.gather(*(one(c, d) for c, d in sorted(names.items())))
    projects = tuple(f for f in found if f is not None)
    warnings = tuple(f"{f.name}: {f.error}" for f in projects if f.error and f.version)
    return IndexScan(index_url, projects, warnings=warnings)


def _root_names(doc: CachedDoc) -> dict[CanonicalName, str]:
    names = doc.data.get("names")
    if not isinstance(names, dict):
        return {}
    return {canonicalize(str(k)): str(v) for k, v in names.items()}


def _from_cache(
    index_url: str, cache: IndexCache, root: CachedDoc | None, reason: str
) -> IndexScan:
    docs = cache.projects()
    facts = [f for d in docs if (f := _facts(d)) is not None]
    ages = [d.age for d in docs] + ([root.age] if root is not None else [])
    return IndexScan(
        index_url, tuple(facts), stale=True, age=max(ages) if ages else None, error=reason
    )


def _facts(doc: CachedDoc) -> ProjectFacts | None:
    if doc.data.get("facts_format") != _FACTS_FORMAT:
        return None
    try:
        return ProjectFacts.from_dict(doc.data["facts"])
    except (ValueError, KeyError):
        return None


async def _scan_root(
    http: IndexClient,
    index_url: str,
    prefixes: tuple[str, ...],
    extra: tuple[str, ...],
    cache: IndexCache,
    patterns: list[str],
    previous: CachedDoc | None,
    progress: ProgressCallback | None,
) -> dict[CanonicalName, str]:
    import httpx

    headers = {"Accept": ACCEPT}
    if previous is not None and previous.key:
        headers["If-None-Match"] = previous.key
    scanner = PrefixScanner(prefixes, extra)
    try:
        async with http.stream("GET", index_url, headers) as response:
            if response.status_code == 304 and previous is not None:
                names = _root_names(previous)
                cache.save_root(previous.data, previous.key)
                return names
            content_type = response.headers.get("Content-Type")
            scanner = PrefixScanner(prefixes, extra, content_type)
            reported = 0
            async for chunk in response.aiter_bytes():
                scanner.feed(chunk)
                if progress is not None and scanner.bytes_seen - reported >= 1 << 20:
                    reported = scanner.bytes_seen
                    progress(ScanProgress("root", bytes=reported, found=len(scanner.names)))
            key = response.headers.get("ETag") or response.headers.get("X-PyPI-Last-Serial")
    except httpx.HTTPError as exc:
        raise IndexAccessError(
            f"the root page was cut short or stalled after {scanner.bytes_seen} bytes "
            f"({type(exc).__name__})"
        ) from exc
    http.bytes_received += scanner.bytes_seen
    names = scanner.finish(content_type)
    cache.save_root({"patterns": patterns, "names": dict(sorted(names.items()))}, key)
    return names


async def _project(
    http: IndexClient,
    index_url: str,
    canonical: CanonicalName,
    display: str,
    cache: IndexCache,
    refresh: bool,
    *,
    strict: bool,
    reuse: bool = False,
) -> ProjectFacts | None:
    cached = None if refresh else cache.load_project(canonical)
    previous = _facts(cached) if cached is not None else None
    if reuse and previous is not None:
        return previous
    import httpx

    from .client import IndexHTTPError

    url = urljoin(index_url, f"{canonical}/")
    headers = {"Accept": ACCEPT}
    if (
        cached is not None
        and previous is not None
        and cached.key
        and cached.key.startswith("etag:")
    ):
        headers["If-None-Match"] = cached.key[5:]
    try:
        response = await http.get(url, headers)
        if response.status_code == 304 and cached is not None and previous is not None:
            cache.save_project(canonical, cached.data, cached.key)
            return previous
        page = parse_project_page(
            response.content, response.headers.get("Content-Type"), str(response.url), display
        )
        key = _page_key(response.headers.get("ETag"), page.serial, response.content)
        if cached is not None and previous is not None and cached.key == key:
            cache.save_project(canonical, cached.data, key)
            return previous
        facts = await _read_facts(http, canonical, display, page)
    except IndexHTTPError as exc:
        if exc.status == 404:
            return None
        if strict and previous is None:
            raise
        return _degraded(previous, canonical, display, exc)
    except (IndexAccessError, httpx.HTTPError) as exc:
        if strict and previous is None:
            if isinstance(exc, IndexAccessError):
                raise
            raise IndexAccessError(f"{url}: {type(exc).__name__}: {exc}") from exc
        return _degraded(previous, canonical, display, exc)
    cache.save_project(canonical, {"facts_format": _FACTS_FORMAT, "facts": facts.as_dict()}, key)
    return facts


def _degraded(
    previous: ProjectFacts | None, canonical: CanonicalName, display: str, exc: Exception
) -> ProjectFacts:
    if previous is not None:
        return previous
    return ProjectFacts(name=display, canonical=canonical, error=f"facts unavailable: {exc}")


def _page_key(etag: str | None, serial: int | None, body: bytes) -> str:
    if etag:
        return f"etag:{etag}"
    if serial is not None:
        return f"serial:{serial}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


_TAGS: list[str] = []


def _supported_tags() -> list[str]:
    if not _TAGS:
        from packaging.tags import sys_tags

        _TAGS.extend(str(t) for t in sys_tags())
    return _TAGS


async def _read_facts(
    http: IndexClient, canonical: CanonicalName, display: str, page: Any
) -> ProjectFacts:
    release = choose_release(page, platform.python_version(), _supported_tags())
    versions = tuple(release_versions(page))
    if release is None:
        return ProjectFacts(
            name=display,
            canonical=canonical,
            versions=versions,
            error="no installable release on the index",
        )
    base = ProjectFacts(
        name=display,
        canonical=canonical,
        version=release.version,
        versions=versions,
        requires_python=release.requires_python,
    )
    wheel = release.wheel
    if wheel is None:
        return _replace(
            base,
            error="no wheel for this release (only an sdist, which search "
            "never builds): entry points unknown",
        )
    wanted = {"entry_points.txt"}
    metadata: bytes | None = None
    source: Literal["pep658", "wheel"] = "wheel"
    if wheel.core_metadata:
        try:
            metadata = (await http.get(wheel.metadata_url)).content
            source = "pep658"
        except IndexAccessError:
            metadata = None
    if metadata is None:
        wanted.add("METADATA")
    from .wheel import read_wheel_files

    read = await read_wheel_files(http, wheel.url, wanted)
    metadata = metadata if metadata is not None else read.files.get("METADATA")
    if metadata is None:
        raise IndexProtocolError(f"{wheel.filename} has no METADATA file")
    core = parse_core_metadata(metadata)
    eps = plugin_entry_points(parse_entry_points(read.files.get("entry_points.txt", b"")))
    return ProjectFacts(
        name=core.name or display,
        canonical=canonical,
        version=release.version,
        versions=versions,
        summary=core.summary,
        requires_python=core.requires_python or release.requires_python,
        requires_dist=core.requires_dist,
        project_urls=core.project_urls,
        entry_points=eps,
        wheel=wheel.filename,
        metadata_source=source,
    )


def _replace(facts: ProjectFacts, **changes: Any) -> ProjectFacts:
    from dataclasses import replace

    return replace(facts, **changes)
