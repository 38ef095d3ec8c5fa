"""The pure half of ``registry update``: fold scan results and validation runs into a document.

:func:`merge_registry` keeps every curated field (name, object, summary,
description, tags, links, offline, builtin) and refuses anything the catalog's
rules would refuse: a plugin or package name that is not a PEP 508 name is
never written, and index text is cleaned of control characters.
:func:`dump_registry` writes sorted keys, entries sorted by kind and name, a
fixed indent and a trailing newline, so a scheduled run gives a reviewable
diff or none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._text import clean_text
from ..names import Kind, canonicalize
from .model import BenchRecord, ValidationRecord
from .rules import (
    KIND_TAGS,
    SCHEMA_VERSION,
    name_problem,
    package_problem,
    specifier_problem,
    url_problem,
)

__all__ = [
    "ENTRY_FIELDS",
    "BenchRun",
    "FoundPlugin",
    "MergeResult",
    "ValidationRun",
    "dump_registry",
    "merge_registry",
    "normalise_entry",
]

# Every entry is written with all of these, null when unknown, so diffs stay small.
ENTRY_FIELDS: dict[str, Any] = {
    "name": None,
    "kind": None,
    "package": None,
    "object": None,
    "summary": "",
    "description": "",
    "tags": [],
    "repository": None,
    "demo": None,
    "requires_python": None,
    "offline": None,
    "builtin": False,
    "extra": None,
    "validation": None,
    "bench": None,
}


@dataclass(frozen=True, slots=True)
class FoundPlugin:
    """A plugin found on the index (or installed here) in a package's entry points."""

    name: str
    kind: Kind
    package: str
    version: str
    summary: str = ""
    requires_python: str | None = None
    repository: str | None = None


@dataclass(frozen=True, slots=True)
class ValidationRun:
    """A ``validate`` run that really happened, for one plugin of one package."""

    name: str
    kind: Kind
    package: str
    record: ValidationRecord


@dataclass(frozen=True, slots=True)
class BenchRun:
    """A ``bench`` run that really happened, for one plugin of one package."""

    name: str
    kind: Kind
    package: str
    record: BenchRecord


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The merged document and what changed, for the command's summary."""

    doc: dict[str, Any]
    added: tuple[str, ...] = ()
    validated: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())
    benchmarked: tuple[str, ...] = ()


def normalise_entry(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An entry with every field present (defaults for missing ones); unknown keys kept."""
    entry = {key: _copy(default) for key, default in ENTRY_FIELDS.items()}
    entry.update({key: _copy(value) for key, value in raw.items()})
    return entry


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _key(kind: str, name: str) -> tuple[str, str]:
    return kind, canonicalize(name)


def _refused(plugin: FoundPlugin) -> str | None:
    """Why ``plugin`` is refused, naming only what is safe to show; None when it is fine."""
    if package_problem(plugin.package):
        return f"a {plugin.kind} plugin of a package whose name is not a valid PEP 508 name"
    if name_problem(plugin.name):
        return (
            f"a {plugin.kind} plugin of {plugin.package} whose entry-point name is not a valid "
            "PEP 508 name"
        )
    return None


def merge_registry(
    doc: Mapping[str, Any],
    found: Iterable[FoundPlugin] = (),
    runs: Iterable[ValidationRun] = (),
    benches: Iterable[BenchRun] = (),
) -> MergeResult:
    """Fold scan results, validation and bench runs into ``doc``; curated fields are kept.

    A found plugin already listed (same kind, name and package) refreshes its
    ``requires_python``, and fills ``summary``/``repository`` only when empty;
    a new one is added with the kind's tag. Removed packages, names a
    different package already holds, and names that break the catalog's rules
    are skipped (reported in ``skipped``).
    """
    entries = {
        _key(raw["kind"], raw["name"]): normalise_entry(raw) for raw in doc.get("plugins", [])
    }
    removed = {canonicalize(r["package"]) for r in doc.get("removed", [])}
    added: list[str] = []
    skipped: list[str] = []
    for plugin in sorted(found, key=lambda p: (p.kind, canonicalize(p.name), p.package)):
        refused = _refused(plugin)
        if refused:
            skipped.append(refused)
            continue
        label = f"{plugin.kind} {canonicalize(plugin.name)} ({plugin.package})"
        if canonicalize(plugin.package) in removed:
            skipped.append(f"{label}: the package is in the removed list")
            continue
        entry = entries.get(_key(plugin.kind, plugin.name))
        if entry is None:
            entries[_key(plugin.kind, plugin.name)] = _new_entry(plugin)
            added.append(label)
        elif canonicalize(entry["package"]) != canonicalize(plugin.package):
            skipped.append(f"{label}: the name is already listed for {entry['package']}")
        else:
            _refresh(entry, plugin)
    validated: list[str] = []
    for run in runs:
        entry = entries.get(_key(run.kind, run.name))
        if entry is not None and canonicalize(entry["package"]) == canonicalize(run.package):
            entry["validation"] = run.record.as_dict()
            validated.append(f"{run.kind} {canonicalize(run.name)}: {run.record.status}")
    benchmarked: list[str] = []
    for bench in benches:
        entry = entries.get(_key(bench.kind, bench.name))
        if entry is not None and canonicalize(entry["package"]) == canonicalize(bench.package):
            entry["bench"] = bench.record.as_dict()
            benchmarked.append(f"{bench.kind} {canonicalize(bench.name)}")
    merged = {key: _copy(value) for key, value in doc.items() if key not in ("plugins", "removed")}
    merged["schema_version"] = doc.get("schema_version", SCHEMA_VERSION)
    merged["plugins"] = [entries[key] for key in sorted(entries)]
    merged["removed"] = sorted(
        (_copy(r) for r in doc.get("removed", [])), key=lambda r: canonicalize(r["package"])
    )
    return MergeResult(merged, tuple(added), tuple(validated), tuple(skipped), tuple(benchmarked))


def _summary(text: str) -> str:
    return clean_text(text, 200)


def _requires_python(value: str | None) -> str | None:
    return value if value is not None and specifier_problem(value) is None else None


def _new_entry(plugin: FoundPlugin) -> dict[str, Any]:
    repository = plugin.repository
    if repository is not None and url_problem(repository):
        repository = None
    return normalise_entry(
        {
            "name": canonicalize(plugin.name),
            "kind": plugin.kind,
            "package": plugin.package,
            "summary": _summary(plugin.summary),
            "tags": [KIND_TAGS[plugin.kind]],
            "repository": repository,
            "requires_python": _requires_python(plugin.requires_python),
        }
    )


def _refresh(entry: dict[str, Any], plugin: FoundPlugin) -> None:
    if _requires_python(plugin.requires_python) is not None:
        entry["requires_python"] = plugin.requires_python
    if not entry["summary"] and _summary(plugin.summary):
        entry["summary"] = _summary(plugin.summary)
    if entry["repository"] is None and plugin.repository and not url_problem(plugin.repository):
        entry["repository"] = plugin.repository


def dump_registry(doc: Mapping[str, Any]) -> str:
    """registry.json text: sorted keys, indent 2, UTF-8 as is, one trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
