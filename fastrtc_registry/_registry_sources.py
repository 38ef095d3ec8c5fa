"""Where ``registry update`` gets its facts: the index scan and real ``validate`` runs.

The adapters between the index and validation libraries and the pure merge
in :mod:`fastrtc_registry.registry_update`: they turn
:class:`~fastrtc_registry.index.ProjectFacts` into
:class:`~fastrtc_registry.registry_update.FoundPlugin` and validation reports
into :class:`~fastrtc_registry.registry_update.ValidationRun`. A run is
recorded only when checks really ran; a package that cannot be installed here
is reported in the notes, not recorded.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from importlib import metadata
from typing import Any

from .catalog import ValidationRecord
from .errors import IndexUnreachableError, RegistryError
from .names import Kind, canonicalize, kind_for_group
from .registry_update import FoundPlugin, ValidationRun

__all__ = ["found_plugins", "run_validations", "scan_index"]

_REPOSITORY_LABELS = ("repository", "source", "source code", "code", "github", "homepage")


def scan_index(
    index_url: str | None, catalog_doc: Mapping[str, Any]
) -> tuple[list[FoundPlugin], str]:
    """Scan the index (fresh, never from cache) and return the plugins found and its URL."""
    from .index import resolve_index_url
    from .index import scan_index as scan

    location = resolve_index_url(index_url)
    extra = [raw["package"] for raw in catalog_doc.get("plugins", []) if not raw.get("builtin")]
    result = scan(location.url, extra_names=extra, refresh=True, offline=False)
    if result.error is not None:
        raise IndexUnreachableError(
            f"{result.error}; registry update needs a live scan, try again or pass --index-url"
        )
    return found_plugins(result.projects, catalog_doc), location.url


def found_plugins(projects: Iterable[Any], catalog_doc: Mapping[str, Any]) -> list[FoundPlugin]:
    """Scan results as plugins: declared entry points, or the catalog's entries for the package."""
    listed: dict[str, list[Mapping[str, Any]]] = {}
    for raw in catalog_doc.get("plugins", []):
        listed.setdefault(canonicalize(raw["package"]), []).append(raw)
    found = []
    for facts in projects:
        if facts.version is None:
            continue
        common = {
            "package": facts.name,
            "version": facts.version,
            "summary": facts.summary,
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


def run_validations(
    found: Sequence[FoundPlugin],
    current: Mapping[tuple[str, str], Mapping[str, Any] | None],
    *,
    index_url: str | None,
    only: Collection[str] = (),
    timeout: float = 120.0,
    on_progress: Callable[[str, str], None] | None = None,
) -> tuple[list[ValidationRun], list[str]]:
    """Validate each found package whose recorded validation is not for its current version.

    ``current`` maps (kind, canonical name) to the entry's validation record.
    ``only`` restricts the run to those packages. Returns the runs and notes
    on packages that could not be validated here.
    """
    from .checks.runner import validate
    from .search import check_compatibility

    wanted = {canonicalize(p) for p in only}
    packages: dict[str, FoundPlugin] = {}
    for plugin in found:
        record = current.get((plugin.kind, canonicalize(plugin.name)))
        if record and record.get("version") == plugin.version:
            continue
        if wanted and canonicalize(plugin.package) not in wanted:
            continue
        packages.setdefault(canonicalize(plugin.package), plugin)
    runs: list[ValidationRun] = []
    notes: list[str] = []
    for plugin in packages.values():
        compatible, reasons = check_compatibility(plugin.requires_python, ())
        if compatible is False:
            notes.append(f"not validated {plugin.package} {plugin.version}: {'; '.join(reasons)}")
            continue
        try:
            report = validate(
                f"pypi:{plugin.package}=={plugin.version}",
                index_url=index_url,
                timeout=timeout,
                on_progress=on_progress,
            )
        except RegistryError as exc:
            notes.append(f"not validated {plugin.package} {plugin.version}: {exc}")
            continue
        runs += _runs(report, plugin)
    return runs, notes


def _runs(report: Any, plugin: FoundPlugin) -> list[ValidationRun]:
    from .checks.results import Summary

    runs = []
    for checked in report.plugins:
        if checked.kind is None or not checked.checks:
            continue
        counts = Summary.of(checked.checks)
        status = (
            "failed"
            if counts.failed or counts.errors
            else "warning"
            if counts.warnings
            else "passed"
        )
        record = ValidationRecord(
            version=checked.version or plugin.version,
            fastrtc=_fastrtc_version(),
            python=platform.python_version(),
            status=status,
            date=dt.datetime.now(dt.timezone.utc).date().isoformat(),
            **counts.as_dict(),
        )
        runs.append(ValidationRun(checked.name, checked.kind, plugin.package, record))
    return runs


def _fastrtc_version() -> str:
    try:
        return metadata.version("fastrtc")
    except metadata.PackageNotFoundError:
        return "not installed"
