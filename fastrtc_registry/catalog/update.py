"""``registry update``: regenerate registry.json from an index scan and real validation runs.

Online (the default) it scans the index for plugins, adds new ones, refreshes
what the index says of listed ones, and validates each package from the
index (``pypi:NAME==VERSION`` in a throwaway environment) plus the built-ins
in place. ``offline=True`` scans nothing and validates the catalog's plugins
that are installed here, in place. The merge and the file format live in
:mod:`fastrtc_registry.catalog.merge`; this module does the I/O around them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from .._atomic import write_text_atomic
from ..deadlines import BENCH_TIMEOUT, VALIDATE_TIMEOUT
from ..errors import CatalogError
from ..names import canonicalize
from .fields import name_problem, package_problem, version_problem
from .gather import Candidate, installed_candidates, run_benches, run_validations, scan_index
from .merge import BenchRun, FoundPlugin, ValidationRun, dump_registry, merge_registry
from .model import decode_document, parse_catalog
from .rules import SCHEMA_VERSION, SELF_PACKAGE
from .sources import read_catalog_file

__all__ = ["UpdateResult", "update_registry"]


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
    benchmarked: tuple[str, ...] = ()
    runs: tuple[ValidationRun, ...] = ()
    """The validation runs of this update (what ``--records`` writes)."""
    benches: tuple[BenchRun, ...] = ()
    """The bench runs of this update."""


def update_registry(
    path: Path,
    *,
    index_url: str | None = None,
    offline: bool = False,
    validate: bool = True,
    validate_only: Collection[str] = (),
    bench: bool = False,
    timeout: float = VALIDATE_TIMEOUT,
    write: bool = True,
    found: Sequence[FoundPlugin] | None = None,
    runs: Sequence[ValidationRun] | None = None,
    benches: Sequence[BenchRun] | None = None,
    on_progress: Callable[[str, str], None] | None = None,
) -> UpdateResult:
    """Regenerate the registry.json at ``path``; write it when it changed and ``write``.

    ``found`` defaults to a fresh scan of the index (none when ``offline``);
    ``runs`` to real ``validate`` runs of the plugins whose recorded
    validation is not for their current version and this suite (only
    ``validate_only`` packages when given; none when ``validate`` is false);
    ``benches`` to real ``bench`` runs of the installed ones when ``bench``.
    """
    data = read_catalog_file(path)
    catalog = parse_catalog(data, source=str(path))  # refuses a broken file, all problems listed
    if catalog.schema_version > SCHEMA_VERSION:
        raise CatalogError(
            f"{path} uses schema_version {catalog.schema_version}, newer than this tool "
            f"({SCHEMA_VERSION}); upgrade fastrtc-registry before regenerating it"
        )
    doc = decode_document(data, source=str(path))
    notes: list[str] = []
    if found is None:
        found = []
        if not offline:
            found, index_url, scan_notes = scan_index(index_url, doc)
            notes.extend(scan_notes)
    if runs is None:
        runs = []
        if validate:
            current: dict[tuple[str, str], object] = {
                (raw["kind"], canonicalize(raw["name"])): raw.get("validation")
                for raw in doc["plugins"]
            }
            runs, run_notes = run_validations(
                _candidates(doc, found, offline=offline),
                current,
                index_url=index_url,
                only=validate_only,
                timeout=timeout,
                on_progress=on_progress,
            )
            notes.extend(run_notes)
    if benches is None:
        benches = []
        if bench:
            current_bench: dict[tuple[str, str], object] = {
                (raw["kind"], canonicalize(raw["name"])): raw.get("bench") for raw in doc["plugins"]
            }
            benches, bench_notes = run_benches(
                _candidates(doc, found, offline=offline),
                current_bench,
                only=validate_only,
                timeout=max(timeout, BENCH_TIMEOUT),
                on_progress=on_progress,
            )
            notes.extend(bench_notes)
    result = merge_registry(doc, found, runs, benches)
    text = dump_registry(result.doc)
    changed = text != data.decode("utf-8")
    if changed and write:
        write_text_atomic(path, text, mode=path.stat().st_mode & 0o777)
    return UpdateResult(
        path,
        changed,
        text,
        result.added,
        result.validated,
        result.skipped,
        tuple(notes),
        result.benchmarked,
        tuple(runs),
        tuple(benches),
    )


def _candidates(
    doc: dict[str, object], found: Sequence[FoundPlugin], *, offline: bool
) -> list[Candidate]:
    """What to validate: installed catalog plugins (all offline, else the built-ins) and the
    packages found on the index, each once."""
    here = installed_candidates(doc, builtins_only=not offline)
    remote = [
        Candidate(plugin, f"pypi:{plugin.package}=={plugin.version}")
        for plugin in found
        if canonicalize(plugin.package) != SELF_PACKAGE
        # What the merge would refuse is never handed to pip either.
        and not (name_problem(plugin.name) or package_problem(plugin.package))
        and version_problem(plugin.version) is None
    ]
    return here + remote
