"""Search: the curated catalog merged with a live scan of the package index.

One row per plugin (a package declaring two plugins gives two rows), marked
installed and compatible; name matches that declare no plugin are kept apart
and shown only when asked. A project that could not be checked keeps a row
with ``declared`` None and its ``error``, and is counted in one warning line.
Offline, or when the index fails, the answer comes from the catalog and the
cache and says how old it is. Nothing is installed, built or imported.

Rows come from :func:`fastrtc_registry.search_rows.plugin_rows`, the public query
``info`` also builds on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ._text import clean_text, mask_secrets, mask_url
from .errors import IndexAccessError, IndexUnreachableError
from .index.config import IndexLocation, is_offline, resolve_index_url
from .index.scan import ProgressCallback, ProjectFacts, scan_index
from .index.simple import MAX_CANDIDATES
from .names import Kind, canonicalize
from .packages import fastrtc_host
from .search_rows import (
    SearchResult,
    installed_versions,
    plugin_rows,
)

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = [
    "SearchReport",
    "SearchResult",
    "load_catalog_for",
    "locate_index",
    "search",
]


@dataclass(frozen=True, slots=True)
class SearchReport:
    """Search results and how fresh they are.

    ``warnings`` are problems; ``notes`` are normal states worth saying (an
    offline answer). ``unchecked`` lists ``name (reason)`` for every project
    that could not be checked. ``index_url`` has its credentials masked.
    ``unreachable``: the index was asked and failed, and nothing of it is
    cached (the CLI's exit 3); ``offline``: the index was not asked.
    """

    results: tuple[SearchResult, ...]
    index_url: str | None
    stale: bool = False
    age: float | None = None
    warnings: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    unchecked: tuple[str, ...] = field(default=())
    unreachable: bool = False
    offline: bool = False

    def no_match(self, query: str | None) -> str:
        """Why there is no row, and what to do: for an empty answer (a lookup error)."""
        what = f"matches {query!r}" if query else "has a plugin of that kind"
        where = (
            "the catalog or the cache (offline)"
            if self.offline
            else "the catalog or the cache (the index could not be read)"
            if self.stale
            else "the catalog or the index"
        )
        advice = (
            "Run without --offline to read the index, or try --all."
            if self.offline
            else "Try --all to see every fastrtc-* project."
        )
        return clean_text(f"nothing in {where} {what}. {advice}", 400)

    @property
    def unchecked_line(self) -> str | None:
        """One line counting the projects that could not be checked, or None."""
        if not self.unchecked:
            return None
        count = len(self.unchecked)
        what = "project" if count == 1 else "projects"
        shown = "; ".join(self.unchecked[:3]) + ("; ..." if count > 3 else "")
        return clean_text(f"{count} {what} could not be checked: {shown}", 400)


def load_catalog_for(catalog: Catalog | None, *, offline: bool) -> Catalog:
    """``catalog``, else the configured one (never waiting on the network when offline)."""
    if catalog is not None:
        return catalog
    from .catalog import load_catalog

    return load_catalog(network=not offline)


def locate_index(
    index_url: str | None, *, offline: bool
) -> tuple[IndexLocation | None, str | None]:
    """The index to read, or None and why none can be.

    A bad ``--index-url`` raises :class:`IndexAccessError` unless offline; a
    bad configuration only leaves the catalog (and the cache) to answer.
    """
    try:
        return resolve_index_url(index_url), None
    except IndexAccessError as exc:
        if not offline and index_url:
            raise
        return None, str(exc)


def search(
    query: str | None = None,
    *,
    kind: Kind | None = None,
    include_all: bool = False,
    offline: bool | None = None,
    refresh: bool = False,
    index_url: str | None = None,
    catalog: Catalog | None = None,
    progress: ProgressCallback | None = None,
    cache_root: Path | None = None,
    installed: Mapping[str, str] | None = None,
    deadline: float | None = None,
) -> SearchReport:
    """Plugins matching ``query`` from the catalog and the index, best matches first.

    ``include_all`` adds index projects that match by name but declare no
    plugin (``kind`` None); projects that could not be checked are always
    kept. Raises :class:`IndexUnreachableError` when the index was asked and
    failed, nothing of it is cached and the catalog has no match; offline, no
    match is an empty answer. ``unreachable`` on the report marks the first
    case when the catalog did answer.
    """
    offline = is_offline() if offline is None else offline
    catalog = load_catalog_for(catalog, offline=offline)
    warnings, notes = list(catalog.warnings), list[str]()
    location, unusable = locate_index(index_url, offline=offline)
    if unusable is not None and not offline:  # offline, the index does not matter
        warnings.append(f"{unusable}; results come from the catalog only")
    projects: tuple[ProjectFacts, ...] = ()
    error, age, stale, unchecked = None, None, location is None, []
    if location is not None:
        extra = [e.package for e in catalog.entries if not e.builtin]
        scan = scan_index(
            location.url,
            extra_names=extra,
            offline=offline,
            refresh=refresh,
            cache_root=cache_root,
            progress=progress,
            deadline=deadline,
        )
        projects, error, age, stale = scan.projects, scan.error, scan.age, scan.error is not None
        unchecked = [f"{p.name} ({p.error})" for p in scan.unchecked]
        unchecked += [f"{n!r} (not a valid project name)" for n in scan.invalid_names]
        if scan.dropped:
            warnings.append(
                f"the index lists {scan.dropped} more matching names than the "
                f"{MAX_CANDIDATES} read; they were not checked"
            )
    host = fastrtc_host() if installed is None else None  # given versions: fastrtc's there
    installed = installed_versions() if installed is None else installed
    explicit = location.url if location is not None and location.explicit else None
    rows = plugin_rows(projects, catalog, installed=installed, index_url=explicit, host=host)
    rows = [
        r
        for r in rows
        # Unchecked projects stay visible (they may be plugins) unless a kind is
        # asked for; the warning line counts them either way.
        if (kind is None or r.kind == kind)
        and (include_all or r.kind is not None or r.error is not None)
    ]
    ranked = _rank(rows, query)
    # Exit 3's case: the index was asked and failed, and no cache of it stands in.
    unreachable = error is not None and not offline and age is None
    if error is not None:
        cached = "no cache" if age is None else f"a cache {_ago(age)} old"
        if not ranked and unreachable:
            what = f"matches {query!r}" if query else "has any plugin"
            raise IndexUnreachableError(
                f"{error}; neither the catalog nor the cache {what}. "
                "Try again later or use --index-url."
            )
        if offline:
            notes.append(f"offline: results come from the catalog and {cached}")
        else:
            warnings.append(f"{error}; results are stale (from the catalog and {cached})")
    return SearchReport(
        tuple(ranked),
        mask_url(location.url) if location is not None else None,
        stale=stale,
        age=age,
        warnings=tuple(clean_text(mask_secrets(w), 400) for w in warnings),
        notes=tuple(clean_text(mask_secrets(n), 400) for n in notes),
        unchecked=tuple(clean_text(u, 200) for u in unchecked),
        unreachable=unreachable,
        offline=offline,
    )


def _rank(rows: list[SearchResult], query: str | None) -> list[SearchResult]:
    q = canonicalize(query) if query else ""

    def score(row: SearchResult) -> int | None:
        if not query:
            return 0
        name, package = row.name, canonicalize(row.package)
        if q in (name, package):
            return 0
        if name.startswith(q) or package.startswith(q) or package.startswith(f"fastrtc-{q}"):
            return 1
        if q in name or q in package:
            return 2
        if query.lower() in row.summary.lower():
            return 3
        return None

    scored = [(s, r) for r in rows if (s := score(r)) is not None]
    scored.sort(
        key=lambda p: (
            p[0],
            p[1].kind is None,
            p[1].kind or "",
            p[1].name,
            canonicalize(p[1].package),
        )
    )
    return [r for _, r in scored]


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
