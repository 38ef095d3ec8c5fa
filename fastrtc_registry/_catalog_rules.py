"""Field rules of registry.json shared by the catalog parser and ``registry check``.

Each rule takes one raw value and returns ``None`` when it is acceptable or a
message saying what is wrong and what a good value looks like. The parser
applies them so a hostile hosted catalog cannot put a path, a shell fragment or
a ``javascript:`` link in front of a user; the linter reports them with JSON
pointers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .names import KINDS, canonicalize

__all__ = [
    "KIND_TAGS",
    "SELF_PACKAGE",
    "Problem",
    "document_problems",
    "entry_problems",
    "json_pointer",
    "name_problem",
    "object_problem",
    "package_problem",
    "specifier_problem",
    "tag_problem",
    "url_problem",
]

SELF_PACKAGE = "fastrtc-registry"

# The gallery's two filter tags, one per plugin kind (as on the seed page).
KIND_TAGS = {"vad": "vad-model", "turn-taking": "turn-taking-algorithm"}

_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENTIFIER}(\.{_IDENTIFIER})*"
_OBJECT = re.compile(rf"{_DOTTED}:{_DOTTED}\Z")
_TAG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_MAX_NAME = 100


def json_pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer from path parts (``~`` and ``/`` escaped)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _unsafe(value: str) -> str | None:
    if any(ch in value for ch in "/\\") or ".." in value or value.startswith("."):
        return f"{value!r} looks like a file path; use letters, digits, '-', '_' and '.' only"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return f"{value!r} contains control characters"
    if any(ch.isspace() for ch in value):
        return f"{value!r} contains white space"
    return None


def name_problem(value: str) -> str | None:
    """What is wrong with a plugin name, if anything."""
    if not value:
        return "the name is empty"
    if len(value) > _MAX_NAME:
        return f"the name is longer than {_MAX_NAME} characters"
    unsafe = _unsafe(value)
    if unsafe:
        return unsafe
    if not _NAME.match(value):
        return (
            f"{value!r} is not a valid plugin name; use letters, digits and '-', '_' or '.' "
            "between them (e.g. 'walkie-talkie')"
        )
    return None


def package_problem(value: str) -> str | None:
    """What is wrong with a distribution name (PEP 508), if anything."""
    if not value:
        return "the package name is empty"
    if len(value) > _MAX_NAME:
        return f"the package name is longer than {_MAX_NAME} characters"
    unsafe = _unsafe(value)
    if unsafe:
        return unsafe
    if not _NAME.match(value):
        return f"{value!r} is not a valid distribution name (PEP 508), e.g. 'fastrtc-my-vad'"
    return None


def object_problem(value: str) -> str | None:
    """What is wrong with a ``module:attr`` object reference, if anything."""
    if not _OBJECT.match(value):
        return f"{value!r} is not a 'module:attr' reference (e.g. 'humaware_vad:HumAwareVADModel')"
    return None


def url_problem(value: str) -> str | None:
    """What is wrong with a repository or demo link, if anything."""
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return f"{value!r} contains white space or control characters"
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return f"{value!r} is not a URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{value!r} is not an http(s) URL; links must start with https:// or http://"
    return None


def specifier_problem(value: str) -> str | None:
    """What is wrong with a Requires-Python specifier set, if anything."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        return f"{value!r} is not a valid version specifier (e.g. '>=3.10' or '>=3.10,<3.14')"
    return None


def tag_problem(value: str) -> str | None:
    """What is wrong with a tag, if anything."""
    if not _TAG.match(value):
        return f"tag {value!r} must be lower-case words joined by '-' (e.g. 'vad-model')"
    return None


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a registry document, at a JSON pointer."""

    pointer: str
    message: str


_VALIDATION_STRINGS = ("version", "fastrtc", "python", "status", "date")
_VALIDATION_COUNTS = ("passed", "failed", "warnings", "skipped", "errors")
_VALIDATION_STATUSES = ("passed", "warning", "failed")


def entry_problems(raw: Any, index: int) -> list[Problem]:
    """What is wrong with ``/plugins/<index>``, checked field by field."""
    at = ("plugins", index)
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "each plugin must be a JSON object")]
    problems: list[Problem] = []

    def add(field: str, message: str | None) -> None:
        if message:
            problems.append(Problem(json_pointer(*at, field), message))

    for field, rule in (("name", name_problem), ("package", package_problem)):
        value = raw.get(field)
        if not isinstance(value, str):
            add(field, _missing_or_wrong(raw, field))
        else:
            add(field, rule(value))
    kind = raw.get("kind")
    if kind not in KINDS:
        add("kind", _missing_or_wrong(raw, "kind", f"one of {', '.join(KINDS)}"))
    for field, rule in (
        ("object", object_problem),
        ("repository", url_problem),
        ("demo", url_problem),
        ("requires_python", specifier_problem),
    ):
        value = raw.get(field)
        if value is None:
            continue
        add(
            field,
            rule(value)
            if isinstance(value, str)
            else f"must be a string or null, not {_short(value)}",
        )
    for field in ("summary", "description"):
        if field in raw and not isinstance(raw[field], str):
            add(field, f"must be a string, not {_short(raw[field])}")
    for field in ("offline", "builtin"):
        value = raw.get(field)
        if value is not None and not isinstance(value, bool):
            add(field, f"must be true, false or null, not {_short(value)}")
    if raw.get("builtin") is True and canonicalize(str(raw.get("package"))) != SELF_PACKAGE:
        add("builtin", f"only plugins of the package {SELF_PACKAGE!r} are built in")
    tags = raw.get("tags", [])
    if not isinstance(tags, list):
        add("tags", f"must be a list of strings, not {_short(tags)}")
    else:
        for position, tag in enumerate(tags):
            message = tag_problem(tag) if isinstance(tag, str) else "each tag must be a string"
            if message:
                problems.append(Problem(json_pointer(*at, "tags", position), message))
    problems.extend(_validation_problems(raw.get("validation"), (*at, "validation")))
    return problems


def _validation_problems(raw: Any, at: tuple[str | int, ...]) -> list[Problem]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "must be an object or null")]
    problems = []
    for field in _VALIDATION_STRINGS:
        if not isinstance(raw.get(field), str):
            problems.append(Problem(json_pointer(*at, field), _missing_or_wrong(raw, field)))
    for field in _VALIDATION_COUNTS:
        value = raw.get(field, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(Problem(json_pointer(*at, field), "must be a count (an integer >= 0)"))
    if isinstance(raw.get("status"), str) and raw["status"] not in _VALIDATION_STATUSES:
        problems.append(
            Problem(
                json_pointer(*at, "status"), f"must be one of {', '.join(_VALIDATION_STATUSES)}"
            )
        )
    if isinstance(raw.get("date"), str):
        import datetime as dt

        try:
            dt.date.fromisoformat(raw["date"])
        except ValueError:
            problems.append(Problem(json_pointer(*at, "date"), "must be a date as YYYY-MM-DD"))
    if isinstance(raw.get("version"), str):
        from packaging.version import InvalidVersion, Version

        try:
            Version(raw["version"])
        except InvalidVersion:
            problems.append(
                Problem(
                    json_pointer(*at, "version"),
                    f"{raw['version']!r} is not a valid version (PEP 440)",
                )
            )
    return problems


def document_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Every semantic problem of a registry document, in document order."""
    problems: list[Problem] = []
    version = doc.get("schema_version")
    if "schema_version" not in doc:
        problems.append(
            Problem(
                "/schema_version",
                "the field 'schema_version' is missing; add \"schema_version\": 1",
            )
        )
    elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(Problem("/schema_version", "must be a positive integer (e.g. 1)"))
    plugins = doc.get("plugins", [])
    if not isinstance(plugins, list):
        problems.append(Problem("/plugins", "must be a list of plugin objects"))
        plugins = []
    first_seen: dict[tuple[str, str], int] = {}
    listed: dict[str, int] = {}
    for index, raw in enumerate(plugins):
        problems.extend(entry_problems(raw, index))
        if not isinstance(raw, Mapping):
            continue
        name, kind, package = raw.get("name"), raw.get("kind"), raw.get("package")
        if isinstance(name, str) and isinstance(kind, str):
            key = (kind, canonicalize(name))
            if key in first_seen:
                problems.append(
                    Problem(
                        json_pointer("plugins", index, "name"),
                        f"duplicate {kind} plugin name {key[1]!r}: also at "
                        f"{json_pointer('plugins', first_seen[key])}; names are compared "
                        "canonicalised and must be unique per kind",
                    )
                )
            else:
                first_seen[key] = index
        if isinstance(package, str):
            listed.setdefault(canonicalize(package), index)
    problems.extend(_removed_problems(doc.get("removed", []), listed))
    return problems


def _removed_problems(removed: Any, listed: Mapping[str, int]) -> list[Problem]:
    if not isinstance(removed, list):
        return [Problem("/removed", "must be a list of {package, reason} objects")]
    problems = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(removed):
        at = ("removed", index)
        if not isinstance(raw, Mapping):
            problems.append(Problem(json_pointer(*at), "must be an object with package and reason"))
            continue
        package = raw.get("package")
        if not isinstance(package, str):
            problems.append(
                Problem(json_pointer(*at, "package"), _missing_or_wrong(raw, "package"))
            )
        else:
            message = package_problem(package)
            key = canonicalize(package)
            if message is None and key in listed:
                message = (
                    f"{package!r} is also listed at {json_pointer('plugins', listed[key])}; "
                    "a package is either listed or removed, not both"
                )
            elif message is None and key in seen:
                message = f"{package!r} is already removed at {json_pointer('removed', seen[key])}"
            seen.setdefault(key, index)
            if message:
                problems.append(Problem(json_pointer(*at, "package"), message))
        reason = raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(
                Problem(json_pointer(*at, "reason"), "give the reason the package was removed")
            )
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _missing_or_wrong(raw: Mapping[str, Any], field: str, expected: str = "a string") -> str:
    if field not in raw:
        return f"the field {field!r} is missing"
    return f"the field {field!r} must be {expected}, not {_short(raw[field])}"
