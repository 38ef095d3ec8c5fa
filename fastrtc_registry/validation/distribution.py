"""Tier 0's facts: what a package declares, read from its metadata and source files.

:class:`PackageInfo` is read from a wheel file or an installed distribution
(a project directory is built into a wheel first, so the checks see exactly
what would be published), without importing or running anything of it.
:class:`DeclaredPlugin` is one plugin it declares. The PKG checks in
:mod:`fastrtc_registry.checks.metadata` judge them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..names import Kind, canonicalize
from ..packages import PackageMetadata, read_distribution, read_wheel

__all__ = [
    "DeclaredPlugin",
    "PackageInfo",
    "package_from_distribution",
    "package_from_wheel",
]


@dataclass(frozen=True, slots=True)
class DeclaredPlugin:
    """One entry point of a package (or the package itself when it declares none)."""

    name: str
    kind: Kind | None
    object: str | None
    group: str | None = None
    source: str = "entry-point"


_MAX_SOURCE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What tier 0 reads: the package's metadata (the one model) and its Python sources."""

    metadata: PackageMetadata
    sources: Mapping[str, str] = field(default_factory=dict)  # "pkg/mod.py" -> text

    @property
    def name(self) -> str:
        """The distribution's name."""
        return self.metadata.name

    @property
    def version(self) -> str:
        """The distribution's version."""
        return self.metadata.version

    @property
    def requires_dist(self) -> tuple[str, ...]:
        """Requires-Dist lines."""
        return self.metadata.requires_dist

    def plugins(self) -> list[DeclaredPlugin]:
        """The plugins this package declares, or one placeholder when it declares none."""
        found = [
            DeclaredPlugin(canonicalize(e.name), e.kind, e.value, e.group)
            for e in self.metadata.plugin_entry_points
        ]
        return found or [DeclaredPlugin(canonicalize(self.name), None, None, None, "undeclared")]


def package_from_wheel(path: Path) -> PackageInfo:
    """Read a wheel's metadata and Python sources (ValueError if not a wheel)."""
    try:
        meta = read_wheel(path)
        with zipfile.ZipFile(path) as wheel:
            # A module bigger than this is data, not code to scan (and could be a bomb).
            sources = {
                i.filename: wheel.read(i).decode("utf-8", "replace")
                for i in wheel.infolist()
                if i.filename.endswith(".py")
                and ".dist-info/" not in i.filename
                and i.file_size <= _MAX_SOURCE_BYTES
            }
    except (zipfile.BadZipFile, OSError, NotImplementedError) as exc:
        raise ValueError(f"cannot read the wheel {path}: {exc}") from exc
    return PackageInfo(meta, sources)


def package_from_distribution(
    dist: metadata.Distribution, path: list[str] | None = None
) -> PackageInfo:
    """Read an installed distribution's metadata and the sources of its entry-point modules."""
    sources: dict[str, str] = {}
    for file in dist.files or ():
        if file.suffix == ".py" and ".dist-info" not in str(file):
            try:
                sources[str(file).replace("\\", "/")] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    meta = read_distribution(dist)
    missing = {e.value.partition(":")[0].split(".")[0] for e in meta.entry_points}
    missing -= {name.split("/")[0] for name in sources}
    if missing:  # editable installs list no sources: find them without importing
        sources = {**sources, **_sources_on_path(missing, path)}
    return PackageInfo(meta, sources)


def _sources_on_path(tops: set[str], path: list[str] | None) -> dict[str, str]:
    from importlib.machinery import PathFinder

    found: dict[str, str] = {}
    for top in tops:
        spec = PathFinder.find_spec(top, path)
        if spec is None:
            continue
        roots = list(spec.submodule_search_locations or ())
        files = [Path(r) for root in roots for r in Path(root).rglob("*.py")]
        if spec.origin and spec.origin.endswith(".py") and not roots:
            files = [Path(spec.origin)]
        for file in files:
            base = Path(roots[0]).parent if roots else file.parent
            try:
                found[file.relative_to(base).as_posix()] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                continue
    return found
