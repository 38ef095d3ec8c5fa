"""Pure parsers for what a release tells about itself: core metadata, entry points, versions."""

from __future__ import annotations

import configparser
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ..names import GROUPS
from .simple import IndexFile, ProjectPage

__all__ = [
    "CoreMetadata",
    "EntryPointSpec",
    "Release",
    "choose_release",
    "parse_core_metadata",
    "parse_entry_points",
    "plugin_entry_points",
    "python_allowed",
    "release_versions",
]


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    """The fields of a METADATA file that search shows."""

    name: str
    version: str
    summary: str = ""
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    project_urls: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class EntryPointSpec:
    """One line of entry_points.txt."""

    group: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Release:
    """The release search reads: its version, files, and the wheel to read."""

    version: str
    files: tuple[IndexFile, ...]
    wheel: IndexFile | None
    requires_python: str | None
    python_ok: bool | None


def parse_core_metadata(data: bytes) -> CoreMetadata:
    """Parse a METADATA / PKG-INFO file (RFC 822 headers)."""
    message = BytesParser(policy=compat32).parsebytes(data, headersonly=True)

    def get(key: str) -> str:
        value = message.get(key)
        return str(value).strip() if value is not None and str(value).strip() != "UNKNOWN" else ""

    urls = []
    for raw in message.get_all("Project-URL") or ():
        label, _, url = str(raw).partition(",")
        if url.strip():
            urls.append((label.strip(), url.strip()))
    if get("Home-page") and not urls:
        urls.append(("Homepage", get("Home-page")))
    return CoreMetadata(
        name=get("Name"),
        version=get("Version"),
        summary=get("Summary"),
        requires_python=get("Requires-Python") or None,
        requires_dist=tuple(str(r).strip() for r in message.get_all("Requires-Dist") or ()),
        project_urls=tuple(urls),
    )


def parse_entry_points(text: str | bytes) -> tuple[EntryPointSpec, ...]:
    """Every entry point in an entry_points.txt; unreadable text gives none."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    return tuple(
        EntryPointSpec(group, name.strip(), value.strip())
        for group in parser.sections()
        for name, value in parser.items(group)
    )


def plugin_entry_points(specs: Iterable[EntryPointSpec]) -> tuple[EntryPointSpec, ...]:
    """Only the entry points in the fastrtc plugin groups."""
    groups = set(GROUPS.values())
    return tuple(s for s in specs if s.group in groups)


def python_allowed(requires_python: str | None, python: str) -> bool | None:
    """Whether ``python`` satisfies ``requires_python`` (None when the spec is unreadable)."""
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return None


def _version_of(file: IndexFile) -> Version | None:
    try:
        if file.is_wheel:
            return parse_wheel_filename(file.filename)[1]
        return parse_sdist_filename(file.filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def _by_version(page: ProjectPage) -> dict[Version, list[IndexFile]]:
    grouped: dict[Version, list[IndexFile]] = {}
    for file in page.files:
        version = _version_of(file)
        if version is not None:
            grouped.setdefault(version, []).append(file)
    return grouped


def release_versions(page: ProjectPage) -> list[str]:
    """Every version on the page (yanked ones included), newest first."""
    return [str(v) for v in sorted(_by_version(page), reverse=True)]


def choose_release(
    page: ProjectPage, python: str, supported_tags: Iterable[str] = ()
) -> Release | None:
    """The newest release (stable before pre-release) this Python may install.

    Yanked files are skipped. When no release allows this Python, the newest
    is returned with ``python_ok`` False, so search can say it is incompatible.
    """
    candidates: list[tuple[Version, tuple[IndexFile, ...]]] = []
    for version, files in _by_version(page).items():
        live = tuple(f for f in files if not f.yanked)
        if live:
            candidates.append((version, live))
    if not candidates:
        return None
    candidates.sort(key=lambda item: (not item[0].is_prerelease, item[0]), reverse=True)
    ranked = [(v, f, _release_requires_python(f)) for v, f in candidates]
    chosen = next((r for r in ranked if python_allowed(r[2], python) is not False), ranked[0])
    version, chosen_files, requires = chosen
    return Release(
        version=str(version),
        files=chosen_files,
        wheel=_pick_wheel(chosen_files, supported_tags),
        requires_python=requires,
        python_ok=python_allowed(requires, python) if requires else None,
    )


def _release_requires_python(files: Iterable[IndexFile]) -> str | None:
    return next((f.requires_python for f in files if f.requires_python), None)


def _pick_wheel(files: Iterable[IndexFile], supported_tags: Iterable[str]) -> IndexFile | None:
    wheels = [f for f in files if f.is_wheel]
    if not wheels:
        return None
    rank = {tag: i for i, tag in enumerate(supported_tags)}

    def score(file: IndexFile) -> int:
        try:
            tags = parse_wheel_filename(file.filename)[3]
        except InvalidWheelFilename:
            return len(rank) + 1
        return min((rank.get(str(t), len(rank)) for t in tags), default=len(rank))

    return min(wheels, key=score)
