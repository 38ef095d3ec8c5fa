"""The one rule set of registry.json, shared by the parser and ``registry check``.

The value rules live in :mod:`fastrtc_registry.catalog.fields`;
:func:`document_problems` applies them field by field and returns every problem with its
JSON pointer. The parser refuses a document with problems (or, for a newer
``schema_version``, skips the entries that have them); the linter lists them.
Every rule is total: whatever the input (a 5000-digit version, control
characters, a wrong type) it answers with a problem, never an exception.
registry.schema.json describes the same rules for other tools; a test keeps
the two in agreement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..names import KINDS, canonicalize
from .fields import (
    JsonObject,
    Problem,
    Rule,
    extra_problem,
    json_pointer,
    missing_or_wrong,
    name_problem,
    object_problem,
    package_problem,
    short,
    specifier_problem,
    tag_problem,
    text_problem,
    unknown_fields,
    url_problem,
    version_problem,
)
from .record_rules import bench_problems, validation_problems

__all__ = [
    "FACT_TAGS",
    "KIND_TAGS",
    "SCHEMA_VERSION",
    "SELF_PACKAGE",
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
# Tags that state a fact the gallery filters and explains by -> the kinds they may describe.
FACT_TAGS: dict[str, tuple[str, ...]] = {
    "semantic": ("turn-taking",),  # decides the end of a turn from what was said
    "native-lib": ("vad", "turn-taking"),  # needs a system library (e.g. libc++1)
    "speech-to-text": ("vad", "turn-taking"),  # transcribes the user to decide
}


# field -> (rule, nullable); every other field of an entry has its own check below.
_STRING_FIELDS: dict[str, tuple[Rule, bool]] = {
    "name": (name_problem, False),
    "package": (package_problem, False),
    "object": (object_problem, True),
    "summary": (lambda v: text_problem(v, 200), False),
    "description": (lambda v: text_problem(v, 4000), False),
    "repository": (url_problem, True),
    "demo": (url_problem, True),
    "requires_python": (specifier_problem, True),
    "extra": (extra_problem, True),
}
_ENTRY_FIELDS = frozenset(
    {*_STRING_FIELDS, "kind", "tags", "offline", "builtin", "validation", "bench"}
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
            add(field, missing_or_wrong(raw, field, "a string or null" if nullable else "a string"))
        else:
            add(field, rule(value))
    if raw.get("kind") not in KINDS:
        add("kind", missing_or_wrong(raw, "kind", f"one of {', '.join(KINDS)}"))
    if raw.get("offline") is not None and not isinstance(raw["offline"], bool):
        add("offline", f"must be true, false or null, not {short(raw['offline'])}")
    builtin = raw.get("builtin", False)
    if not isinstance(builtin, bool):
        add("builtin", f"must be true or false, not {short(builtin)}")
    elif builtin and canonicalize(str(raw.get("package"))) != SELF_PACKAGE:
        add("builtin", f"only plugins of the package {SELF_PACKAGE!r} are built in")
    problems.extend(_tag_problems(raw.get("tags", []), (*at, "tags")))
    problems.extend(_fact_tag_problems(raw, (*at, "tags")))
    problems.extend(validation_problems(raw.get("validation"), (*at, "validation"), strict))
    problems.extend(bench_problems(raw.get("bench"), (*at, "bench"), strict))
    if strict:
        problems.extend(unknown_fields(raw, _ENTRY_FIELDS, at))
    return problems


def _tag_problems(tags: Any, at: tuple[str | int, ...]) -> list[Problem]:
    if not isinstance(tags, list):
        return [Problem(json_pointer(*at), f"must be a list of strings, not {short(tags)}")]
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


def _fact_tag_problems(raw: Mapping[str, Any], at: tuple[str | int, ...]) -> list[Problem]:
    tags, kind = raw.get("tags", []), raw.get("kind")
    if not isinstance(tags, list) or kind not in KINDS:
        return []
    return [
        Problem(
            json_pointer(*at, position),
            f"tag {tag!r} describes only {' or '.join(FACT_TAGS[tag])} plugins; remove it",
        )
        for position, tag in enumerate(tags)
        if tag in FACT_TAGS and kind not in FACT_TAGS[tag]
    ]


def _duplicate_keys(value: Any, path: tuple[str | int, ...]) -> Iterator[Problem]:
    if isinstance(value, JsonObject):
        for key in dict.fromkeys(value.duplicate_keys):
            yield Problem(
                json_pointer(*path, key),
                f"the key {short(key)} appears more than once; only the last one counts",
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
            unknown_fields(doc, frozenset({"$schema", "schema_version", "plugins", "removed"}), ())
        )
    plugins = doc.get("plugins")
    if not isinstance(plugins, list):
        problems.append(
            Problem("/plugins", missing_or_wrong(doc, "plugins", "a list of plugin objects"))
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
            message: str | None = missing_or_wrong(raw, "package")
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
            text_problem(reason, 500)
            if isinstance(reason, str) and reason.strip()
            else "give the reason the package was removed"
        )
        if message:
            problems.append(Problem(json_pointer(*at, "reason"), message))
        if strict:
            problems.extend(unknown_fields(raw, frozenset({"package", "reason"}), at))
    return problems


def _sort_key(pointer: str) -> tuple[tuple[int, int, str], ...]:
    # Document order: numeric array indices compare as numbers.
    return tuple(
        (0, int(part), "") if part.isdigit() and len(part) < 10 else (1, 0, part)
        for part in pointer.split("/")
    )
