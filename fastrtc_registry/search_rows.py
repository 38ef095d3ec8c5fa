"""Rows: one per plugin, from index facts, the catalog and this environment.

The public query both ``search`` and ``info`` build on: :func:`plugin_rows`
merges what the index read (:class:`~fastrtc_registry.index.ProjectFacts`),
the catalog's entries and, when given, plugins installed here, marks each row
installed and compatible, and gives the install command. Text in a row is
free of control characters; only PEP 508 project names make a row.
"""

from __future__ import annotations

import functools
import platform
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ._text import clean_text, confusable
from .errors import PackageMetadataError
from .names import Kind, canonicalize
from .packages import (
    fastrtc_requirement,
    host_provides,
    install_command,
    is_fork,
    is_project_name,
    python_allowed,
)

if TYPE_CHECKING:
    from .catalog import Catalog, CatalogEntry, ValidationRecord
    from .discovery import PluginRecord
    from .index.facts import ProjectFacts
    from .packages import PackageMetadata

__all__ = [
    "SearchResult",
    "SourceName",
    "check_compatibility",
    "installed_versions",
    "plugin_rows",
]

SourceName = Literal["catalog", "index", "installed"]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One plugin (or, with ``kind`` None, one project that only matches by name).

    ``declared`` is None and ``error`` set when the project could not be
    checked. Text fields are free of control characters.
    """

    name: str
    kind: Kind | None
    package: str
    version: str | None
    summary: str
    sources: tuple[SourceName, ...]
    declared: bool | None
    installed: bool
    compatible: bool | None
    requires_python: str | None
    validation: ValidationRecord | None
    install: str
    object: str | None = None
    installed_version: str | None = None
    reasons: tuple[str, ...] = ()
    error: str | None = None

    @property
    def confusable(self) -> bool:
        """The name mixes scripts (a Cyrillic ``ѕ`` in ``ѕilero``): treat with suspicion."""
        return confusable(self.name)

    @property
    def suggestable(self) -> bool:
        """Worth an ``Install with`` line: a checked, installable plugin not installed yet."""
        return (
            self.kind is not None
            and not self.installed
            and self.compatible is not False
            and self.error is None
            and bool(self.install)
            and not self.confusable
        )

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
            "error": self.error,
            "confusable": self.confusable,
        }


def check_compatibility(
    requires_python: str | None,
    requires_dist: Iterable[str],
    *,
    python: str | None = None,
    fastrtc: str | None = None,
    host: PackageMetadata | None = None,
) -> tuple[bool | None, tuple[str, ...]]:
    """Whether a release can run here: its Requires-Python and its fastrtc requirement.

    Returns (verdict, reasons). The verdict is None when nothing could be
    checked (no Requires-Python, no fastrtc requirement or fastrtc not
    installed). The fastrtc requirement is :func:`~fastrtc_registry.packages.fastrtc_requirement`'s
    (the same rule PKG003 applies). ``host`` is the distribution providing
    fastrtc (a fork too, judged by :func:`~fastrtc_registry.packages.host_provides`);
    without it, ``fastrtc`` is the installed fastrtc's version. Never raises.
    """
    python = python or platform.python_version()
    reasons: list[str] = []
    checked, ok = False, True
    if requires_python:
        allowed = python_allowed(requires_python, python)
        if allowed is None:
            reasons.append(f"unreadable Requires-Python {clean_text(requires_python, 40)!r}")
        else:
            checked = True
            if not allowed:
                ok = False
                reasons.append(f"needs Python {requires_python}, this is {python}")
    if host is not None and not is_fork(host):
        fastrtc, host = host.version, None  # fastrtc itself: its version, as before
    try:
        requirement = fastrtc_requirement(requires_dist, host=host.name if host else None)
    except PackageMetadataError as exc:
        return None, (*reasons, str(exc))
    if requirement is not None and host is not None:
        checked = True
        fits, note = host_provides(host, requirement)
        if not fits:
            ok = False
            note = (
                f"needs {requirement.name}{requirement.specifier}, "
                f"{host.name} {host.version} provides fastrtc here"
            )
        reasons += [note] if note else []
    elif requirement is not None:
        if fastrtc is None:
            reasons.append(f"needs fastrtc{requirement.specifier}; fastrtc is not installed")
        else:
            checked = True
            try:
                fits = requirement.specifier.contains(fastrtc, prereleases=True)
            except ValueError:
                fits = True
            if not fits:
                ok = False
                reasons.append(
                    f"needs fastrtc{requirement.specifier}, fastrtc {fastrtc} is installed"
                )
    return (ok if checked else None), tuple(reasons)


@functools.lru_cache(maxsize=256)
def _installed_requires_python(package: str) -> str | None:
    """The installed distribution's Requires-Python (one METADATA read per package), cleaned."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        value = metadata(package)["Requires-Python"]
    except (PackageNotFoundError, ValueError):
        return None
    return clean_text(value, 100) or None if value else None


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


def installed_versions() -> Mapping[str, str]:
    """Installed distributions' versions by canonical name (read lazily)."""
    return _Installed()


def plugin_rows(
    projects: Iterable[ProjectFacts],
    catalog: Catalog,
    *,
    installed: Mapping[str, str],
    index_url: str | None = None,
    local: Iterable[PluginRecord] = (),
    host: PackageMetadata | None = None,
) -> list[SearchResult]:
    """One row per plugin known to the index facts, the catalog or (``local``) this environment.

    ``index_url`` is named in install commands (an index chosen for this tool).
    ``host`` provides fastrtc here (:func:`~fastrtc_registry.packages.fastrtc_host`);
    without it, fastrtc's version is read from ``installed``.
    """
    projects = list(projects)
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
        record: PluginRecord | None = None,
    ) -> None:
        name = clean_text(name, 200)
        key = (canonicalize(package), kind, name)
        if key in seen or catalog.is_removed(package) or not is_project_name(package):
            return
        seen.add(key)
        builtin = entry is not None and entry.builtin
        here = builtin or canonicalize(package) in installed
        requires_python = (
            (facts.requires_python if facts else None)
            or (entry.requires_python if entry else None)
            or (_installed_requires_python(package) if here else None)
        )
        here_version = installed.get(canonicalize(package))
        verdict, reasons = check_compatibility(
            requires_python, facts.requires_dist if facts else (), fastrtc=fastrtc, host=host
        )
        if here and (facts is None or facts.version in (None, here_version)):
            verdict, reasons = True, ()  # installed, so it installs here
        sources: list[SourceName] = []
        for source, thing in (("catalog", entry), ("index", facts), ("installed", record)):
            if thing is not None:
                sources.append(source)  # type: ignore[arg-type]
        error = facts.error if facts is not None else None
        declared: bool | None = None if error is not None else False
        if facts is not None and error is None:
            declared = any(
                canonicalize(e.name) == name and e.kind == kind
                for e in facts.entry_points
                if e.kind is not None
            )
        elif record is not None:
            declared = record.source == "entry-point"
        summary = (entry.summary if entry and entry.summary else "") or (
            facts.summary if facts else ""
        )
        rows.append(
            SearchResult(
                name=name,
                kind=kind,
                package=package,
                version=(facts.version if facts else None) or (record.version if record else None),
                summary=clean_text(summary, 500),
                sources=tuple(sources),
                declared=declared,
                installed=here,
                compatible=verdict,
                requires_python=requires_python,
                validation=entry.validation if entry else None,
                install=install_command(
                    package,
                    index_url if facts is not None else None,
                    extra=entry.extra if entry else None,
                ),
                object=clean_text(obj, 200) if obj else None,
                installed_version=here_version,
                reasons=tuple(clean_text(r, 200) for r in reasons),
                error=error,
            )
        )

    for facts in projects:
        entries = catalog.for_package(facts.canonical)
        declared = [ep for ep in facts.entry_points if ep.kind is not None]
        for ep in declared:
            name = canonicalize(ep.name)
            entry = next((e for e in entries if e.kind == ep.kind and e.name == name), None)
            add(facts, entry, name, ep.kind, ep.value, facts.name)
        for entry in entries:
            add(facts, entry, entry.name, entry.kind, entry.object, facts.name)
        if not declared and not entries:
            add(facts, None, facts.canonical, None, None, facts.name)
    for entry in catalog.entries:
        known = by_package.get(canonicalize(entry.package))
        package = known.name if known else entry.package
        add(known, entry, entry.name, entry.kind, entry.object, package)
    for record in local:
        known = by_package.get(canonicalize(record.package))
        entry = next((e for e in catalog.find(record.name, record.kind)), None)
        add(known, entry, record.name, record.kind, record.object, record.package, record)
    return rows
