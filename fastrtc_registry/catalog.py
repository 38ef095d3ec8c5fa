"""The curated catalog (``registry.json``): typed entries and look-ups.

The catalog covers plugins that declare no entry points (through their
``object`` path), supplies descriptions and validation records for search, and
lets error messages give the exact install command for a plugin that is known
but not installed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CatalogError
from .names import KINDS, CanonicalName, Kind, canonicalize

__all__ = [
    "SCHEMA_VERSION",
    "Catalog",
    "CatalogEntry",
    "Removed",
    "ValidationRecord",
    "default_catalog",
    "embedded_catalog",
    "embedded_catalog_path",
    "parse_catalog",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class ValidationRecord:
    """The outcome of the last ``validate`` run recorded for a plugin."""

    version: str
    fastrtc: str
    python: str
    status: str
    date: str
    passed: int = 0
    failed: int = 0
    warnings: int = 0
    skipped: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used in registry.json and ``--json`` output."""
        return {
            "version": self.version,
            "fastrtc": self.fastrtc,
            "python": self.python,
            "status": self.status,
            "date": self.date,
            "passed": self.passed,
            "failed": self.failed,
            "warnings": self.warnings,
            "skipped": self.skipped,
            "errors": self.errors,
        }


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One curated plugin."""

    name: CanonicalName
    kind: Kind
    package: str
    summary: str = ""
    description: str = ""
    object: str | None = None
    tags: tuple[str, ...] = ()
    repository: str | None = None
    demo: str | None = None
    requires_python: str | None = None
    offline: bool | None = None
    builtin: bool = False
    validation: ValidationRecord | None = None

    @property
    def install_command(self) -> str:
        """The command that installs this plugin's package."""
        return f"pip install {self.package}"


@dataclass(frozen=True, slots=True)
class Removed:
    """A package withdrawn from the catalog, hidden from search."""

    package: str
    reason: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """A parsed registry.json."""

    schema_version: int
    entries: tuple[CatalogEntry, ...]
    removed: tuple[Removed, ...] = ()
    source: str = "embedded"
    warnings: tuple[str, ...] = field(default=())

    def find(self, name: str, kind: Kind | None = None) -> list[CatalogEntry]:
        """Entries whose canonical name is ``name`` (of ``kind`` when given)."""
        wanted = canonicalize(name)
        return [e for e in self.entries if e.name == wanted and (kind is None or e.kind == kind)]

    def for_package(self, package: str) -> list[CatalogEntry]:
        """Entries provided by the distribution ``package``."""
        wanted = canonicalize(package)
        return [e for e in self.entries if canonicalize(e.package) == wanted]

    def is_removed(self, package: str) -> Removed | None:
        """The removal record of ``package``, if it was withdrawn."""
        wanted = canonicalize(package)
        return next((r for r in self.removed if canonicalize(r.package) == wanted), None)


def embedded_catalog_path() -> Path:
    """Where the registry.json shipped with this package lives."""
    shipped = resources.files("fastrtc_registry").joinpath("registry.json")
    if shipped.is_file():
        return Path(str(shipped))
    # An editable install or a source checkout: the canonical file at the repo root.
    return Path(__file__).resolve().parent.parent / "registry.json"


def embedded_catalog() -> Catalog:
    """The catalog shipped inside the package."""
    path = embedded_catalog_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read the embedded catalog {path}: {exc.strerror}") from exc
    return parse_catalog(data, source=str(path))


def default_catalog() -> Catalog:
    """The catalog to use: ``FASTRTC_PLUGINS_REGISTRY_URL`` when set, else the embedded one."""
    import os

    location = os.environ.get("FASTRTC_PLUGINS_REGISTRY_URL", "").strip()
    if not location:
        return embedded_catalog()
    if location.startswith("file://"):
        from urllib.parse import unquote, urlparse

        location = unquote(urlparse(location).path)
    if "://" in location:
        raise CatalogError(
            f"FASTRTC_PLUGINS_REGISTRY_URL={location!r}: only local paths are supported so far"
        )
    path = Path(location)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(
            f"cannot read the catalog {path} (FASTRTC_PLUGINS_REGISTRY_URL): {exc.strerror}"
        ) from exc
    return parse_catalog(data, source=str(path))


def parse_catalog(data: bytes | str | Mapping[str, Any], *, source: str = "registry.json") -> Catalog:
    """Parse registry.json; raise :class:`CatalogError` listing every problem found."""
    if isinstance(data, (bytes, str)):
        try:
            doc = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError(f"{source}: not valid JSON: {exc}") from exc
    else:
        doc = data
    if not isinstance(doc, Mapping):
        raise CatalogError(f"{source}: the top level must be a JSON object")
    problems: list[str] = []
    warnings: list[str] = []
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CatalogError(f"{source}: /schema_version must be an integer")
    if version > SCHEMA_VERSION:
        warnings.append(
            f"{source} uses schema_version {version}, newer than this tool knows "
            f"({SCHEMA_VERSION}); reading the fields it understands. Upgrade fastrtc-registry."
        )
    entries: list[CatalogEntry] = []
    raw_plugins = doc.get("plugins", [])
    if not isinstance(raw_plugins, list):
        problems.append("/plugins: must be a list")
        raw_plugins = []
    for index, raw in enumerate(raw_plugins):
        entry = _parse_entry(raw, f"/plugins/{index}", problems)
        if entry is not None:
            entries.append(entry)
    removed: list[Removed] = []
    raw_removed = doc.get("removed", [])
    if not isinstance(raw_removed, list):
        problems.append("/removed: must be a list")
        raw_removed = []
    for index, raw in enumerate(raw_removed):
        pointer = f"/removed/{index}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("package"), str):
            problems.append(f"{pointer}: needs a string 'package'")
            continue
        removed.append(Removed(package=raw["package"], reason=str(raw.get("reason", ""))))
    if problems:
        raise CatalogError(f"{source}: {problems[0]}" + (
            f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        ), problems=problems)
    return Catalog(
        schema_version=version,
        entries=tuple(entries),
        removed=tuple(removed),
        source=source,
        warnings=tuple(warnings),
    )


def _parse_entry(raw: object, pointer: str, problems: list[str]) -> CatalogEntry | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{pointer}: must be an object")
        return None
    missing = [k for k in ("name", "kind", "package") if not isinstance(raw.get(k), str)]
    if missing:
        problems.append(f"{pointer}: needs string field(s) {', '.join(missing)}")
        return None
    kind = raw["kind"]
    if kind not in KINDS:
        problems.append(f"{pointer}/kind: {kind!r} is not one of {', '.join(KINDS)}")
        return None
    validation = raw.get("validation")
    record = None
    if isinstance(validation, Mapping):
        try:
            record = ValidationRecord(**{k: validation[k] for k in validation
                                         if k in ValidationRecord.__slots__})
        except TypeError as exc:
            problems.append(f"{pointer}/validation: {exc}")
    return CatalogEntry(
        name=canonicalize(raw["name"]),
        kind=kind,
        package=raw["package"],
        summary=str(raw.get("summary") or ""),
        description=str(raw.get("description") or ""),
        object=raw.get("object") if isinstance(raw.get("object"), str) else None,
        tags=tuple(t for t in raw.get("tags", ()) if isinstance(t, str)),
        repository=raw.get("repository") if isinstance(raw.get("repository"), str) else None,
        demo=raw.get("demo") if isinstance(raw.get("demo"), str) else None,
        requires_python=raw.get("requires_python")
        if isinstance(raw.get("requires_python"), str) else None,
        offline=raw.get("offline") if isinstance(raw.get("offline"), bool) else None,
        builtin=raw.get("builtin") is True,
        validation=record,
    )
