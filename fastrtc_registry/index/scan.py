"""Scan a package index for FastRTC plugin candidates and read their facts.

:func:`scan_index` is the entry point for anything that needs "every
``fastrtc-*`` project on this index, with what its newest release declares"
(``search``, ``registry update``); :func:`fetch_projects` reads named
projects without scanning the root page (``info``). Neither installs, builds
or imports anything: facts come from index pages, PEP 658 metadata files and
byte ranges of wheels.

Trust: a project's name is the one the index lists (PEP 508 names only); a
defect in one project's page, metadata or wheel, or a failure to fetch it,
gives that project a :class:`ProjectFacts` with ``error`` set, never an
exception and never a silent gap. Defects are cached with the page they
came from; failures to fetch are not cached, so the next run asks again.
Candidate pages are read while the root page is still streaming in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .._text import clean_text, mask_secrets, mask_url
from ..errors import IndexAccessError
from ..names import CanonicalName, canonicalize
from .cache import CachedDoc, IndexCache
from .facts import ProjectFacts
from .project import cached_facts, read_project
from .simple import ACCEPT, PREFIXES, PrefixScanner

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
    from the cache (``stale`` True, ``age`` seconds old, None when nothing was
    cached). ``index_url`` has its credentials masked. ``dropped`` counts
    listed names past the candidate limit, not read. ``invalid_names`` are
    listed names that fail PEP 508's pattern, escaped for display only.
    """

    index_url: str
    projects: tuple[ProjectFacts, ...]
    stale: bool = False
    age: float | None = None
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())
    invalid_names: tuple[str, ...] = field(default=())
    dropped: int = 0

    @property
    def unchecked(self) -> tuple[ProjectFacts, ...]:
        """Projects that could not be checked (each with its one-line ``error``)."""
        return tuple(p for p in self.projects if p.error is not None)


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
    deadline: float | None = None,
) -> IndexScan:
    """Find every ``fastrtc-*``/``fastrtc_*`` project (and ``extra_names``); read their facts.

    The root page is scanned as it streams in; only matching names are kept
    and cached (with the index's ETag). A root scan younger than ``max_age``
    is reused unless ``refresh``. Each candidate's page is fetched as soon
    as the root scan finds it; its facts are re-read only when the page
    changed. When the index fails, or ``offline``, the cached facts are
    returned with ``stale=True`` and ``error`` saying why. ``deadline`` bounds
    the whole scan (seconds; default FASTRTC_PLUGINS_DEADLINE or 120).
    Never raises for index failures.
    """
    extra = tuple(sorted({canonicalize(n) for n in extra_names}))
    cache = IndexCache(index_url, cache_root)
    if not (offline or refresh):
        fresh = _fresh_from_cache(index_url, cache, sorted(prefixes) + list(extra), max_age)
        if fresh is not None:
            return fresh
    import asyncio

    return asyncio.run(
        _scan(
            index_url,
            extra,
            tuple(prefixes),
            offline,
            refresh,
            max_age,
            cache,
            progress,
            _client(client, deadline),
        )
    )


def _fresh_from_cache(
    index_url: str, cache: IndexCache, patterns: list[str], max_age: float
) -> IndexScan | None:
    """The answer from a fresh root scan with every candidate cached, or None."""
    root = cache.load_root()
    if root is None or root.data.get("patterns") != patterns or root.age >= max_age:
        return None
    known = [
        cached_facts(doc) if (doc := cache.load_project(c)) else None for c in _root_names(root)
    ]
    if any(f is None for f in known):
        return None
    return IndexScan(
        mask_url(index_url),
        tuple(f for f in known if f is not None),
        invalid_names=_invalid(root),
        dropped=_dropped(root),
    )


def fetch_projects(
    index_url: str,
    names: Iterable[str],
    *,
    refresh: bool = False,
    cache_root: Path | None = None,
    client: IndexClient | None = None,
    deadline: float | None = None,
) -> list[ProjectFacts]:
    """Facts of the named projects (those absent from the index are left out).

    Raises :class:`IndexUnreachableError` when the index cannot be reached
    and nothing is cached; any other failure is the project's ``error``.
    """
    cache = IndexCache(index_url, cache_root)

    import asyncio

    async def run() -> list[ProjectFacts]:
        async with _client(client, deadline) as http:
            found = await asyncio.gather(
                *(
                    read_project(http, index_url, canonicalize(n), n, cache, refresh, strict=True)
                    for n in dict.fromkeys(names)
                    if _listable(n)
                )
            )
        return [f for f in found if f is not None]

    return asyncio.run(run())


def cached_projects(index_url: str, cache_root: Path | None = None) -> list[ProjectFacts]:
    """Every project's facts in the cache for ``index_url`` (any age)."""
    return [
        facts
        for doc in IndexCache(index_url, cache_root).projects()
        if (facts := cached_facts(doc)) is not None
    ]


class _client:
    """Use the caller's client or open (and close) our own."""

    def __init__(self, given: IndexClient | None, deadline: float | None = None) -> None:
        self.given = given
        self.deadline = deadline
        self.own: IndexClient | None = None

    async def __aenter__(self) -> IndexClient:
        if self.given is not None:
            return self.given
        from .client import IndexClient

        self.own = IndexClient(deadline=self.deadline)
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
    client: _client,
) -> IndexScan:
    import asyncio

    root = None if refresh else cache.load_root()
    patterns = sorted(prefixes) + list(extra)
    usable = root is not None and root.data.get("patterns") == patterns
    if offline:
        return _from_cache(index_url, cache, root, "offline: the index was not contacted")
    async with client as http:
        tasks: dict[CanonicalName, asyncio.Task[ProjectFacts | None]] = {}
        done = 0
        fresh = not (usable and root is not None and root.age < max_age)

        async def one(canonical: CanonicalName, display: str) -> ProjectFacts | None:
            nonlocal done
            facts = await read_project(
                http, index_url, canonical, display, cache, refresh, strict=False, reuse=not fresh
            )
            done += 1
            if progress is not None:
                progress(ScanProgress("projects", done=done, total=len(tasks)))
            return facts

        def start(canonical: CanonicalName, display: str) -> None:
            if canonical not in tasks:
                tasks[canonical] = asyncio.ensure_future(one(canonical, display))

        invalid, dropped = _invalid(root), _dropped(root)
        if not fresh and root is not None:
            names = _root_names(root)
        else:
            try:
                names, invalid, dropped = await _scan_root(
                    http,
                    index_url,
                    prefixes,
                    extra,
                    cache,
                    patterns,
                    root if usable else None,
                    progress,
                    start,
                )
            except (IndexAccessError, OSError) as exc:
                for task in tasks.values():
                    task.cancel()
                await asyncio.gather(*tasks.values(), return_exceptions=True)
                shown = mask_url(index_url)
                # The client's errors already start with the URL: say it once.
                reason = mask_secrets(str(exc)).removeprefix(f"{shown}: ")
                return _from_cache(index_url, cache, root, f"cannot read {shown}: {reason}")
        for canonical, display in sorted(names.items()):
            start(canonical, display)
        found = await asyncio.gather(*tasks.values())
    projects = tuple(sorted((f for f in found if f is not None), key=lambda f: f.canonical))
    return IndexScan(mask_url(index_url), projects, invalid_names=invalid, dropped=dropped)


def _listable(name: str) -> bool:
    from ..packages import is_project_name

    return is_project_name(name)


def _root_names(doc: CachedDoc) -> dict[CanonicalName, str]:
    names = doc.data.get("names")
    if not isinstance(names, dict):
        return {}
    return {canonicalize(str(v)): str(v) for v in names.values() if _listable(str(v))}


def _invalid(doc: CachedDoc | None) -> tuple[str, ...]:
    invalid = doc.data.get("invalid") if doc is not None else None
    return tuple(clean_text(v, 80) for v in invalid) if isinstance(invalid, list) else ()


def _dropped(doc: CachedDoc | None) -> int:
    dropped = doc.data.get("dropped") if doc is not None else None
    return dropped if isinstance(dropped, int) and 0 <= dropped < 1 << 40 else 0


def _from_cache(
    index_url: str, cache: IndexCache, root: CachedDoc | None, reason: str
) -> IndexScan:
    docs = cache.projects()
    facts = [f for d in docs if (f := cached_facts(d)) is not None]
    ages = [d.age for d in docs] + ([root.age] if root is not None else [])
    return IndexScan(
        mask_url(index_url),
        tuple(facts),
        stale=True,
        age=max(ages) if ages else None,
        error=reason,
        invalid_names=_invalid(root),
        dropped=_dropped(root),
    )


async def _scan_root(
    http: IndexClient,
    index_url: str,
    prefixes: tuple[str, ...],
    extra: tuple[str, ...],
    cache: IndexCache,
    patterns: list[str],
    previous: CachedDoc | None,
    progress: ProgressCallback | None,
    on_found: Callable[[CanonicalName, str], None] | None = None,
) -> tuple[dict[CanonicalName, str], tuple[str, ...], int]:
    """Stream the root page; call ``on_found`` for each candidate as soon as it appears."""
    import httpx

    from .client import LIMITS

    headers = {"Accept": ACCEPT}
    if previous is not None and previous.key:
        headers["If-None-Match"] = previous.key
    scanner = PrefixScanner(prefixes, extra)
    try:
        async with http.stream("GET", index_url, headers, until=http.until(True)) as response:
            if response.status_code == 304 and previous is not None:
                cache.save_root(previous.data, previous.key)
                return _root_names(previous), _invalid(previous), _dropped(previous)
            content_type = response.headers.get("Content-Type")
            scanner = PrefixScanner(prefixes, extra, content_type)
            reported = 0
            if progress is not None:  # the index answered: the body is on its way
                progress(ScanProgress("root", bytes=0, found=0))
            async for chunk in http.body(response, limit=LIMITS["root"], what="root page"):
                scanner.feed(chunk)
                if on_found is not None:
                    for canonical, display in scanner.take_new():
                        on_found(canonical, display)
                if progress is not None and scanner.bytes_seen - reported >= 1 << 20:
                    reported = scanner.bytes_seen
                    progress(ScanProgress("root", bytes=reported, found=len(scanner.names)))
            key = response.headers.get("ETag") or response.headers.get("X-PyPI-Last-Serial")
    except httpx.HTTPError as exc:
        raise IndexAccessError(
            f"the root page was cut short or stalled after {scanner.bytes_seen} bytes "
            f"({type(exc).__name__})"
        ) from exc
    names = scanner.finish(content_type)
    invalid = tuple(scanner.invalid)
    data = {
        "patterns": patterns,
        "names": dict(sorted(names.items())),
        "invalid": list(invalid),
        "dropped": scanner.dropped,
    }
    cache.save_root(data, key)
    return names, invalid, scanner.dropped
