"""The catalog's matrix refresh: one job per package, then one merge of their records.

A scheduled workflow (docs/catalog.md, "Refreshing the catalog in CI") lists
the catalog's packages (:func:`catalog_packages`), runs ``registry update
--validate-only PACKAGE --records FILE`` for each on its own runner
(:func:`records_document` is what that file holds), and folds the files into
registry.json (:func:`merge_records`, :func:`merge_record_files`).

A records file is a registry.json document holding only the plugins that one
run measured, and of each only ``name``, ``kind``, ``package`` and the
``validation`` and/or ``bench`` record. Every file is hostile input: it is
size-capped, decoded like the catalog, checked with the catalog's own rules
(:func:`fastrtc_registry.catalog.rules.document_problems`) and a few of its
own (one package per file, nothing dated in the future or made by a newer
suite than this tool's); a file that breaks any of them is refused whole and
reported, and the others are still merged.

The merge rule, per plugin and per record (``validation`` and ``bench``
separately): the record with the highest rank wins, where the rank is
(suite, plugin version, date) for a validation record and (corpus, plugin
version, date) for a bench record, versions compared as PEP 440 versions
(none is lowest). The catalog's own record wins ties, so a record from an
older suite, an older version or an earlier day never replaces a newer one.
Two new records of the same rank that disagree are a conflict: neither is
taken and both are reported. A record absent or null in a file leaves the
catalog's record as it is (a partial file never erases data). A record for a
plugin the catalog no longer lists, or lists for another package, is dropped
and reported. Curated fields always come from the catalog.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._atomic import write_text_atomic
from .._text import clean_text
from .._version import __version__
from ..errors import CatalogError
from ..names import canonicalize
from .merge import BenchRun, ValidationRun, dump_registry
from .model import BenchRecord, ValidationRecord, decode_document, parse_catalog
from .rules import SCHEMA_VERSION, Problem, document_problems, json_pointer
from .sources import read_catalog_file

__all__ = [
    "MAX_RECORDS_BYTES",
    "RECORD_FIELDS",
    "MergeReport",
    "PackageJob",
    "RecordSource",
    "RefusedFile",
    "catalog_packages",
    "merge_record_files",
    "merge_records",
    "read_packages",
    "read_record_sources",
    "records_document",
    "write_records",
]

# A package's records are a few kilobytes; the cap leaves room for hundreds of plugins.
MAX_RECORDS_BYTES = 256 * 1024
# What a records file may say of a plugin: who it is, and what was measured.
RECORD_FIELDS = frozenset({"name", "kind", "package", "validation", "bench"})
_MEASURED = ("validation", "bench")


@dataclass(frozen=True, slots=True)
class PackageJob:
    """One job of the refresh matrix: a catalog package and how to measure it."""

    package: str
    plugins: tuple[str, ...]
    """Its plugins as ``kind:name``."""
    offline: bool
    """Every plugin of the package runs without the network (the catalog's ``offline``)."""
    bench: bool
    """At least one plugin runs offline, so ``--bench`` measures something real."""
    builtin: bool
    extras: tuple[str, ...]
    """This package's extras that bring its plugins' dependencies (built-ins only)."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``registry packages --json`` (a matrix ``include`` item)."""
        return {
            "package": self.package,
            "plugins": list(self.plugins),
            "offline": self.offline,
            "bench": self.bench,
            "builtin": self.builtin,
            "extras": list(self.extras),
        }


@dataclass(frozen=True, slots=True)
class RecordSource:
    """The bytes of one records file (``data`` None: it could not be read, see ``error``)."""

    label: str
    data: bytes | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RefusedFile:
    """A records file that was not merged, and every reason found."""

    label: str
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``registry merge --json``."""
        return {"file": self.label, "problems": list(self.problems)}


@dataclass(frozen=True, slots=True)
class MergeReport:
    """The merged document and, one line each, what happened to every record."""

    doc: dict[str, Any]
    text: str
    changed: bool
    updated: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    refused: tuple[RefusedFile, ...] = ()
    merged_files: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every file was merged (dropped records and kept ones are not problems)."""
        return not self.refused

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``registry merge --json``."""
        return {
            "ok": self.ok,
            "changed": self.changed,
            "files": list(self.merged_files),
            "updated": list(self.updated),
            "kept": list(self.kept),
            "conflicts": list(self.conflicts),
            "dropped": list(self.dropped),
            "refused": [r.as_dict() for r in self.refused],
        }


def catalog_packages(doc: Mapping[str, Any]) -> list[PackageJob]:
    """The catalog's packages, one job each, sorted by canonical name."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for raw in doc.get("plugins", []):
        grouped.setdefault(canonicalize(raw["package"]), []).append(raw)
    jobs = []
    for key in sorted(grouped):
        entries = sorted(grouped[key], key=lambda r: (r["kind"], canonicalize(r["name"])))
        jobs.append(
            PackageJob(
                package=entries[0]["package"],
                plugins=tuple(f"{r['kind']}:{canonicalize(r['name'])}" for r in entries),
                offline=all(r.get("offline") is True for r in entries),
                bench=any(r.get("offline") is True for r in entries),
                builtin=any(r.get("builtin") is True for r in entries),
                extras=tuple(sorted({r["extra"] for r in entries if r.get("extra")})),
            )
        )
    return jobs


def read_packages(path: Path) -> list[PackageJob]:
    """The jobs of the catalog at ``path``; a broken catalog raises :class:`CatalogError`."""
    data = read_catalog_file(path)
    parse_catalog(data, source=str(path))  # every problem listed, nothing half-read
    return catalog_packages(decode_document(data, source=str(path)))


def records_document(
    doc: Mapping[str, Any],
    runs: Iterable[ValidationRun] = (),
    benches: Iterable[BenchRun] = (),
) -> dict[str, Any]:
    """A records file's document: the runs of plugins ``doc`` lists for the same package."""
    listed = {
        (raw["kind"], canonicalize(raw["name"])): raw["package"] for raw in doc.get("plugins", [])
    }
    records: dict[tuple[str, str], dict[str, Any]] = {}

    def add(kind: str, name: str, package: str, field: str, record: dict[str, Any]) -> None:
        key = (kind, canonicalize(name))
        if canonicalize(listed.get(key, "")) != canonicalize(package):
            return  # what registry update did not record is not a record either
        entry = records.setdefault(key, {"name": key[1], "kind": kind, "package": listed[key]})
        entry[field] = record

    for run in runs:
        add(run.kind, run.name, run.package, "validation", run.record.as_dict())
    for bench in benches:
        add(bench.kind, bench.name, bench.package, "bench", bench.record.as_dict())
    return {
        "schema_version": SCHEMA_VERSION,
        "plugins": [records[key] for key in sorted(records)],
        "removed": [],
    }


def write_records(
    path: Path,
    doc: Mapping[str, Any],
    runs: Iterable[ValidationRun] = (),
    benches: Iterable[BenchRun] = (),
) -> int:
    """Write the records file of these runs to ``path``; return how many plugins it holds."""
    records = records_document(doc, runs, benches)
    write_text_atomic(path, dump_registry(records))
    return len(records["plugins"])


def read_record_sources(paths: Sequence[Path]) -> list[RecordSource]:
    """Read each file under the size cap; one that cannot be read carries its error."""
    sources = []
    for path in paths:
        label = clean_text(str(path), 300)
        try:
            if not path.is_file():
                raise OSError("not a file")
            with path.open("rb") as handle:
                data = handle.read(MAX_RECORDS_BYTES + 1)
        except OSError as exc:
            sources.append(RecordSource(label, None, f"cannot be read: {exc.strerror or exc}"))
            continue
        sources.append(RecordSource(label, data))
    return sources


def merge_records(
    doc: Mapping[str, Any], sources: Iterable[RecordSource], *, today: dt.date | None = None
) -> MergeReport:
    """Merge the records of ``sources`` into the registry document ``doc`` (see the module)."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    listed: dict[tuple[str, str], Mapping[str, Any]] = {
        (raw["kind"], canonicalize(raw["name"])): raw for raw in doc.get("plugins", [])
    }
    removed = {canonicalize(r["package"]) for r in doc.get("removed", [])}
    offers: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = {}
    refused: list[RefusedFile] = []
    merged_files: list[str] = []
    dropped: list[str] = []
    for source in sorted(sources, key=lambda s: s.label):
        records, problems = _records_of(source, today)
        if problems:
            refused.append(RefusedFile(source.label, tuple(problems)))
            continue
        merged_files.append(source.label)
        for raw in records:
            key = (raw["kind"], canonicalize(raw["name"]))
            label = f"{key[0]} {key[1]} ({raw['package']})"
            entry = listed.get(key)
            if canonicalize(raw["package"]) in removed:
                dropped.append(f"{label}: the package was removed from the catalog")
            elif entry is None:
                dropped.append(f"{label}: no longer in the catalog")
            elif canonicalize(entry["package"]) != canonicalize(raw["package"]):
                dropped.append(f"{label}: the catalog lists this name for {entry['package']}")
            else:
                for field in _MEASURED:
                    if isinstance(raw.get(field), Mapping):
                        offers.setdefault((*key, field), []).append((source.label, raw[field]))
    merged = json.loads(json.dumps(doc))  # the catalog as it is; only records change
    entries: dict[tuple[str, str], dict[str, Any]] = {
        (raw["kind"], canonicalize(raw["name"])): raw for raw in merged["plugins"]
    }
    updated: list[str] = []
    kept: list[str] = []
    conflicts: list[str] = []
    for (kind, name, field), offered in sorted(offers.items()):
        label = f"{kind} {name} {field}"
        chosen, note = _choose(listed[(kind, name)].get(field), offered, field)
        if chosen is None:
            (conflicts if note.startswith("conflict") else kept).append(f"{label}: {note}")
            continue
        updated.append(f"{label}: {note}")
        entries[(kind, name)][field] = chosen
    text = dump_registry(merged)
    return MergeReport(
        doc=merged,
        text=text,
        changed=bool(updated),
        updated=tuple(updated),
        kept=tuple(kept),
        conflicts=tuple(conflicts),
        dropped=tuple(dropped),
        refused=tuple(refused),
        merged_files=tuple(merged_files),
    )


def merge_record_files(
    into: Path, records: Sequence[Path], *, write: bool = True, today: dt.date | None = None
) -> MergeReport:
    """Merge record files into the registry.json at ``into``; write it when it changed.

    The catalog itself must be sound (a broken one raises :class:`CatalogError`,
    every problem listed); a bad records file is only refused.
    """
    data = read_catalog_file(into)
    catalog = parse_catalog(data, source=str(into))
    if catalog.schema_version != SCHEMA_VERSION:
        raise CatalogError(
            f"{into} uses schema_version {catalog.schema_version}, not {SCHEMA_VERSION}; "
            "merge with the fastrtc-registry version that writes it"
        )
    doc = decode_document(data, source=str(into))
    report = merge_records(doc, read_record_sources(records), today=today)
    # Nothing taken, nothing written: never a formatting-only change.
    changed = report.changed and report.text != data.decode("utf-8")
    if changed and write:
        write_text_atomic(into, report.text, mode=into.stat().st_mode & 0o777)
    return replace(report, changed=changed)


def _records_of(source: RecordSource, today: dt.date) -> tuple[list[Mapping[str, Any]], list[str]]:
    """The plugins of one records file, or every reason to refuse it."""
    if source.data is None:
        return [], [source.error or "cannot be read"]
    if len(source.data) > MAX_RECORDS_BYTES:
        return [], [f"over the {MAX_RECORDS_BYTES:,}-byte limit for a records file"]
    try:
        doc = decode_document(source.data, source=source.label)
    except CatalogError as exc:
        return [], [str(exc).removeprefix(f"{source.label}: ")]
    if not isinstance(doc, Mapping):
        return [], ["the top level must be a JSON object (a records file is a registry document)"]
    version = doc.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        return [], [
            f"schema_version {version if version < 10**6 else 'newer'} is newer than this tool "
            f"({SCHEMA_VERSION}); merge with the fastrtc-registry that wrote it"
        ]
    problems = [_line(p) for p in document_problems(doc)]
    if problems:
        return [], problems
    plugins: list[Mapping[str, Any]] = doc["plugins"]
    problems += [_line(p) for p in _records_problems(doc, plugins, today)]
    return ([], problems) if problems else (plugins, [])


def _records_problems(
    doc: Mapping[str, Any], plugins: Sequence[Mapping[str, Any]], today: dt.date
) -> list[Problem]:
    """The rules a records file adds to the catalog's (which it has already passed)."""
    from packaging.version import Version

    from ..bench import CORPUS_VERSION

    problems = []
    if doc["removed"]:
        problems.append(Problem("/removed", "a records file removes nothing; leave it empty"))
    packages = {canonicalize(raw["package"]) for raw in plugins}
    if len(packages) > 1:
        problems.append(
            Problem("/plugins", f"holds records of {len(packages)} packages; one file, one package")
        )
    suite, corpus = Version(__version__), Version(CORPUS_VERSION)
    latest = (today + dt.timedelta(days=1)).isoformat()  # one day's grace for time zones
    for index, raw in enumerate(plugins):
        for field in sorted(set(raw) - RECORD_FIELDS):
            problems.append(
                Problem(
                    json_pointer("plugins", index, field),
                    "a records file carries only name, kind, package, validation and bench; "
                    "curated fields come from the catalog",
                )
            )
        for field, key, top in (("validation", "suite", suite), ("bench", "corpus", corpus)):
            record = raw.get(field)
            if not isinstance(record, Mapping):
                continue
            made_by = _version(record.get(key))
            if made_by is None or made_by > top:
                problems.append(
                    Problem(
                        json_pointer("plugins", index, field, key),
                        f"{key} {clean_text(record.get(key), 40)!r} is not one this tool knows "
                        f"(at most {top}); merge with the fastrtc-registry that wrote it",
                    )
                )
            if record["date"] > latest:
                problems.append(
                    Problem(
                        json_pointer("plugins", index, field, "date"),
                        f"{record['date']} is in the future; a record says when it was made",
                    )
                )
    return problems


def _normalised(record: Mapping[str, Any], field: str) -> dict[str, Any]:
    """The record as registry update writes it: every field, counts 0 and figures null."""
    if field == "validation":
        return ValidationRecord(**{"version": None, **record}).as_dict()
    return BenchRecord(**record).as_dict()


def _line(problem: Problem) -> str:
    return f"{problem.pointer or '/'}: {problem.message}"


def _version(value: Any) -> Any:
    from packaging.version import InvalidVersion, Version

    if not isinstance(value, str):
        return None
    try:
        return Version(value)
    except (InvalidVersion, ValueError):
        return None


def _rank(record: Mapping[str, Any], field: str) -> tuple[Any, ...]:
    """How new a record is: (suite or corpus, plugin version, date); unknown parts lowest."""
    made_by = _version(record.get("suite" if field == "validation" else "corpus"))
    version = _version(record.get("version"))
    return (
        (made_by is not None, made_by or 0),
        (version is not None, version or 0),
        str(record.get("date") or ""),
    )


def _describe(record: Mapping[str, Any], field: str) -> str:
    made_by = "suite" if field == "validation" else "corpus"
    return f"{made_by} {record.get(made_by)}, version {record.get('version')}, {record.get('date')}"


def _choose(
    current: Any, offered: Sequence[tuple[str, dict[str, Any]]], field: str
) -> tuple[dict[str, Any] | None, str]:
    """The record to write (None: keep the catalog's) and a note saying why."""
    offered = [(label, _normalised(record, field)) for label, record in offered]
    best = max(_rank(record, field) for _, record in offered)
    top = [(label, record) for label, record in offered if _rank(record, field) == best]
    if isinstance(current, Mapping) and _rank(current, field) >= best:
        if all(record == _normalised(current, field) for _, record in top):
            return None, "unchanged"
        return None, f"the catalog's record ({_describe(current, field)}) is as new or newer"
    distinct = {json.dumps(record, sort_keys=True) for _, record in top}
    if len(distinct) > 1:
        files = ", ".join(sorted({label for label, _ in top}))
        return None, (
            f"conflict: {len(distinct)} different records of the same rank "
            f"({_describe(top[0][1], field)}) in {files}; none taken"
        )
    return top[0][1], f"{_describe(top[0][1], field)} from {top[0][0]}"
