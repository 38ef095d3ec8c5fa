"""``registry update``: regenerate registry.json from an index scan and validate runs.

The merge and the serialisation are pure functions: :func:`merge_registry`
folds scan results and validation records into the document, keeping every
curated field (name, object, summary, description, tags, links, offline,
builtin); :func:`dump_registry` writes it with sorted keys, entries sorted by
kind and name, a fixed indent and a trailing newline, so a scheduled run gives
a reviewable diff or none. :func:`update_registry` does the I/O around them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._atomic import write_text_atomic
from ._catalog_rules import KIND_TAGS, url_problem
from .catalog import SCHEMA_VERSION, ValidationRecord, decode_document, parse_catalog
from .catalog import read_catalog_file as _read
from .errors import CatalogError
from .names import Kind, canonicalize

__all__ = [
    "ENTRY_FIELDS",
    "FoundPlugin",
    "MergeResult",
    "UpdateResult",
    "ValidationRun",
    "dump_registry",
    "merge_registry",
    "normalise_entry",
    "update_registry",
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
    "validation": None,
}


@dataclass(frozen=True, slots=True)
class FoundPlugin:
    """A plugin an index scan found declared in a package's entry points."""

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
class MergeResult:
    """The merged document and what changed, for the command's summary."""

    doc: dict[str, Any]
    added: tuple[str, ...] = ()
    validated: tuple[str, ...] = ()
    skipped: tuple[str, ...] = field(default=())


def normalise_entry(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An entry with every field present (defaults for missing ones); unknown keys kept."""
    entry = {key: _copy(default) for key, default in ENTRY_FIELDS.items()}
    entry.update({key: _copy(value) for key, value in raw.items()})
    return entry


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _key(kind: str, name: str) -> tuple[str, str]:
    return kind, canonicalize(name)


def merge_registry(
    doc: Mapping[str, Any],
    found: Iterable[FoundPlugin] = (),
    runs: Iterable[ValidationRun] = (),
) -> MergeResult:
    """Fold scan results and validation runs into ``doc``; curated fields are never replaced.

    A found plugin already listed (same kind, name and package) refreshes its
    ``requires_python``, and fills ``summary``/``repository`` only when empty;
    a new one is added with the kind's tag. Removed packages, and names a
    different package already holds, are skipped (reported in ``skipped``).
    """
    entries = {
        _key(raw["kind"], raw["name"]): normalise_entry(raw) for raw in doc.get("plugins", [])
    }
    removed = {canonicalize(r["package"]) for r in doc.get("removed", [])}
    added: list[str] = []
    skipped: list[str] = []
    for plugin in sorted(found, key=lambda p: (p.kind, canonicalize(p.name), p.package)):
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
    merged = {key: _copy(value) for key, value in doc.items() if key not in ("plugins", "removed")}
    merged["schema_version"] = doc.get("schema_version", SCHEMA_VERSION)
    merged["plugins"] = [entries[key] for key in sorted(entries)]
    merged["removed"] = sorted(
        (_copy(r) for r in doc.get("removed", [])), key=lambda r: canonicalize(r["package"])
    )
    return MergeResult(merged, tuple(added), tuple(validated), tuple(skipped))


def _new_entry(plugin: FoundPlugin) -> dict[str, Any]:
    repository = plugin.repository
    if repository is not None and url_problem(repository):
        repository = None
    return normalise_entry(
        {
            "name": canonicalize(plugin.name),
            "kind": plugin.kind,
            "package": plugin.package,
            "summary": plugin.summary.strip()[:200],
            "tags": [KIND_TAGS[plugin.kind]],
            "repository": repository,
            "requires_python": plugin.requires_python,
        }
    )


def _refresh(entry: dict[str, Any], plugin: FoundPlugin) -> None:
    if plugin.requires_python is not None:
        entry["requires_python"] = plugin.requires_python
    if not entry["summary"] and plugin.summary.strip():
        entry["summary"] = plugin.summary.strip()[:200]
    if entry["repository"] is None and plugin.repository and not url_problem(plugin.repository):
        entry["repository"] = plugin.repository


def dump_registry(doc: Mapping[str, Any]) -> str:
    """registry.json text: sorted keys, indent 2, UTF-8 as is, one trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """What ``registry update`` did (or would do, with ``write=False``)."""

    path: Path
    changed: bool
    text: str
    added: tuple[str, ...] = ()
    validated: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def update_registry(
    path: Path,
    *,
    index_url: str | None = None,
    validate: bool = True,
    validate_only: Collection[str] = (),
    timeout: float = 120.0,
    write: bool = True,
    found: Sequence[FoundPlugin] | None = None,
    runs: Sequence[ValidationRun] | None = None,
    on_progress: Callable[[str, str], None] | None = None,
) -> UpdateResult:
    """Regenerate the registry.json at ``path``; write it when it changed and ``write``.

    ``found`` defaults to a fresh scan of the index; ``runs`` to ``validate``
    runs of the found packages whose recorded validation is not for their
    current version (only ``validate_only`` packages when given; none when
    ``validate`` is false).
    """
    data = _read(path)
    catalog = parse_catalog(data, source=str(path))  # refuses a broken file, all problems listed
    if catalog.schema_version > SCHEMA_VERSION:
        raise CatalogError(
            f"{path} uses schema_version {catalog.schema_version}, newer than this tool "
            f"({SCHEMA_VERSION}); upgrade fastrtc-registry before regenerating it"
        )
    doc = decode_document(data, source=str(path))
    notes: list[str] = []
    if found is None:
        from ._registry_sources import scan_index

        found, index_url = scan_index(index_url, doc)
    if runs is None:
        runs = []
        if validate:
            from ._registry_sources import run_validations

            current = {
                _key(raw["kind"], raw["name"]): raw.get("validation") for raw in doc["plugins"]
            }
            runs, run_notes = run_validations(
                found,
                current,
                index_url=index_url,
                only=validate_only,
                timeout=timeout,
                on_progress=on_progress,
            )
            notes.extend(run_notes)
    result = merge_registry(doc, found, runs)
    text = dump_registry(result.doc)
    changed = text != data.decode("utf-8")
    if changed and write:
        write_text_atomic(path, text, mode=path.stat().st_mode & 0o777)
    return UpdateResult(
        path, changed, text, result.added, result.validated, result.skipped, tuple(notes)
    )
