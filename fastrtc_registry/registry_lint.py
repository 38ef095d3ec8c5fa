"""``registry check``: lint a registry.json against its schema and the catalog's rules.

Two passes over one decoded document: the JSON Schema (registry.schema.json,
see :mod:`fastrtc_registry._schema`) for shape, then the semantic rules the
schema cannot say (unique canonical names per kind, valid specifiers, http(s)
links, path-like names, a package both listed and removed, repeated keys).
Every problem is reported at once with its JSON pointer; where both passes
flag the same spot, the more specific semantic message wins.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._catalog_rules import Problem, document_problems, json_pointer
from ._schema import validate
from .catalog import SCHEMA_VERSION, JsonObject, decode_document, read_catalog_file
from .errors import CatalogError

__all__ = ["LintReport", "Problem", "lint_bytes", "lint_document", "lint_path"]


@dataclass(frozen=True, slots=True)
class LintReport:
    """The outcome of linting one registry.json: problems (errors) and warnings."""

    source: str
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is nothing to fix."""
        return not self.problems

    def lines(self) -> list[str]:
        """One ``source:pointer: message`` line per problem."""
        return [f"{self.source}:{p.pointer or '/'}: {p.message}" for p in self.problems]

    def as_dict(self) -> dict[str, Any]:
        """The ``registry check --json`` form."""
        return {
            "source": self.source,
            "ok": self.ok,
            "problems": [{"pointer": p.pointer, "message": p.message} for p in self.problems],
            "warnings": list(self.warnings),
        }


def lint_path(path: Path) -> LintReport:
    """Lint the registry.json at ``path``; unreadable files are one problem, never a crash."""
    try:
        data = read_catalog_file(path)
    except CatalogError as exc:
        return LintReport(str(path), (Problem("", str(exc)),))
    return lint_bytes(data, source=str(path))


def lint_bytes(data: bytes, *, source: str = "registry.json") -> LintReport:
    """Lint registry.json bytes: decoding, schema and semantic rules."""
    try:
        doc = decode_document(data, source=source)
    except CatalogError as exc:
        message = str(exc).removeprefix(f"{source}: ")
        return LintReport(source, (Problem("", message),))
    return lint_document(doc, source=source)


def lint_document(doc: Any, *, source: str = "registry.json") -> LintReport:
    """Lint a decoded document; see the module docstring for the rules."""
    if not isinstance(doc, Mapping):
        return LintReport(source, (Problem("", "the top level must be a JSON object"),))
    warnings: list[str] = []
    version = doc.get("schema_version")
    newer = isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION
    if newer:
        warnings.append(
            f"schema_version {version} is newer than this tool knows ({SCHEMA_VERSION}); "
            "fields it does not know were not checked. Upgrade fastrtc-registry."
        )
    semantic = document_problems(doc)
    flagged = {p.pointer for p in semantic}
    structural = [
        Problem(s.pointer, s.message)
        for s in validate(doc)
        if s.pointer not in flagged
        and not _covered(s.pointer, flagged)
        and not (newer and s.keyword == "additionalProperties")
    ]
    problems = sorted(
        {*structural, *semantic, *_duplicate_keys(doc, ())},
        key=lambda p: (_sort_key(p.pointer), p.message),
    )
    return LintReport(source, tuple(problems), tuple(warnings))


def _covered(pointer: str, flagged: set[str]) -> bool:
    # A schema error inside a value the semantic pass already rejected as a whole
    # (e.g. /plugins/0 is not an object) says nothing new.
    return any(pointer.startswith(parent + "/") for parent in flagged)


def _duplicate_keys(value: Any, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(value, JsonObject):
        for key in dict.fromkeys(value.duplicate_keys):
            yield Problem(
                json_pointer(*path, key),
                f"the key {key!r} appears more than once; only the last one counts",
            )
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _duplicate_keys(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _duplicate_keys(item, (*path, index))


def _sort_key(pointer: str) -> tuple[tuple[int, int, str], ...]:
    # Document order: numeric array indices compare as numbers.
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in pointer.split("/")
    )
