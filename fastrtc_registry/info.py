"""``info``: everything known about one plugin or package, from the catalog, the index and here.

A small query over :func:`fastrtc_registry.search_rows.plugin_rows`: the candidate
packages' index pages are read directly (the whole index is scanned only
when nothing points at a package), and plugins installed in this
environment are found even when neither the catalog nor the index knows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._text import clean_text, mask_secrets, mask_url
from .errors import (
    AmbiguousPluginError,
    IndexAccessError,
    IndexUnreachableError,
    PluginNotFoundError,
)
from .index.config import is_offline
from .index.facts import ProjectFacts
from .index.scan import ProgressCallback, cached_projects, fetch_projects
from .names import CanonicalName, canonicalize, close_names, did_you_mean, split_qualified
from .packages import fastrtc_host, is_project_name
from .search import SearchReport, load_catalog_for, locate_index, search
from .search_rows import SearchResult, installed_versions, plugin_rows

if TYPE_CHECKING:
    from .catalog import Catalog, CatalogEntry

__all__ = ["InfoReport", "package_info"]


@dataclass(frozen=True, slots=True)
class InfoReport:
    """Everything known about one package and the plugins it provides (``info``)."""

    package: str
    plugins: tuple[SearchResult, ...]
    facts: ProjectFacts | None
    entries: tuple[CatalogEntry, ...]
    report: SearchReport

    @property
    def described_entries(self) -> tuple[CatalogEntry, ...]:
        """The catalog entries of the plugins shown (all of the package's when none matches).

        A package with many plugins (this one's built-ins) has one description and
        repository per plugin; ``info webrtc`` shows webrtc's, not the first one listed.
        """
        shown = {(p.kind, p.name) for p in self.plugins}
        return tuple(e for e in self.entries if (e.kind, e.name) in shown) or self.entries

    def as_dict(self) -> dict[str, Any]:
        """The ``info --json`` object; keys are only ever added."""
        facts, first = self.facts, self.plugins[0]
        entries = self.described_entries
        description = next((e.description for e in entries if e.description), "")
        links = (
            {clean_text(k, 40): clean_text(v, 300) for k, v in facts.project_urls} if facts else {}
        )
        for entry in entries:
            links.update(
                {k: v for k, v in (("Repository", entry.repository), ("Demo", entry.demo)) if v}
            )
        return {
            "package": self.package,
            "version": first.version,
            "versions": list(facts.versions) if facts else [],
            "summary": first.summary,
            "description": clean_text(description, 2000),
            "requires_python": first.requires_python,
            "requires": [clean_text(r, 200) for r in facts.requires_dist] if facts else [],
            "entry_points": [
                {
                    "group": clean_text(e.group, 100),
                    "name": clean_text(e.name, 100),
                    "value": clean_text(e.value, 200),
                }
                for e in (facts.entry_points if facts else ())
            ],
            "project_urls": links,
            "wheel": clean_text(facts.wheel, 200) if facts and facts.wheel else None,
            "installed": first.installed,
            "installed_version": first.installed_version,
            "compatible": first.compatible,
            "reasons": list(first.reasons),
            "install": first.install,
            "error": first.error,
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
    deadline: float | None = None,
) -> InfoReport:
    """Everything known about the plugin or package ``name`` (``package:name`` picks one)."""
    from .discovery import installed_plugins

    offline = is_offline() if offline is None else offline
    catalog = load_catalog_for(catalog, offline=offline)
    package, plugin = split_qualified(name)
    shown = clean_text(name, 60)
    notes: list[str] = []
    location, unusable = locate_index(index_url, offline=offline)
    if unusable is not None:
        if not offline:  # offline, the index does not matter
            notes.append(unusable)
        offline = True
    everything = installed_plugins(catalog=catalog)
    local = [
        r
        for r in everything
        if ((package is None or canonicalize(r.package) == package) and r.name == plugin)
        or canonicalize(r.package) == plugin
    ]
    known = cached_projects(location.url, cache_root) if location is not None else []
    candidates = {
        c for c in _candidates(package, plugin, catalog, known, local) if is_project_name(c)
    }
    facts: list[ProjectFacts] = [f for f in known if f.canonical in candidates]
    failure = "offline: the index was not contacted" if offline else None
    if not offline and location is not None:
        try:
            facts = fetch_projects(
                location.url,
                sorted(candidates),
                refresh=refresh,
                cache_root=cache_root,
                deadline=deadline,
            )
        except IndexAccessError as exc:
            failure = f"cannot read {mask_url(location.url)}: {mask_secrets(str(exc))}"
    url = mask_url(location.url) if location is not None else None
    warnings = (f"{failure}; showing the catalog and the cache",) if failure and not offline else ()
    # Exit 3's case, as for search: the index was asked and failed, and nothing of it is cached.
    unreachable = failure is not None and not offline and not facts
    report = SearchReport(
        (),
        url,
        stale=failure is not None,
        warnings=warnings,
        notes=tuple(notes),
        unreachable=unreachable,
        offline=offline,
    )
    explicit = location.url if location is not None and location.explicit else None
    rows = [
        r
        for r in plugin_rows(
            facts,
            catalog,
            installed=installed_versions(),
            index_url=explicit,
            local=local,
            host=fastrtc_host(),
        )
        if _wanted(r, package, plugin)
    ]
    if not rows and not package and failure is None and location is not None:
        full = search(
            None,
            include_all=True,
            offline=offline,
            refresh=refresh,
            index_url=index_url,
            catalog=catalog,
            progress=progress,
            cache_root=cache_root,
            deadline=deadline,
        )
        report = full
        rows = [r for r in full.results if _wanted(r, None, plugin)]
        wanted = {canonicalize(r.package) for r in rows}
        facts = fetch_projects(location.url, wanted, cache_root=cache_root) if rows else []
    if not rows and failure is not None and not offline:
        raise IndexUnreachableError(f"{failure}; the catalog and the cache know no {shown!r}")
    if not rows:
        names = {e.name for e in catalog.entries} | {
            canonicalize(e.package) for e in catalog.entries
        }
        names |= {r.name for r in everything} | {canonicalize(r.package) for r in everything}
        close = close_names(plugin, names)
        question = did_you_mean(close)
        hint = f" {question[:1].upper()}{question[1:]}" if close else ""
        where = " or the cache (offline)" if offline else f" or on {url}"
        raise PluginNotFoundError(
            f"no plugin or package named {shown!r} installed, in the catalog{where}.{hint} "
            "Try 'fastrtc-plugins search'.",
            name=name,
            suggestions=close,
        )
    # A project that declares no plugin is not a candidate for a plugin's name: `info patient`
    # is the plugin `patient`, not a same-named project on the index with no entry points.
    if len({canonicalize(r.package) for r in rows}) > 1:
        rows = [r for r in rows if r.kind is not None] or rows
    packages = sorted({canonicalize(r.package) for r in rows})
    if len(packages) > 1:
        raise AmbiguousPluginError(
            f"{shown!r} is provided by {', '.join(packages)}; ask for one as "
            f"'{packages[0]}:{clean_text(plugin, 60)}'.",
            name=name,
            packages=packages,
        )
    chosen = next((f for f in facts if f.canonical == packages[0]), None)
    return InfoReport(
        rows[0].package, tuple(rows), chosen, tuple(catalog.for_package(packages[0])), report
    )


def _candidates(
    package: CanonicalName | None,
    plugin: CanonicalName,
    catalog: Catalog,
    known: list[ProjectFacts],
    local: list[Any],
) -> set[str]:
    if package:
        return {package}
    return (
        {canonicalize(e.package) for e in catalog.find(plugin)}
        | {plugin}
        | {
            f.canonical
            for f in known
            if any(canonicalize(e.name) == plugin for e in f.entry_points)
        }
        | {canonicalize(r.package) for r in local}
    )


def _wanted(row: SearchResult, package: CanonicalName | None, plugin: CanonicalName) -> bool:
    if package is not None:
        return canonicalize(row.package) == package and (row.name == plugin or plugin == package)
    return row.name == plugin or canonicalize(row.package) == plugin
