"""Rules for single values of registry.json: names, links, versions, text.

Each rule takes one raw string and returns ``None`` when it is acceptable or a
message saying what is wrong and what a good value looks like. Every rule is
total: a 5000-digit version, control characters or a 10 000-character name
give a message, never an exception. Pure; the document rules in
:mod:`fastrtc_registry.catalog.rules` apply them field by field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .._text import has_control
from ..packages import is_project_name, is_reference

__all__ = [
    "JsonObject",
    "Problem",
    "Rule",
    "date_problem",
    "extra_problem",
    "json_pointer",
    "missing_or_wrong",
    "name_problem",
    "object_problem",
    "package_problem",
    "python_problem",
    "short",
    "specifier_problem",
    "tag_problem",
    "text_problem",
    "unknown_fields",
    "url_problem",
    "version_problem",
]

_TAG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_PYTHON = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}(\.[0-9]{1,4})?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


Rule = Callable[[str], "str | None"]


class JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers keys it saw more than once."""

    __slots__ = ("duplicate_keys",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        seen: set[str] = set()
        repeated = []
        for key, _ in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        self.duplicate_keys = tuple(repeated)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a registry document, at a JSON pointer."""

    pointer: str
    message: str


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer from path parts (``~`` and ``/`` escaped)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def short(value: Any) -> str:
    """A value for a message: strings quoted with escapes, other values by their JSON kind."""
    if not isinstance(value, str):
        kinds: tuple[tuple[type, str], ...] = (
            (bool, "a boolean"),
            (int, "an integer"),
            (float, "a number"),
            (list, "a list"),
            (Mapping, "an object"),
        )
        return "null" if value is None else next((k for t, k in kinds if isinstance(value, t)), "?")
    text = ascii(value)
    return text if len(text) <= 40 else text[:37] + "..."


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with one line of plain text of at most ``limit`` characters, if anything."""
    if len(value) > limit:
        return f"is longer than {limit} characters"
    if has_control(value) or "\n" in value or "\t" in value:
        return f"{short(value)} contains control characters; remove them"
    return None


def _pep508(value: str, what: str, example: str) -> str | None:
    problem = text_problem(value, 100)
    if problem:
        return problem
    if not value:
        return f"the {what} is empty"
    if not is_project_name(value):
        return (
            f"{short(value)} is not a valid {what} (PEP 508: letters, digits and '-', '_' "
            f"or '.' between them, e.g. {example!r})"
        )
    return None


def name_problem(value: str) -> str | None:
    """What is wrong with a plugin name, if anything."""
    return _pep508(value, "plugin name", "walkie-talkie")


def package_problem(value: str) -> str | None:
    """What is wrong with a distribution name (PEP 508), if anything."""
    return _pep508(value, "distribution name", "fastrtc-my-vad")


def extra_problem(value: str) -> str | None:
    """What is wrong with an extra's name (PEP 685: normalised), if anything."""
    if len(value) > 40 or not _TAG.match(value):
        return (
            f"{short(value)} is not a normalised extra name (lower-case letters and digits "
            "with '-' between them, e.g. 'webrtc')"
        )
    return None


def object_problem(value: str) -> str | None:
    """What is wrong with a ``module:attr`` object reference, if anything."""
    if len(value) > 200 or value != value.strip() or not is_reference(value):
        return (
            f"{short(value)} is not a 'module:attr' reference "
            "(e.g. 'humaware_vad:HumAwareVADModel')"
        )
    return None


def url_problem(value: str) -> str | None:
    """What is wrong with a repository or demo link, if anything."""
    if len(value) > 2000 or any(ch.isspace() for ch in value) or has_control(value):
        return f"{short(value)} is too long or contains white space or control characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        return f"{short(value)} is not a URL: {exc}"
    if parts.scheme not in ("http", "https") or not host:
        return f"{short(value)} is not an http(s) URL; links must start with https:// or http://"
    return None


def specifier_problem(value: str) -> str | None:
    """What is wrong with a Requires-Python specifier set, if anything."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    problem = text_problem(value, 100)
    if problem:
        return problem
    try:
        SpecifierSet(value)
    except (InvalidSpecifier, ValueError):
        return f"{short(value)} is not a valid version specifier (e.g. '>=3.10' or '>=3.10,<3.14')"
    return None


def version_problem(value: str) -> str | None:
    """What is wrong with a package version (PEP 440), if anything."""
    from packaging.version import InvalidVersion, Version

    if len(value) > 100:
        return "is longer than 100 characters; not a real version"
    try:
        Version(value)
    except (InvalidVersion, ValueError):  # ValueError: integers past the digit limit
        return f"{short(value)} is not a valid version (PEP 440), e.g. '1.0.2'"
    return None


def tag_problem(value: str) -> str | None:
    """What is wrong with a tag, if anything."""
    if len(value) > 40 or not _TAG.match(value):
        return f"tag {short(value)} must be lower-case words joined by '-' (e.g. 'vad-model')"
    return None


def date_problem(value: str) -> str | None:
    """What is wrong with a ``YYYY-MM-DD`` date, if anything."""
    import datetime as dt

    try:
        if _DATE.match(value):
            dt.date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return "must be a date as YYYY-MM-DD"


def python_problem(value: str) -> str | None:
    """What is wrong with a Python version such as ``3.11.7``, if anything."""
    return None if _PYTHON.match(value) else "must be a Python version such as '3.11.7'"


def missing_or_wrong(raw: Mapping[str, Any], field: str, expected: str = "a string") -> str:
    """The message for a field that is missing or of the wrong type."""
    if field not in raw:
        return f"the field {field!r} is missing"
    return f"the field {field!r} must be {expected}, not {short(raw[field])}"


def unknown_fields(
    raw: Mapping[str, Any], known: frozenset[str], at: tuple[str | int, ...]
) -> Iterator[Problem]:
    """A problem for each key of ``raw`` not in ``known``."""
    for key in raw:
        if key not in known:
            yield Problem(
                json_pointer(*at, key),
                f"unknown field {short(key)}; known fields: {', '.join(sorted(known))}",
            )
