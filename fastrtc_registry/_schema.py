"""A small validator for the JSON Schema subset that registry.schema.json uses.

Why not the ``jsonschema`` package: the catalog is read on every ``list`` and
``load_vad``, and ``registry check`` should work wherever fastrtc-registry is
installed, without pulling in jsonschema's four extra dependencies (one of them
compiled). The schema sticks to a handful of keywords; this module implements
exactly those, with their JSON Schema meaning, and refuses schemas that use
anything else. The tests run the real ``jsonschema`` package over the same
documents to prove both agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ._catalog_rules import json_pointer

__all__ = ["SUPPORTED_KEYWORDS", "SchemaProblem", "load_schema", "schema_path", "validate"]

# Keywords that only annotate (no effect on validity) and those implemented below.
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description"})
SUPPORTED_KEYWORDS = _ANNOTATIONS | frozenset(
    {
        "$ref",
        "type",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maxItems",
        "uniqueItems",
    }
)


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One schema violation at a JSON pointer; ``keyword`` is the rule it broke."""

    pointer: str
    keyword: str
    message: str


def schema_path() -> Path:
    """Where registry.schema.json lives (inside the wheel, or at the repo root)."""
    shipped = resources.files("fastrtc_registry").joinpath("registry.schema.json")
    if shipped.is_file():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "registry.schema.json"


@cache
def load_schema() -> Mapping[str, Any]:
    """The parsed registry.schema.json."""
    schema: Mapping[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return schema


def validate(instance: Any, schema: Mapping[str, Any] | None = None) -> list[SchemaProblem]:
    """Every violation of ``schema`` (default: registry.schema.json) by ``instance``."""
    root = load_schema() if schema is None else schema
    return list(_check(instance, root, root, ()))


_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
}


def _type_name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__


@cache
def _pattern(source: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262 and unanchored; Python's '$' also matches
    # before a final newline, which would let "name\n" through.
    if source.endswith("$") and not source.endswith("\\$"):
        source = source[:-1] + r"\Z"
    return re.compile(source)


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    resolved: Mapping[str, Any] = node
    return resolved


def _check(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: tuple[str | int, ...]
) -> Iterator[SchemaProblem]:
    unknown = set(schema) - SUPPORTED_KEYWORDS
    if unknown:
        raise ValueError(f"schema keyword(s) not supported: {', '.join(sorted(unknown))}")
    here = json_pointer(*path)
    if "$ref" in schema:
        yield from _check(value, _resolve(root, schema["$ref"]), root, path)
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in allowed):
            yield SchemaProblem(
                here, "type", f"must be {' or '.join(allowed)}, not {_type_name(value)}"
            )
            return
    if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
        options = ", ".join(json.dumps(o) for o in schema["enum"])
        yield SchemaProblem(here, "enum", f"{json.dumps(value)[:80]} is not one of {options}")
    if isinstance(value, Mapping):
        yield from _check_object(value, schema, root, path)
    elif isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield SchemaProblem(here, "maxItems", f"has more than {schema['maxItems']} items")
        if schema.get("uniqueItems"):
            for index, item in enumerate(value):
                if any(_same(item, earlier) for earlier in value[:index]):
                    yield SchemaProblem(
                        json_pointer(*path, index), "uniqueItems", "repeats an earlier item"
                    )
        if "items" in schema:
            for index, item in enumerate(value):
                yield from _check(item, schema["items"], root, (*path, index))
    elif isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield SchemaProblem(
                here,
                "minLength",
                "must not be empty"
                if schema["minLength"] == 1
                else f"is shorter than {schema['minLength']} characters",
            )
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield SchemaProblem(
                here, "maxLength", f"is longer than {schema['maxLength']} characters"
            )
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            yield SchemaProblem(
                here, "pattern", f"{value[:80]!r} does not match the format {schema['pattern']}"
            )
    elif _TYPES["number"](value) and "minimum" in schema and value < schema["minimum"]:
        yield SchemaProblem(here, "minimum", f"must be at least {schema['minimum']}")


def _check_object(
    value: Mapping[str, Any],
    schema: Mapping[str, Any],
    root: Mapping[str, Any],
    path: tuple[str | int, ...],
) -> Iterator[SchemaProblem]:
    for key in schema.get("required", ()):
        if key not in value:
            # Pointed at the missing field itself (JSON Schema tools point at its parent).
            yield SchemaProblem(
                json_pointer(*path, key), "required", f"the field {key!r} is missing"
            )
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            yield from _check(item, properties[key], root, (*path, key))
        elif schema.get("additionalProperties") is False:
            known = ", ".join(sorted(properties))
            yield SchemaProblem(
                json_pointer(*path, key),
                "additionalProperties",
                f"unknown field {key!r}; known fields: {known}",
            )


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1, 1 equals 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)
