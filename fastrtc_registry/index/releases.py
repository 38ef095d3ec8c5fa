"""Which release of a project search reads: newest first, stable before pre-release.

Pure: takes a parsed project page and returns the chosen :class:`Release`.
Versions come from file names, which the index does not vouch for: an
unreadable or absurd one (a 5000-digit number) leaves that file out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ..packages import python_allowed
from .simple import IndexFile, ProjectPage

__all__ = ["Release", "choose_release", "release_versions"]

# A file name longer than this is not a distribution anyone publishes.
_MAX_FILENAME = 255


@dataclass(frozen=True, slots=True)
class Release:
    """The release search reads: its version, files, and the wheel to read."""

    version: str
    files: tuple[IndexFile, ...]
    wheel: IndexFile | None
    requires_python: str | None
    python_ok: bool | None


def _version_of(file: IndexFile) -> Version | None:
    if len(file.filename) > _MAX_FILENAME:
        return None
    try:
        if file.is_wheel:
            return parse_wheel_filename(file.filename)[1]
        return parse_sdist_filename(file.filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion, ValueError):
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
        except (InvalidWheelFilename, ValueError):
            return len(rank) + 1
        return min((rank.get(str(t), len(rank)) for t in tags), default=len(rank))

    return min(wheels, key=score)
