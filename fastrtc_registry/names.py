"""Plugin kinds, entry-point groups and name canonicalisation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal, NewType

__all__ = [
    "GROUPS",
    "KINDS",
    "CanonicalName",
    "Kind",
    "canonicalize",
    "close_names",
    "did_you_mean",
    "kind_for_group",
    "parse_kind",
    "requirement",
    "split_qualified",
]

Kind = Literal["vad", "turn-taking"]
KINDS: tuple[Kind, ...] = ("vad", "turn-taking")
GROUPS: dict[Kind, str] = {"vad": "fastrtc.vad", "turn-taking": "fastrtc.turn_taking"}

CanonicalName = NewType("CanonicalName", str)

_SEPARATORS = re.compile(r"[-_.]+")


def canonicalize(name: str) -> CanonicalName:
    """Lower-case a plugin or package name and fold ``_`` and ``.`` runs into ``-``."""
    return CanonicalName(_SEPARATORS.sub("-", name.strip()).lower())


def close_names(wanted: str, names: Iterable[str]) -> list[str]:
    """Up to three of ``names`` close to ``wanted``, best first: the one "did you mean" rule."""
    import difflib  # only on the error path

    return difflib.get_close_matches(canonicalize(wanted), sorted(set(names)), n=3, cutoff=0.6)


def did_you_mean(close: Sequence[str]) -> str:
    """``did you mean 'a', 'b'?`` for what :func:`close_names` found ('' for nothing)."""
    return "did you mean " + ", ".join(repr(c) for c in close) + "?" if close else ""


def requirement(package: str, extra: str | None = None) -> str:
    """What pip is asked for: ``package`` normalised, with ``[extra]`` when there is one."""
    return f"{canonicalize(package)}[{extra}]" if extra else canonicalize(package)


def kind_for_group(group: str) -> Kind | None:
    """The plugin kind an entry-point group declares, or None for other groups."""
    for kind, known in GROUPS.items():
        if group == known:
            return kind
    return None


def parse_kind(value: str) -> Kind:
    """Accept ``vad``, ``turn-taking`` (or ``turn_taking``); raise ValueError otherwise."""
    folded = canonicalize(value)
    for kind in KINDS:
        if folded == kind:
            return kind
    raise ValueError(f"unknown plugin kind {value!r}: use one of {', '.join(KINDS)}")


def split_qualified(name: str) -> tuple[CanonicalName | None, CanonicalName]:
    """Split ``package:name`` into its canonical parts; a bare name has no package."""
    package, sep, plugin = name.rpartition(":")
    if not sep:
        return None, canonicalize(name)
    return canonicalize(package), canonicalize(plugin)
