"""Find installed plugins without importing any plugin code.

Entry points are read from each distribution's ``entry_points.txt`` through
:mod:`importlib.metadata`; nothing is imported. Installed packages that the
catalog knows but that declare no entry point are listed too (source
``catalog``), so the plugins published before the entry-point groups existed
still load by name.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any, Literal

from .catalog import Catalog
from .names import CanonicalName, Kind, canonicalize, kind_for_group

__all__ = [
    "SELF_DISTRIBUTION",
    "PluginRecord",
    "Source",
    "Status",
    "installed_distributions",
    "installed_plugins",
]

SELF_DISTRIBUTION = "fastrtc-registry"

Source = Literal["entry-point", "builtin", "catalog"]
Status = Literal["ok", "broken", "unchecked"]


@dataclass(frozen=True, slots=True)
class PluginRecord:
    """One installed plugin, as declared; its code has not been imported."""

    name: CanonicalName
    kind: Kind
    package: str
    version: str
    object: str
    source: Source
    status: Status = "unchecked"
    error: str | None = None
    conflicts: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        """``package:name``, which picks this plugin when two packages claim the name."""
        return f"{canonicalize(self.package)}:{self.name}"

    def as_dict(self) -> dict[str, Any]:
        """The ``list --json`` form (docs/cli.md); keys are only ever added."""
        return {
            "name": self.name,
            "kind": self.kind,
            "package": self.package,
            "version": self.version,
            "object": self.object,
            "source": self.source,
            "status": self.status,
            "error": self.error,
            "conflicts": list(self.conflicts),
        }


def installed_distributions(
    path: Sequence[str] | None = None,
) -> dict[CanonicalName, metadata.Distribution]:
    """Installed distributions by canonical name; the first on the path wins, as for imports."""
    found: dict[CanonicalName, metadata.Distribution] = {}
    search = list(sys.path if path is None else path)
    for dist in metadata.distributions(path=search):
        # The folder name gives the normalised name without parsing METADATA,
        # which is most of the cost of listing a large environment.
        raw_name = getattr(dist, "_normalized_name", None) or (
            dist.metadata["Name"] if dist.metadata else None
        )
        if raw_name:
            found.setdefault(canonicalize(raw_name), dist)
    return found


def installed_plugins(
    kind: Kind | None = None,
    *,
    path: Sequence[str] | None = None,
    catalog: Catalog | None = None,
) -> list[PluginRecord]:
    """Every installed plugin (of ``kind`` when given), sorted by kind then name.

    Reads metadata only. Two distributions claiming one name are both listed,
    each with the other in ``conflicts``. Pass ``path`` to look somewhere other
    than ``sys.path`` and ``catalog`` to use another catalog than the embedded one.
    """
    if catalog is None:
        from .catalog import default_catalog

        catalog = default_catalog()
    dists = installed_distributions(path)
    records = list(_entry_point_records(dists.values()))
    declared = {(r.package_key, r.record.kind, r.record.name) for r in records}
    plugins = [r.record for r in records]
    for entry in catalog.entries:
        dist = dists.get(canonicalize(entry.package))
        if dist is None or entry.object is None:
            continue
        if (canonicalize(entry.package), entry.kind, entry.name) in declared:
            continue
        meta = dist.metadata
        plugins.append(
            PluginRecord(
                name=entry.name,
                kind=entry.kind,
                package=meta["Name"],
                version=meta["Version"],
                object=entry.object,
                source="catalog",
            )
        )
    plugins = _flag_conflicts(plugins)
    if kind is not None:
        plugins = [p for p in plugins if p.kind == kind]
    return sorted(plugins, key=lambda p: (p.kind, p.name, canonicalize(p.package)))


@dataclass(frozen=True, slots=True)
class _Declared:
    package_key: CanonicalName
    record: PluginRecord


def _entry_point_records(dists: Iterable[metadata.Distribution]) -> Iterable[_Declared]:
    for dist in dists:
        declared = dist.read_text("entry_points.txt")
        if not declared or "fastrtc." not in declared:
            continue
        # Distribution.metadata parses METADATA again on every access (and
        # .version is metadata["Version"]): read it once per distribution.
        meta = dist.metadata
        package, version = meta["Name"], meta["Version"]
        key = canonicalize(package)
        source: Source = "builtin" if key == SELF_DISTRIBUTION else "entry-point"
        for ep in dist.entry_points:
            kind = kind_for_group(ep.group)
            if kind is None:
                continue
            yield _Declared(
                key,
                PluginRecord(
                    name=canonicalize(ep.name),
                    kind=kind,
                    package=package,
                    version=version,
                    object=ep.value,
                    source=source,
                ),
            )


def _flag_conflicts(plugins: list[PluginRecord]) -> list[PluginRecord]:
    claims: dict[tuple[str, str], list[str]] = defaultdict(list)
    for plugin in plugins:
        claims[(plugin.kind, plugin.name)].append(plugin.package)
    flagged = []
    for plugin in plugins:
        others = [p for p in claims[(plugin.kind, plugin.name)] if p != plugin.package]
        flagged.append(replace(plugin, conflicts=tuple(others)) if others else plugin)
    return flagged
