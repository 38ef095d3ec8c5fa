"""Search: the curated catalog merged with a live scan of the package index.

One row per plugin (a package declaring two plugins gives two rows), marked
installed and compatible; name matches that declare no plugin are kept apart
and shown only when asked. Offline, or when the index fails, the answer comes
from the catalog and the cache and says how old it is. Nothing is installed,
built or imported.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .catalog import Catalog, CatalogEntry, ValidationRecord
from .errors import (
    IndexUnreachableError,
)
from .index.config import is_offline, resolve_index_url
from .index.scan import ProgressCallback, ProjectFacts, scan_index
from .names import Kind, canonicalize, kind_for_group

__all__ = [
    "SearchReport",
    "SearchResult",
    "check_compatibility",
    "search",
]

SourceName = Literal["catalog", "index"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One plugin (or, with ``kind`` None, one project that only matches by name)."""

    name: str
    kind: Kind | None
    package: str
    version: str | None
    summary: str
    sources: tuple[SourceName, ...]
    declared: bool
    installed: bool
    compatible: bool | None
    requires_python: str | None
    validation: ValidationRecord | None
    install: str
    object: str | None = None
    installed_version: str | None = None
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The ``search --json`` row (docs/cli.md); keys are only ever added."""
        return {
            "name": self.name,
            "kind": self.kind,
            "package": self.package,
            "version": self.version,
            "summary": self.summary,
            "sources": list(self.sources),
            "declared": self.declared,
            "installed": self.installed,
            "compatible": self.compatible,
            "requires_python": self.requires_python,
            "validation": self.validation.as_dict() if self.validation else None,
            "install": self.install,
            "object": self.object,
            "installed_version": self.installed_version,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class SearchReport:
    """Search results and how fresh they are."""

    results: tuple[SearchResult, ...]
    index_url: str | None
    stale: bool = False
    age: float | None = None
    warnings: tuple[str, ...] = field(default=())


def check_compatibility(
    requires_python: str | None,
    requires_dist: Iterable[str],
    *,
    python: str | None = None,
    fastrtc: str | None = None,
) -> tuple[bool | None, tuple[str, ...]]:
    """Whether a release can run here: its Requires-Python and its fastrtc requirement.

    Returns (verdict, reasons). The verdict is None when nothing could be
    checked (no Requires-Python, no fastrtc requirement or fastrtc not installed).
    """
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    python = python or platform.python_version()
    reasons, checked, ok = [], False, True
    if requires_python:
        try:
            checked = True
            if not SpecifierSet(requires_python).contains(python, prereleases=True):
                ok = False
                reasons.append(f"needs Python {requires_python}, this is {python}")
        except InvalidSpecifier:
            reasons.append(f"unreadable Requires-Python {requires_python!r}")
    for raw in requires_dist:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if canonicalize(req.name) != "fastrtc":
            continue
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        if fastrtc is None:
            reasons.append(f"needs fastrtc{req.specifier}; fastrtc is not installed")
            continue
        checked = True
        if req.specifier and not req.specifier.contains(fastrtc, prereleases=True):
            ok = False
            reasons.append(f"needs fastrtc{req.specifier}, fastrtc {fastrtc} is installed")
    return (ok if checked else None), tuple(reasons)


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
) -> SearchReport:
    """Plugins matching ``query`` from the catalog and the index, best matches first.

    ``include_all`` adds index projects that match by name but declare no
    plugin (``kind`` None). Raises :class:`IndexUnreachableError` when the
    index could not be consulted and neither the cache nor the catalog has a match.
    """
    catalog = _catalog(catalog)
    offline = is_offline() if offline is None else offline
    location = resolve_index_url(index_url)
    extra = [e.package for e in catalog.entries if not e.builtin]
    scan = scan_index(
        location.url,
        extra_names=extra,
        offline=offline,
        refresh=refresh,
        cache_root=cache_root,
        progress=progress,
    )
    installed = _installed() if installed is None else installed
    explicit = location.url if location.explicit else None
    rows = _rows(scan.projects, catalog, installed, explicit)
    rows = [
        r for r in rows if (kind is None or r.kind == kind) and (include_all or r.kind is not None)
    ]
    ranked = _rank(rows, query)
    warnings = list(catalog.warnings) + list(scan.warnings)
    if scan.error is not None:
        cached = "no cache" if scan.age is None else f"a cache {_ago(scan.age)} old"
        if not ranked:
            what = f"matches {query!r}" if query else "has any plugin"
            raise IndexUnreachableError(
                f"{scan.error}; neither the catalog nor the cache {what}. "
                + ("Run without --offline." if offline else "Try again later or use --index-url.")
            )
        if offline:
            warnings.append(f"offline: results come from the catalog and {cached}")
        else:
            warnings.append(f"{scan.error}; results are stale (from the catalog and {cached})")
    return SearchReport(
        tuple(ranked),
        location.url,
        stale=scan.error is not None,
        age=scan.age,
        warnings=tuple(warnings),
    )


def _catalog(catalog: Catalog | None) -> Catalog:
    if catalog is not None:
        return catalog
    from .catalog import default_catalog

    return default_catalog()


class _Installed(Mapping[str, str]):
    """Installed versions by canonical name, each read only when asked for.

    Reading a version parses that distribution's METADATA; a search needs a
    handful of the hundreds installed.
    """

    def __init__(self) -> None:
        from .discovery import installed_distributions

        self._dists = installed_distributions()

    def __getitem__(self, name: str) -> str:
        return self._dists[canonicalize(name)].version

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonicalize(name) in self._dists

    def __iter__(self) -> Iterator[str]:
        return iter(self._dists)

    def __len__(self) -> int:
        return len(self._dists)


def _installed() -> Mapping[str, str]:
    return _Installed()


def _rows(
    projects: Iterable[ProjectFacts],
    catalog: Catalog,
    installed: Mapping[str, str],
    index_url: str | None,
) -> list[SearchResult]:
    fastrtc = installed.get("fastrtc")
    by_package = {f.canonical: f for f in projects}
    rows: list[SearchResult] = []
    seen: set[tuple[str, str | None, str]] = set()

    def add(
        facts: ProjectFacts | None,
        entry: CatalogEntry | None,
        name: str,
        kind: Kind | None,
        obj: str | None,
        package: str,
    ) -> None:
        key = (canonicalize(package), kind, name)
        if key in seen or catalog.is_removed(package):
            return
        seen.add(key)
        requires_python = (facts.requires_python if facts else None) or (
            entry.requires_python if entry else None
        )
        verdict, reasons = check_compatibility(
            requires_python, facts.requires_dist if facts else (), fastrtc=fastrtc
        )
        sources: list[SourceName] = []
        if entry is not None:
            sources.append("catalog")
        if facts is not None:
            sources.append("index")
        command = f"pip install {package}"
        if index_url and facts is not None:
            command += f" --index-url {index_url}"
        rows.append(
            SearchResult(
                name=name,
                kind=kind,
                package=package,
                version=facts.version if facts else None,
                summary=(entry.summary if entry and entry.summary else "")
                or (facts.summary if facts else ""),
                sources=tuple(sources),
                declared=facts is not None
                and any(
                    canonicalize(e.name) == name and kind_for_group(e.group) == kind
                    for e in facts.entry_points
                ),
                installed=canonicalize(package) in installed,
                compatible=verdict,
                requires_python=requires_python,
                validation=entry.validation if entry else None,
                install=command,
                object=obj,
                installed_version=installed.get(canonicalize(package)),
                reasons=reasons,
            )
        )

    for facts in projects:
        entries = catalog.for_package(facts.canonical)
        for ep in facts.entry_points:
            kind = kind_for_group(ep.group)
            name = canonicalize(ep.name)
            entry = next((e for e in entries if e.kind == kind and e.name == name), None)
            add(facts, entry, name, kind, ep.value, facts.name)
        for entry in entries:
            add(facts, entry, entry.name, entry.kind, entry.object, facts.name)
        if not facts.entry_points and not entries:
            add(facts, None, facts.canonical, None, None, facts.name)
    for entry in catalog.entries:
        known = by_package.get(canonicalize(entry.package))
        add(
            known,
            entry,
            entry.name,
            entry.kind,
            entry.object,
            known.name if known else entry.package,
        )
    return rows


def _rank(rows: list[SearchResult], query: str | None) -> list[SearchResult]:
    def score(row: SearchResult) -> int | None:
        if not query:
            return 0
        q = canonicalize(query)
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
