"""The catalog's typed model and its pure parser: bytes in, :class:`Catalog` out.

No I/O here: :func:`decode_document` turns bytes into JSON values under a size
limit, :func:`parse_catalog` applies the one rule set of
:mod:`fastrtc_registry.catalog.rules` and builds frozen values. Every defect
ends in a :class:`~fastrtc_registry.errors.CatalogError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import CatalogError
from ..names import CanonicalName, Kind, canonicalize
from ..packages import install_command
from .rules import SCHEMA_VERSION, SELF_PACKAGE, JsonObject, document_problems

__all__ = [
    "MAX_CATALOG_BYTES",
    "SCHEMA_VERSION",
    "BenchRecord",
    "Catalog",
    "CatalogEntry",
    "Removed",
    "ValidationRecord",
    "decode_document",
    "parse_catalog",
]

# The real catalog is a few kilobytes; anything this large is a mistake or an attack.
MAX_CATALOG_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ValidationRecord:
    """The outcome of a real ``validate`` run of one plugin version, as recorded."""

    version: str | None
    fastrtc: str
    python: str
    status: str
    date: str
    suite: str = ""
    passed: int = 0
    failed: int = 0
    warnings: int = 0
    skipped: int = 0
    needs_network: int = 0
    errors: int = 0
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used in registry.json and ``--json`` output."""
        data = {name: getattr(self, name) for name in self.__slots__}
        if self.reason is None:
            del data["reason"]
        return data


@dataclass(frozen=True, slots=True)
class BenchRecord:
    """The figures of a real ``bench`` run of one plugin version, as recorded."""

    version: str
    fastrtc: str
    python: str
    corpus: str
    date: str
    f1: float | None = None
    precision: float | None = None
    recall: float | None = None
    humming_false_speech: float | None = None
    noise_false_speech: float | None = None
    silence_false_speech: float | None = None
    end_of_turn_p50_ms: float | None = None
    end_of_turn_p95_ms: float | None = None
    false_turn_ends: int | None = None
    missed_turns: int | None = None
    p50_ms: float | None = None
    realtime_factor: float | None = None
    false_cutoffs: float | None = None
    hesitations: int | None = None
    turn_ends: int | None = None
    latency_at_5pct_ms: float | None = None
    false_cutoffs_at_500ms: float | None = None
    sweep: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used in registry.json."""
        return {name: getattr(self, name) for name in self.__slots__}


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
    extra: str | None = None
    """The package's extra that brings this plugin's dependencies (a built-in back-end)."""
    validation: ValidationRecord | None = None
    bench: BenchRecord | None = None

    @property
    def install_command(self) -> str:
        """The command that installs this plugin's package (with its extra)."""
        return install_command(self.package, extra=self.extra)


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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode_document(data: bytes | str, *, source: str = "registry.json") -> Any:
    """Decode registry.json bytes safely: size limit, strict UTF-8, plain JSON only."""
    if len(data) > MAX_CATALOG_BYTES:
        raise CatalogError(
            f"{source}: {len(data):,} bytes is over the {MAX_CATALOG_BYTES:,}-byte limit for a "
            "catalog; check that this is the right file"
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CatalogError(
                f"{source}: not UTF-8 (bad byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "save the file as UTF-8"
            ) from exc
    else:
        text = data
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text, object_pairs_hook=JsonObject, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise CatalogError(f"{source}: not a catalog: JSON nested too deeply") from exc
    except ValueError as exc:  # NaN/Infinity, or an integer with thousands of digits
        raise CatalogError(f"{source}: not valid JSON: {str(exc)[:120]}") from exc


def parse_catalog(
    data: bytes | str | Mapping[str, Any], *, source: str = "registry.json"
) -> Catalog:
    """Parse registry.json; raise :class:`CatalogError` listing every problem found.

    A document with a newer ``schema_version`` than this tool knows is read
    leniently: entries with problems are skipped, each with a warning.
    """
    doc = decode_document(data, source=source) if isinstance(data, (bytes, str)) else data
    if not isinstance(doc, Mapping):
        raise CatalogError(f"{source}: the top level must be a JSON object, not {_kind_of(doc)}")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CatalogError(f"{source}: /schema_version must be a positive integer (e.g. 1)")
    problems = document_problems(doc)
    warnings: list[str] = []
    if version > SCHEMA_VERSION:
        warnings.append(
            f"{source} uses schema_version {version if version < 10**6 else 'newer'}, newer than "
            f"this tool knows ({SCHEMA_VERSION}); reading the entries it understands. "
            "Upgrade with 'pip install -U fastrtc-registry'."
        )
        warnings.extend(f"{source}: skipped {p.pointer}: {p.message}" for p in problems)
    elif problems:
        more = len(problems) - 1
        raise CatalogError(
            f"{source}: {problems[0].pointer or '/'}: {problems[0].message}"
            + (f" (and {more} more; run 'fastrtc-plugins registry check')" if more else ""),
            problems=[f"{p.pointer}: {p.message}" for p in problems],
        )
    spoiled = {p.pointer.split("/")[2] for p in problems if p.pointer.startswith("/plugins/")}
    plugins = doc.get("plugins")
    entries = [
        _entry(raw)
        for index, raw in enumerate(plugins if isinstance(plugins, list) else [])
        if str(index) not in spoiled
    ]
    removed = doc.get("removed")
    return Catalog(
        schema_version=version,
        entries=_first_per_name(entries),
        removed=tuple(
            Removed(package=raw["package"], reason=raw["reason"])
            for raw in (removed if isinstance(removed, list) else [])
            if isinstance(raw, Mapping)
            and isinstance(raw.get("package"), str)
            and isinstance(raw.get("reason"), str)
        ),
        source=source,
        warnings=tuple(warnings),
    )


def _kind_of(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null"}.get(type(value), "a value")


def _first_per_name(entries: list[CatalogEntry]) -> tuple[CatalogEntry, ...]:
    # Only reachable leniently (newer schema): a duplicate name never shadows the first.
    seen: set[tuple[str, str]] = set()
    kept = []
    for entry in entries:
        if (entry.kind, entry.name) not in seen:
            seen.add((entry.kind, entry.name))
            kept.append(entry)
    return tuple(kept)


def _entry(raw: Mapping[str, Any]) -> CatalogEntry:
    """A CatalogEntry from a raw entry that the rules accepted."""
    validation = raw.get("validation")
    record = None
    if isinstance(validation, Mapping):
        record = ValidationRecord(
            **{k: validation[k] for k in ValidationRecord.__slots__ if k in validation}
        )
    bench = raw.get("bench")
    figures = None
    if isinstance(bench, Mapping):
        figures = BenchRecord(**{k: bench[k] for k in BenchRecord.__slots__ if k in bench})
    builtin = raw.get("builtin") is True and canonicalize(raw["package"]) == SELF_PACKAGE
    return CatalogEntry(
        name=canonicalize(raw["name"]),
        kind=raw["kind"],
        package=raw["package"],
        summary=raw.get("summary") or "",
        description=raw.get("description") or "",
        object=raw.get("object"),
        tags=tuple(raw.get("tags") or ()),
        repository=raw.get("repository"),
        demo=raw.get("demo"),
        requires_python=raw.get("requires_python"),
        offline=raw.get("offline"),
        builtin=builtin,
        extra=raw.get("extra"),
        validation=record,
        bench=figures,
    )
