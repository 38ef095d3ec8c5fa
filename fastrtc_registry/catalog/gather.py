"""Where ``registry update`` gets its facts: the index, installed plugins, ``validate`` runs.

Adapters between the index, discovery and validation libraries and the pure
merge of :mod:`fastrtc_registry.catalog.merge`. A validation record is made
only from a report that :func:`fastrtc_registry.validation.validate` really
returned (its check statuses counted), or, for a package whose
Requires-Python excludes this interpreter, as ``unsupported-python`` derived
from that specifier. A package that cannot be validated here for any other
reason is reported in the notes, never recorded.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._text import clean_text
from .._version import __version__
from ..checks.results import PluginReport, Summary
from ..deadlines import BENCH_TIMEOUT, VALIDATE_TIMEOUT
from ..errors import IndexUnreachableError, RegistryError
from ..names import KINDS, Kind, canonicalize, kind_for_group
from ..packages import python_allowed
from .merge import BenchRun, FoundPlugin, ValidationRun
from .model import BenchRecord, ValidationRecord
from .rules import SELF_PACKAGE

__all__ = [
    "Candidate",
    "found_plugins",
    "installed_candidates",
    "record_from_report",
    "run_benches",
    "run_validations",
    "scan_index",
    "unsupported_python_record",
]

_REPOSITORY_LABELS = ("repository", "source", "source code", "code", "github", "homepage")
Progress = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A plugin to validate: ``target`` is ``pypi:NAME==V``, an installed name, or None.

    None: the package is not installed here and cannot be fetched (``--offline``).
    """

    plugin: FoundPlugin
    target: str | None


def scan_index(
    index_url: str | None, catalog_doc: Mapping[str, Any]
) -> tuple[list[FoundPlugin], str, list[str]]:
    """Scan the index (fresh, never from cache): the plugins found, its URL, and one note per
    project that could not be checked (its catalog entry, if any, is left as it is)."""
    from ..index import resolve_index_url
    from ..index import scan_index as scan

    location = resolve_index_url(index_url)
    extra = [raw["package"] for raw in catalog_doc.get("plugins", []) if not raw.get("builtin")]
    result = scan(location.url, extra_names=extra, refresh=True, offline=False)
    if result.error is not None:
        raise IndexUnreachableError(
            f"{result.error}; registry update needs a live scan, try again, pass --index-url "
            "or use --offline"
        )
    notes = [
        f"not checked {clean_text(facts.name, 80)}: {clean_text(facts.error, 200)}"
        for facts in result.projects
        if getattr(facts, "error", None)
    ]
    return found_plugins(result.projects, catalog_doc), location.url, notes


def found_plugins(projects: Iterable[Any], catalog_doc: Mapping[str, Any]) -> list[FoundPlugin]:
    """Scan results as plugins: declared entry points, or the catalog's entries for the package.

    Projects the scan could not check (``error`` set) are left out.
    """
    listed: dict[str, list[Mapping[str, Any]]] = {}
    for raw in catalog_doc.get("plugins", []):
        listed.setdefault(canonicalize(raw["package"]), []).append(raw)
    found = []
    for facts in projects:
        if facts.version is None or getattr(facts, "error", None):
            continue
        common = {
            "package": facts.name,
            "version": facts.version,
            "summary": facts.summary or "",
            "requires_python": facts.requires_python,
            "repository": _repository(facts.project_urls),
        }
        declared = [(kind_for_group(ep.group), ep.name) for ep in facts.entry_points]
        pairs: list[tuple[Kind | None, str]] = declared or [
            (raw["kind"], raw["name"]) for raw in listed.get(canonicalize(facts.name), [])
        ]
        found += [FoundPlugin(name=name, kind=kind, **common) for kind, name in pairs if kind]
    return found


def _repository(project_urls: Iterable[tuple[str, str]]) -> str | None:
    urls = {label.strip().lower(): url.strip() for label, url in project_urls}
    return next((urls[label] for label in _REPOSITORY_LABELS if label in urls), None)


def installed_candidates(
    catalog_doc: Mapping[str, Any], *, builtins_only: bool = False
) -> list[Candidate]:
    """The catalog's plugins: those installed here are validated in place."""
    from ..discovery import installed_plugins

    installed = {(p.kind, p.name, canonicalize(p.package)): p for p in installed_plugins()}
    candidates: list[Candidate] = []
    for raw in catalog_doc.get("plugins", []):
        package = canonicalize(raw["package"])
        if builtins_only and package != SELF_PACKAGE:
            continue
        record = installed.get((raw["kind"], canonicalize(raw["name"]), package))
        version = record.version if record is not None else ""
        plugin = FoundPlugin(
            raw["name"], raw["kind"], raw["package"], version, "", raw.get("requires_python")
        )
        candidates.append(Candidate(plugin, record.qualified_name if record else None))
    return candidates


def _python_excluded(requires_python: str | None) -> bool:
    """True only when this Python is surely outside ``requires_python`` (unreadable: no)."""
    return python_allowed(requires_python, platform.python_version()) is False


def _today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def _fastrtc_version() -> str:
    from ..packages import fastrtc_host, host_label

    return host_label(fastrtc_host()) or "not installed"


def unsupported_python_record(plugin: FoundPlugin) -> ValidationRecord:
    """The record of a plugin whose Requires-Python excludes this interpreter: nothing ran."""
    return ValidationRecord(
        version=plugin.version or None,
        fastrtc=_fastrtc_version(),
        python=platform.python_version(),
        status="unsupported-python",
        date=_today(),
        suite=__version__,
        reason=f"requires Python {plugin.requires_python}; the checks could not run on "
        f"Python {platform.python_version()}",
    )


def record_from_report(plugin: PluginReport, version: str) -> ValidationRecord:
    """A record counting the checks of one plugin of a real report.

    The counts are the report's own :class:`~fastrtc_registry.checks.Summary`,
    the same as ``validate --json`` prints: ``skipped`` counts every skip,
    ``needs_network`` those of them skipped because the plugin needs the network.
    """
    counts = Summary.of(plugin.checks)
    if counts.failed or counts.errors:
        status = "failed"
    elif counts.needs_network:
        status = "needs-network"
    else:
        status = "warning" if counts.warnings else "passed"
    return ValidationRecord(
        version=version,
        fastrtc=_fastrtc_version(),
        python=platform.python_version(),
        status=status,
        date=_today(),
        suite=__version__,
        passed=counts.passed,
        failed=counts.failed,
        warnings=counts.warnings,
        skipped=counts.skipped,
        needs_network=counts.needs_network,
        errors=counts.errors,
    )


def _up_to_date(record: Mapping[str, Any] | None, plugin: FoundPlugin) -> bool:
    return bool(
        record
        and record.get("version") == (plugin.version or None)
        and record.get("suite") == __version__
        and record.get("python") == platform.python_version()
    )


def run_validations(
    candidates: Sequence[Candidate],
    current: Mapping[tuple[str, str], Any],
    *,
    index_url: str | None,
    only: Collection[str] = (),
    timeout: float = VALIDATE_TIMEOUT,
    on_progress: Progress | None = None,
) -> tuple[list[ValidationRun], list[str]]:
    """Validate each candidate whose recorded validation is not for its version and this suite.

    ``current`` maps (kind, canonical name) to the entry's validation record;
    ``only`` restricts the run to those packages. Returns the runs and notes
    on packages that could not be validated here.
    """
    from ..suite import validate

    wanted = {canonicalize(p) for p in only}
    runs: list[ValidationRun] = []
    notes: list[str] = []
    done: set[str] = set()
    for candidate in candidates:
        plugin = candidate.plugin
        if wanted and canonicalize(plugin.package) not in wanted:
            continue
        if _up_to_date(current.get((plugin.kind, canonicalize(plugin.name))), plugin):
            continue
        if _python_excluded(plugin.requires_python):
            record = unsupported_python_record(plugin)
            runs.append(ValidationRun(plugin.name, plugin.kind, plugin.package, record))
            continue
        if candidate.target is None:
            notes.append(
                f"not validated {plugin.package}: not installed here; install it, or run "
                "without --offline to validate it from the index"
            )
            continue
        if candidate.target in done:
            continue
        done.add(candidate.target)
        try:
            report = validate(
                candidate.target, index_url=index_url, timeout=timeout, on_progress=on_progress
            )
        except RegistryError as exc:
            notes.append(f"not validated {plugin.package} {plugin.version}: {exc}")
            continue
        for checked in report.plugins:
            if checked.kind not in KINDS or not checked.checks:
                continue
            record = record_from_report(checked, checked.version or plugin.version)
            runs.append(ValidationRun(checked.name, checked.kind, plugin.package, record))
    return runs, notes


def run_benches(
    candidates: Sequence[Candidate],
    current: Mapping[tuple[str, str], Any],
    *,
    only: Collection[str] = (),
    timeout: float = BENCH_TIMEOUT,
    on_progress: Progress | None = None,
) -> tuple[list[BenchRun], list[str]]:
    """Benchmark each installed candidate whose bench record is not for its version and corpus.

    Only plugins installed here are measured (``bench`` runs in this
    environment); the figures are :func:`fastrtc_registry.bench.catalog_record`
    of a real run. Returns the runs and notes on plugins not measured.
    """
    from ..bench import CORPUS_VERSION, bench_plugins, catalog_record

    wanted = {canonicalize(p) for p in only}
    chosen: dict[str, FoundPlugin] = {}
    notes: list[str] = []
    for candidate in candidates:
        plugin = candidate.plugin
        if wanted and canonicalize(plugin.package) not in wanted:
            continue
        record = current.get((plugin.kind, canonicalize(plugin.name)))
        if record and (record.get("version"), record.get("corpus")) == (
            plugin.version,
            CORPUS_VERSION,
        ):
            continue
        if candidate.target is None or candidate.target.startswith("pypi:"):
            notes.append(f"not benchmarked {plugin.package}: not installed here")
            continue
        chosen[candidate.target] = plugin
    start = (lambda name: on_progress(name, "benchmarking")) if on_progress else None
    results = bench_plugins(list(chosen), timeout=timeout, on_start=start) if chosen else []
    runs = []
    for result in results:
        key = (result.kind, canonicalize(result.name), canonicalize(result.package))
        measured = [
            p
            for p in chosen.values()
            if (p.kind, canonicalize(p.name), canonicalize(p.package)) == key
        ]
        if result.error or not measured:
            notes.append(f"not benchmarked {result.name}: {result.error or 'unexpected plugin'}")
            continue
        plugin = measured[0]
        runs.append(
            BenchRun(
                plugin.name, plugin.kind, plugin.package, BenchRecord(**catalog_record(result))
            )
        )
    return runs, notes
