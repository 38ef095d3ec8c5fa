"""``info``: everything known about one plugin or package, from the catalog and the index."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog, CatalogEntry
from .errors import (
    AmbiguousPluginError,
    IndexAccessError,
    IndexUnreachableError,
    PluginNotFoundError,
)
from .index.config import is_offline, resolve_index_url
from .index.facts import ProjectFacts
from .index.scan import ProgressCallback, fetch_projects
from .names import CanonicalName, canonicalize, split_qualified
from .search import SearchReport, SearchResult, _catalog, _installed, _rows, search

__all__ = ["PackageInfo", "package_info"]


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """Everything known about one package and the plugins it provides (``info``)."""

    package: str
    plugins: tuple[SearchResult, ...]
    facts: ProjectFacts | None
    entries: tuple[CatalogEntry, ...]
    report: SearchReport

    def as_dict(self) -> dict[str, Any]:
        """The ``info --json`` object; keys are only ever added."""
        facts, first = self.facts, self.plugins[0]
        description = next((e.description for e in self.entries if e.description), "")
        links = dict(facts.project_urls) if facts else {}
        for entry in self.entries:
            links.update(
                {k: v for k, v in (("Repository", entry.repository), ("Demo", entry.demo)) if v}
            )
        return {
            "package": self.package,
            "version": first.version,
            "versions": list(facts.versions) if facts else [],
            "summary": first.summary,
            "description": description,
            "requires_python": first.requires_python,
            "requires": list(facts.requires_dist) if facts else [],
            "entry_points": [
                {"group": e.group, "name": e.name, "value": e.value}
                for e in (facts.entry_points if facts else ())
            ],
            "project_urls": links,
            "wheel": facts.wheel if facts else None,
            "installed": first.installed,
            "installed_version": first.installed_version,
            "compatible": first.compatible,
            "reasons": list(first.reasons),
            "install": first.install,
            "sources": sorted({s for p in self.plugins for s in p.sources}),
            "plugins": [p.as_dict() for p in self.plugins],
            "index_url": self.report.index_url,
            "stale": self.report.stale,
        }


def package_info(
    name: str,
    *,
    offline: bool | None = None,
    refresh: bool = False,
    index_url: str | None = None,
    catalog: Catalog | None = None,
    progress: ProgressCallback | None = None,
    cache_root: Path | None = None,
) -> PackageInfo:
    """Everything known about the plugin or package ``name`` (``package:name`` picks one).

    Reads the candidate packages' pages directly; scans the whole index only
    when neither the catalog, the cache nor the name itself points at one.
    """
    from .index.scan import cached_projects

    catalog = _catalog(catalog)
    offline = is_offline() if offline is None else offline
    location = resolve_index_url(index_url)
    package, plugin = split_qualified(name)
    known = cached_projects(location.url, cache_root)
    candidates = (
        {package}
        if package
        else (
            {canonicalize(e.package) for e in catalog.find(plugin)}
            | {plugin}
            | {
                f.canonical
                for f in known
                if any(canonicalize(e.name) == plugin for e in f.entry_points)
            }
        )
    )
    facts: list[ProjectFacts] = [f for f in known if f.canonical in candidates]
    failure = "offline: the index was not contacted" if offline else None
    if not offline:
        try:
            facts = fetch_projects(
                location.url, sorted(candidates), refresh=refresh, cache_root=cache_root
            )
        except IndexAccessError as exc:
            failure = f"cannot read {location.url}: {exc}"
    report = SearchReport(
        (),
        location.url,
        stale=failure is not None,
        warnings=(f"{failure}; showing the catalog and the cache",)
        if failure and not offline
        else (),
    )
    explicit = location.url if location.explicit else None
    rows = [r for r in _rows(facts, catalog, _installed(), explicit) if _wanted(r, package, plugin)]
    if not rows and not package and failure is None:
        full = search(
            None,
            include_all=True,
            refresh=refresh,
            index_url=index_url,
            catalog=catalog,
            progress=progress,
            cache_root=cache_root,
        )
        report = full
        rows = [r for r in full.results if _wanted(r, None, plugin)]
        facts = (
            fetch_projects(
                location.url, {canonicalize(r.package) for r in rows}, cache_root=cache_root
            )
            if rows
            else []
        )
    if not rows and failure is not None and not offline:
        raise IndexUnreachableError(f"{failure}; the catalog and the cache know no {name!r}")
    if not rows:
        names = {e.name for e in catalog.entries} | {
            canonicalize(e.package) for e in catalog.entries
        }
        close = difflib.get_close_matches(plugin, sorted(names), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise PluginNotFoundError(
            f"no plugin or package named {name!r} in the catalog"
            f"{' or the cache (offline)' if offline else ' or on ' + location.url}.{hint} "
            "Try 'fastrtc-plugins search'.",
            name=name,
            suggestions=close,
        )
    packages = sorted({canonicalize(r.package) for r in rows})
    if len(packages) > 1:
        raise AmbiguousPluginError(
            f"{name!r} is provided by {', '.join(packages)}; ask for one as "
            f"'{packages[0]}:{plugin}'.",
            name=name,
            packages=packages,
        )
    chosen = next((f for f in facts if f.canonical == packages[0]), None)
    return PackageInfo(
        rows[0].package, tuple(rows), chosen, tuple(catalog.for_package(packages[0])), report
    )


def _wanted(row: SearchResult, package: CanonicalName | None, plugin: CanonicalName) -> bool:
    if package is not None:
        return canonicalize(row.package) == package and (row.name == plugin or plugin == package)
    return row.name == plugin or canonicalize(row.package) == plugin
