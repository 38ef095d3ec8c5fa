"""``registry check``: every problem of a registry.json at once, each with its JSON pointer.

The problems are those of the one rule set the parser applies
(:mod:`fastrtc_registry.catalog.rules`), so what ``registry check`` accepts is
exactly what the catalog loader accepts. Then, with ``schema=True``, the
document is validated against registry.schema.json with the ``jsonschema``
package (a development dependency, imported only here): the schema describes
the same rules for other tools, and any disagreement is reported as a problem.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import CatalogError, RegistryError
from .model import decode_document
from .rules import SCHEMA_VERSION, Problem, document_problems, json_pointer
from .sources import read_catalog_file

__all__ = [
    "LintReport",
    "Problem",
    "lint_bytes",
    "lint_document",
    "lint_path",
    "schema_path",
    "schema_problems",
]


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


def schema_path() -> Path:
    """Where registry.schema.json lives (inside the wheel, or at the repo root)."""
    shipped = resources.files("fastrtc_registry").joinpath("registry.schema.json")
    if shipped.is_file():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "registry.schema.json"


def lint_path(path: Path, *, schema: bool = True) -> LintReport:
    """Lint the registry.json at ``path``; unreadable files are one problem, never a crash."""
    try:
        data = read_catalog_file(path)
    except CatalogError as exc:
        return LintReport(str(path), (Problem("", str(exc)),))
    return lint_bytes(data, source=str(path), schema=schema)


def lint_bytes(data: bytes, *, source: str = "registry.json", schema: bool = True) -> LintReport:
    """Lint registry.json bytes: decoding, the rules, and (``schema``) the JSON Schema."""
    try:
        doc = decode_document(data, source=source)
    except CatalogError as exc:
        return LintReport(source, (Problem("", str(exc).removeprefix(f"{source}: ")),))
    return lint_document(doc, source=source, schema=schema)


def lint_document(doc: Any, *, source: str = "registry.json", schema: bool = True) -> LintReport:
    """Lint a decoded document; see the module docstring."""
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
    problems = document_problems(doc)
    if schema and not problems and not newer:
        problems = schema_problems(doc)
    return LintReport(source, tuple(problems), tuple(warnings))


def schema_problems(doc: Any) -> list[Problem]:
    """Violations of registry.schema.json found by ``jsonschema`` (needs that package)."""
    try:
        import jsonschema
    except ImportError as exc:
        raise RegistryError(
            "checking registry.json against its JSON Schema needs the jsonschema package: "
            "pip install jsonschema (or pass --no-schema)"
        ) from exc
    with schema_path().open(encoding="utf-8") as handle:
        loaded = json.load(handle)
    validator = jsonschema.Draft202012Validator(loaded)
    return [
        Problem(json_pointer(*error.absolute_path), f"registry.schema.json: {error.message[:300]}")
        for error in sorted(
            validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
        )
    ]
