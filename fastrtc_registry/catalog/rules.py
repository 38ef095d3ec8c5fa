"""The one rule set of registry.json, shared by the parser and ``registry check``.

Each field rule takes one raw value and returns ``None`` when it is acceptable
or a message saying what is wrong and what a good value looks like;
:func:`document_problems` applies them all and returns every problem with its
JSON pointer. The parser refuses a document with problems (or, for a newer
``schema_version``, skips the entries that have them); the linter lists them.
Every rule is total: whatever the input (a 5000-digit version, control
characters, a wrong type) it answers with a problem, never an exception.
registry.schema.json describes the same rules for other tools; a test keeps
the two in agreement.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .._text import has_control
from ..names import KINDS, canonicalize

__all__ = [
    "KIND_TAGS",
    "SCHEMA_VERSION",
    "SELF_PACKAGE",
    "VALIDATION_COUNTS",
    "VALIDATION_STATUSES",
    "JsonObject",
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
    "version_problem",
]

SCHEMA_VERSION = 1
SELF_PACKAGE = "fastrtc-registry"

# The gallery's two filter tags, one per plugin kind (as on the seed page).
KIND_TAGS = {"vad": "vad-model", "turn-taking": "turn-taking-algorithm"}

VALIDATION_STATUSES = ("passed", "warning", "failed", "needs-network", "unsupported-python")
VALIDATION_COUNTS = ("passed", "failed", "warnings", "skipped", "needs_network", "errors")
_MAX_COUNT = 100_000

# PEP 508 names (distribution and plugin names alike).
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_IDENTIFIER}(\.{_IDENTIFIER})*"
_OBJECT = re.compile(rf"{_DOTTED}:{_DOTTED}\Z")
_TAG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_PYTHON = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}(\.[0-9]{1,4})?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


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


def _short(value: Any) -> str:
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


def _text_problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"is longer than {limit} characters"
    if has_control(value) or "\n" in value or "\t" in value:
        return f"{_short(value)} contains control characters; remove them"
    return None


def _pep508(value: str, what: str, example: str) -> str | None:
    problem = _text_problem(value, 100)
    if problem:
        return problem
    if not value:
        return f"the {what} is empty"
    if not _NAME.match(value):
        return (
            f"{_short(value)} is not a valid {what} (PEP 508: letters, digits and '-', '_' "
            f"or '.' between them, e.g. {example!r})"
        )
    return None


def name_problem(value: str) -> str | None:
    """What is wrong with a plugin name, if anything."""
    return _pep508(value, "plugin name", "walkie-talkie")


def package_problem(value: str) -> str | None:
    """What is wrong with a distribution name (PEP 508), if anything."""
    return _pep508(value, "distribution name", "fastrtc-my-vad")


def object_problem(value: str) -> str | None:
    """What is wrong with a ``module:attr`` object reference, if anything."""
    if len(value) > 200 or not _OBJECT.match(value):
        return (
            f"{_short(value)} is not a 'module:attr' reference "
            "(e.g. 'humaware_vad:HumAwareVADModel')"
        )
    return None


def url_problem(value: str) -> str | None:
    """What is wrong with a repository or demo link, if anything."""
    if len(value) > 2000 or any(ch.isspace() for ch in value) or has_control(value):
        return f"{_short(value)} is too long or contains white space or control characters"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        return f"{_short(value)} is not a URL: {exc}"
    if parts.scheme not in ("http", "https") or not host:
        return f"{_short(value)} is not an http(s) URL; links must start with https:// or http://"
    return None


def specifier_problem(value: str) -> str | None:
    """What is wrong with a Requires-Python specifier set, if anything."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    problem = _text_problem(value, 100)
    if problem:
        return problem
    try:
        SpecifierSet(value)
    except (InvalidSpecifier, ValueError):
        return f"{_short(value)} is not a valid version specifier (e.g. '>=3.10' or '>=3.10,<3.14')"
    return None


def version_problem(value: str) -> str | None:
    """What is wrong with a package version (PEP 440), if anything."""
    from packaging.version import InvalidVersion, Version

    if len(value) > 100:
        return "is longer than 100 characters; not a real version"
    try:
        Version(value)
    except (InvalidVersion, ValueError):  # ValueError: integers past the digit limit
        return f"{_short(value)} is not a valid version (PEP 440), e.g. '1.0.2'"
    return None


def tag_problem(value: str) -> str | None:
    """What is wrong with a tag, if anything."""
    if len(value) > 40 or not _TAG.match(value):
        return f"tag {_short(value)} must be lower-case words joined by '-' (e.g. 'vad-model')"
    return None


def _date_problem(value: str) -> str | None:
    import datetime as dt

    try:
        if _DATE.match(value):
            dt.date.fromisoformat(value)
            return None
    except ValueError:
        pass
    return "must be a date as YYYY-MM-DD"


def _python_problem(value: str) -> str | None:
    return None if _PYTHON.match(value) else "must be a Python version such as '3.11.7'"


Rule = Callable[[str], "str | None"]
# field -> (rule, nullable); every other field of an entry has its own check below.
_STRING_FIELDS: dict[str, tuple[Rule, bool]] = {
    "name": (name_problem, False),
    "package": (package_problem, False),
    "object": (object_problem, True),
    "summary": (lambda v: _text_problem(v, 200), False),
    "description": (lambda v: _text_problem(v, 4000), False),
    "repository": (url_problem, True),
    "demo": (url_problem, True),
    "requires_python": (specifier_problem, True),
}
_ENTRY_FIELDS = frozenset({*_STRING_FIELDS, "kind", "tags", "offline", "builtin", "validation"})
_RECORD_STRINGS: dict[str, Rule] = {
    "version": version_problem,
    "suite": version_problem,
    "fastrtc": lambda v: _text_problem(v, 100) or (None if v else "must not be empty"),
    "python": _python_problem,
    "date": _date_problem,
    "reason": lambda v: _text_problem(v, 300),
}
_RECORD_REQUIRED = ("version", "suite", "fastrtc", "python", "status", "date")
_RECORD_FIELDS = frozenset({*_RECORD_STRINGS, "status", *VALIDATION_COUNTS})


def _missing_or_wrong(raw: Mapping[str, Any], field: str, expected: str = "a string") -> str:
    if field not in raw:
        return f"the field {field!r} is missing"
    return f"the field {field!r} must be {expected}, not {_short(raw[field])}"


def _unknown(
    raw: Mapping[str, Any], known: frozenset[str], at: tuple[str | int, ...]
) -> Iterator[Problem]:
    for key in raw:
        if key not in known:
            yield Problem(
                json_pointer(*at, key),
                f"unknown field {_short(key)}; known fields: {', '.join(sorted(known))}",
            )


def entry_problems(raw: Any, index: int, *, strict: bool = True) -> list[Problem]:
    """What is wrong with ``/plugins/<index>``; ``strict`` also flags unknown fields."""
    at: tuple[str | int, ...] = ("plugins", index)
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "each plugin must be a JSON object")]
    problems: list[Problem] = []

    def add(field: str, message: str | None) -> None:
        if message:
            problems.append(Problem(json_pointer(*at, field), message))

    for field, (rule, nullable) in _STRING_FIELDS.items():
        if field not in raw and field not in ("name", "package"):
            continue
        value = raw.get(field)
        if value is None and nullable:
            continue
        if not isinstance(value, str):
            add(
                field, _missing_or_wrong(raw, field, "a string or null" if nullable else "a string")
            )
        else:
            add(field, rule(value))
    if raw.get("kind") not in KINDS:
        add("kind", _missing_or_wrong(raw, "kind", f"one of {', '.join(KINDS)}"))
    if raw.get("offline") is not None and not isinstance(raw["offline"], bool):
        add("offline", f"must be true, false or null, not {_short(raw['offline'])}")
    builtin = raw.get("builtin", False)
    if not isinstance(builtin, bool):
        add("builtin", f"must be true or false, not {_short(builtin)}")
    elif builtin and canonicalize(str(raw.get("package"))) != SELF_PACKAGE:
        add("builtin", f"only plugins of the package {SELF_PACKAGE!r} are built in")
    problems.extend(_tag_problems(raw.get("tags", []), (*at, "tags")))
    problems.extend(_record_problems(raw.get("validation"), (*at, "validation"), strict))
    if strict:
        problems.extend(_unknown(raw, _ENTRY_FIELDS, at))
    return problems


def _tag_problems(tags: Any, at: tuple[str | int, ...]) -> list[Problem]:
    if not isinstance(tags, list):
        return [Problem(json_pointer(*at), f"must be a list of strings, not {_short(tags)}")]
    if len(tags) > 20:
        return [Problem(json_pointer(*at), "has more than 20 tags")]
    problems = []
    for position, tag in enumerate(tags):
        message = tag_problem(tag) if isinstance(tag, str) else "each tag must be a string"
        if message is None and tag in tags[:position]:
            message = f"tag {tag!r} repeats an earlier tag"
        if message:
            problems.append(Problem(json_pointer(*at, position), message))
    return problems


def _record_problems(raw: Any, at: tuple[str | int, ...], strict: bool) -> list[Problem]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        return [Problem(json_pointer(*at), "must be an object or null")]
    problems = []
    status = raw.get("status")
    if status not in VALIDATION_STATUSES:
        problems.append(
            Problem(
                json_pointer(*at, "status"),
                _missing_or_wrong(raw, "status", f"one of {', '.join(VALIDATION_STATUSES)}"),
            )
        )
    for field, rule in _RECORD_STRINGS.items():
        value = raw.get(field)
        if field not in _RECORD_REQUIRED and value is None:
            continue
        if field == "version" and value is None and status == "unsupported-python":
            continue  # nothing could be installed here, so there is no version to name
        message = rule(value) if isinstance(value, str) else _missing_or_wrong(raw, field)
        if message:
            problems.append(Problem(json_pointer(*at, field), message))
    for field in VALIDATION_COUNTS:
        value = raw.get(field, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_COUNT:
            problems.append(
                Problem(json_pointer(*at, field), f"must be a count (an integer 0..{_MAX_COUNT})")
            )
    if strict:
        problems.extend(_unknown(raw, _RECORD_FIELDS, at))
    return problems


def _duplicate_keys(value: Any, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(value, JsonObject):
        for key in dict.fromkeys(value.duplicate_keys):
            yield Problem(
                json_pointer(*path, key),
                f"the key {_short(key)} appears more than once; only the last one counts",
            )
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _duplicate_keys(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _duplicate_keys(item, (*path, index))


def document_problems(doc: Mapping[str, Any]) -> list[Problem]:
    """Every problem of a registry document, in document order.

    A document with a newer ``schema_version`` than this tool knows may carry
    fields it does not know; only those are not flagged.
    """
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
    strict = not (isinstance(version, int) and version > SCHEMA_VERSION)
    if strict:
        problems.extend(
            _unknown(doc, frozenset({"$schema", "schema_version", "plugins", "removed"}), ())
        )
    plugins = doc.get("plugins")
    if not isinstance(plugins, list):
        problems.append(
            Problem("/plugins", _missing_or_wrong(doc, "plugins", "a list of plugin objects"))
        )
        plugins = []
    first_seen: dict[tuple[str, str], int] = {}
    listed: dict[str, int] = {}
    for index, raw in enumerate(plugins):
        problems.extend(entry_problems(raw, index, strict=strict))
        if not isinstance(raw, Mapping):
            continue
        name, kind, package = raw.get("name"), raw.get("kind"), raw.get("package")
        if isinstance(name, str) and kind in KINDS:
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
    problems.extend(_removed_problems(doc.get("removed"), listed, "removed" in doc, strict))
    problems.extend(_duplicate_keys(doc, ()))
    return sorted(problems, key=lambda p: (_sort_key(p.pointer), p.message))


def _removed_problems(
    removed: Any, listed: Mapping[str, int], present: bool, strict: bool
) -> list[Problem]:
    if not isinstance(removed, list):
        shape = (
            "must be a list of {package, reason} objects"
            if present
            else ("the field 'removed' is missing; add \"removed\": []")
        )
        return [Problem("/removed", shape)]
    problems = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(removed):
        at = ("removed", index)
        if not isinstance(raw, Mapping):
            problems.append(Problem(json_pointer(*at), "must be an object with package and reason"))
            continue
        package = raw.get("package")
        if not isinstance(package, str):
            message: str | None = _missing_or_wrong(raw, "package")
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
        message = (
            _text_problem(reason, 500)
            if isinstance(reason, str) and reason.strip()
            else "give the reason the package was removed"
        )
        if message:
            problems.append(Problem(json_pointer(*at, "reason"), message))
        if strict:
            problems.extend(_unknown(raw, frozenset({"package", "reason"}), at))
    return problems


def _sort_key(pointer: str) -> tuple[tuple[int, int, str], ...]:
    # Document order: numeric array indices compare as numbers.
    return tuple(
        (0, int(part), "") if part.isdigit() and len(part) < 10 else (1, 0, part)
        for part in pointer.split("/")
    )
