"""Tier 0: what a package declares, read from its metadata and source; no plugin code runs.

:class:`PackageInfo` is read from a wheel file or an installed distribution
(a project directory is built into a wheel first, so the checks see exactly
what would be published). :func:`run_static_checks` gives PKG001-PKG007 for
one declared plugin.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from ..errors import PackageMetadataError
from ..names import GROUPS, Kind, canonicalize
from ..packages import (
    PackageMetadata,
    fastrtc_requirement,
    host_provides,
    is_fork,
    is_reference,
    read_distribution,
    read_wheel,
)
from ..validation.download_scan import scan_downloads
from .ids import check_info
from .results import CheckResult, Status

__all__ = [
    "DeclaredPlugin",
    "PackageInfo",
    "package_from_distribution",
    "package_from_wheel",
    "run_static_checks",
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


Check = Callable[[PackageInfo, DeclaredPlugin], tuple[Status, str]]


def run_static_checks(
    package: PackageInfo, plugin: DeclaredPlugin, *, host: PackageMetadata | None = None
) -> list[CheckResult]:
    """PKG001-PKG007 for ``plugin`` of ``package``; ``host`` provides fastrtc where it runs."""
    results = []
    for check_id, check in _CHECKS:
        started = time.perf_counter()
        if check_id == "PKG003":
            status, message = _requires_fastrtc(package, plugin, host)
        else:
            status, message = check(package, plugin)
        results.append(
            CheckResult(
                check_id, check_info(check_id).title, status, message, time.perf_counter() - started
            )
        )
    return results


def _entry_points(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.source == "catalog":
        return "warning", (
            f"{package.name} declares no entry point for {plugin.name!r}; it loads by name only "
            'through the catalog. Add [project.entry-points."fastrtc.vad"] (or '
            '"fastrtc.turn_taking") to pyproject.toml'
        )
    if plugin.kind is not None:
        return "passed", f"{plugin.group}: {plugin.name} = {plugin.object}"
    near = sorted({e.group for e in package.metadata.entry_points if e.group.startswith("fastrtc")})
    found = (
        f" (it declares {', '.join(near)}, which fastrtc-registry does not read)" if near else ""
    )
    return "failed", (
        f"{package.name} declares no entry point in {' or '.join(GROUPS.values())}{found}; "
        'add one, e.g. [project.entry-points."fastrtc.vad"] my-vad = "my_pkg:MyVAD"'
    )


def _reference(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.object is None:
        return "skipped", "no entry point to check (PKG001)"
    if not is_reference(plugin.object):
        return "failed", (
            f"entry point {plugin.name!r} = {plugin.object!r} is not a "
            "'module:attr' reference; write it as 'package.module:ClassName'"
        )
    return "passed", plugin.object


def _requires_fastrtc(
    package: PackageInfo, plugin: DeclaredPlugin, host: PackageMetadata | None = None
) -> tuple[Status, str]:
    # The same rule as search: a marker counts when true here with no extra. On a fork
    # host, a requirement on the fork itself counts as well.
    fork = host.name if host is not None and is_fork(host) else None
    try:
        requirement = fastrtc_requirement(package.requires_dist, host=fork)
    except PackageMetadataError as exc:
        return "failed", f"{exc}; write the fastrtc requirement without a broken marker"
    if requirement is not None:
        if host is None or fork is None:
            return "passed", str(requirement)
        provided, note = host_provides(host, requirement)
        if not provided:
            return "failed", (
                f"{package.name} needs {requirement}, but fastrtc here is provided by "
                f"{host.name} {host.version}; install a release of it that fits"
            )
        return "passed", f"{requirement}; {note}" if note else str(requirement)
    return "failed", (
        f'{package.name} does not require fastrtc; add "fastrtc" (with the '
        'versions you tested, e.g. "fastrtc>=0.0.30") to [project] dependencies '
        "so installers check compatibility"
    )


def _requires_python(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if package.metadata.requires_python:
        return "passed", f"Requires-Python {package.metadata.requires_python}"
    return "failed", (
        f"{package.name} declares no Requires-Python; add requires-python = "
        '">=3.10" (or what you support) to [project]'
    )


def _described(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    missing = [
        what
        for what, ok in (
            ("summary (description = ...)", package.metadata.summary),
            ('README (readme = "README.md")', package.metadata.has_readme),
        )
        if not ok
    ]
    if missing:
        return "warning", (
            f"{package.name} has no {' and no '.join(missing)} in [project]; "
            "search and the gallery show these to users"
        )
    return "passed", package.metadata.summary


def _prefix(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if canonicalize(package.name).startswith("fastrtc-"):
        return "passed", package.name
    return "warning", (
        f"project name {package.name!r} does not start with 'fastrtc-'; "
        "the prefix helps users find it (only a convention)"
    )


def _downloads(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.object is None:
        return "skipped", "no entry point to scan (PKG001)"
    found = scan_downloads(package.sources, plugin.object)
    if found.at_build:
        hits = ", ".join(d.describe() for d in found.at_build[:3])
        return "warning", (
            f"needs network: {hits} downloads files when the plugin is imported or "
            "built, so it fails offline; ship the files in the wheel or document the download"
        )
    module = plugin.object.partition(":")[0]
    if not found.scanned:
        return "skipped", f"the source of {module} is not in {package.name}; nothing to scan"
    if found.later:
        # Not reached from construction as far as the scan can tell: a hint, not a verdict.
        hits = ", ".join(d.describe() for d in found.later[:3])
        return "passed", (
            f"no download at import or construction; hint: {hits} may download on first use"
        )
    return "passed", "no download calls at import or construction (offline)"


_CHECKS: tuple[tuple[str, Check], ...] = (
    ("PKG001", _entry_points),
    ("PKG002", _reference),
    ("PKG003", _requires_fastrtc),
    ("PKG004", _requires_python),
    ("PKG005", _described),
    ("PKG006", _prefix),
    ("PKG007", _downloads),
)
