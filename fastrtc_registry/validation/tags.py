"""Plugin tags: what a plugin needs and what triggers it, as scikit-learn's ``__sklearn_tags__``.

A plugin states its tags as a class attribute (merged along the class's
bases, subclasses win)::

    class WalkieTalkie(ReplyOnPause):
        __fastrtc_tags__ = {"trigger": "keyword", "keywords": ["over"]}

or in its project's ``pyproject.toml`` (top-level keys apply to every
plugin of the package; a sub-table named after a plugin applies to it)::

    [tool.fastrtc-plugins]
    needs-network = true

    [tool.fastrtc-plugins.walkie-talkie]
    trigger = "keyword"
    keywords = ["over"]

The class attribute wins over pyproject. Which checks apply, and what they
expect, follows from :class:`Tags`; docs/authoring.md lists every tag.
Reading is pure: :func:`class_tags` returns the raw dict (the worker sends
it), :func:`parse_tags` validates it (the parent judges).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from ..names import canonicalize

__all__ = [
    "TAGS_ATTRIBUTE",
    "TAGS_VARIABLE",
    "InvalidTagsError",
    "KeywordPosition",
    "Tags",
    "Trigger",
    "class_tags",
    "environment_tags",
    "merge_tags",
    "parse_tags",
    "pyproject_tags",
]

TAGS_ATTRIBUTE = "__fastrtc_tags__"
TAGS_VARIABLE = "FASTRTC_PLUGINS_TAGS"  # pyproject tags, as JSON, from the parent to the worker
Trigger = Literal["pause", "keyword"]
KeywordPosition = Literal["end", "start"]
_TRIGGERS: tuple[Trigger, ...] = ("pause", "keyword")
_POSITIONS: tuple[KeywordPosition, ...] = ("end", "start")


class InvalidTagsError(ValueError):
    """Tags that are unknown or of the wrong type; ``problems`` lists each, all at once."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Tags:
    """What a plugin declares about itself; every field has the default a plain plugin gets."""

    trigger: Trigger = "pause"
    """``pause``: the turn ends when the speaker pauses (ReplyOnPause). ``keyword``: the
    turn is decided by words the speaker says (speech-to-text)."""
    keywords: tuple[str, ...] = ()
    """With ``trigger = "keyword"``: the words or phrases that trigger a reply."""
    keyword_position: KeywordPosition = "end"
    """``end``: the keyword ends the turn ("... over."). ``start``: a wake word opens
    the turn and the reply follows the next pause ("computer, what time is it?")."""
    stt: bool = False
    """Uses fastrtc's speech-to-text model (``get_stt_model``); implied by ``keyword``."""
    needs_network: bool = False
    """Building the plugin downloads files (model weights)."""
    semantic: bool = False
    """The turn's end is judged from what the speech sounds like (a model of turn
    completion, such as Smart Turn), not from the length of the pause alone."""
    patience_s: float = 4.0
    """Longest wait, in seconds after the turn ends, before a reply is due."""
    bench_sweep: Mapping[str, Any] | None = None
    """``{"setting": NAME, "values": [...]}``: the main setting ``bench`` sweeps for the
    trade-off curve (an ``AlgoOptions`` field or a keyword of the constructor); default
    for a pause-based plugin: ``audio_chunk_duration`` over 0.3-1.6 s."""
    declared: bool = False
    """True when any tag was declared (else these are the defaults or inferred)."""

    @property
    def uses_stt(self) -> bool:
        """True when the plugin listens to words."""
        return self.stt or self.trigger == "keyword"

    def describe(self) -> str:
        """One phrase for reports: ``keyword 'over' at the end of the turn``."""
        if self.trigger == "pause":
            return "a pause"
        words = " or ".join(repr(k) for k in self.keywords) or "a keyword"
        where = "at the end of the turn" if self.keyword_position == "end" else "opening the turn"
        return f"the keyword {words} {where}"

    def as_dict(self) -> dict[str, Any]:
        """JSON form (for reports)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}


_NAMES = tuple(f.name for f in fields(Tags) if f.name != "declared")


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def class_tags(cls: type) -> dict[str, Any]:
    """The raw ``__fastrtc_tags__`` of ``cls`` merged along its bases (subclasses win)."""
    merged: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        own = vars(klass).get(TAGS_ATTRIBUTE)
        if isinstance(own, Mapping):
            merged.update(own)
        elif own is not None:
            merged[TAGS_ATTRIBUTE] = own  # parse_tags reports it
    return merged


def environment_tags() -> dict[str, Any]:
    """The pyproject tags the parent passed to the worker (:data:`TAGS_VARIABLE`)."""
    import json
    import os

    try:
        data = json.loads(os.environ.get(TAGS_VARIABLE) or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def pyproject_tags(pyproject: Mapping[str, Any], plugin: str) -> dict[str, Any]:
    """The raw tags ``[tool.fastrtc-plugins]`` gives the plugin ``plugin``."""
    tool = pyproject.get("tool")
    table = tool.get("fastrtc-plugins") if isinstance(tool, Mapping) else None
    if not isinstance(table, Mapping):
        return {}
    wanted = canonicalize(plugin)
    shared = {k: v for k, v in table.items() if not _is_plugin_table(k, v)}
    own: Mapping[str, Any] = next(
        (v for k, v in table.items() if _is_plugin_table(k, v) and canonicalize(k) == wanted),
        {},
    )
    return {**shared, **own}


def _is_plugin_table(key: str, value: Any) -> bool:
    return isinstance(value, Mapping) and _key(key) not in _NAMES


def merge_tags(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Raw tag dicts merged left to right (later layers win), keys normalised."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update({_key(k): v for k, v in layer.items()})
    return merged


def _key(name: Any) -> str:
    return str(name).strip().replace("-", "_").lower()


def parse_tags(raw: Mapping[str, Any], *, source: str = TAGS_ATTRIBUTE) -> Tags:
    """Validate raw tags into :class:`Tags`; :class:`InvalidTagsError` names every problem."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, value in merge_tags(raw).items():
        if name == _key(TAGS_ATTRIBUTE):
            problems.append(f"{TAGS_ATTRIBUTE} must be a dict, not {type(value).__name__}")
            continue
        if name not in _NAMES:
            close = difflib.get_close_matches(name, _NAMES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"unknown tag {name!r}{hint}; known tags: {', '.join(_NAMES)}")
            continue
        checked = _check(name, value)
        if isinstance(checked, str):
            problems.append(checked)
        else:
            values[name] = checked[0]
    if values.get("trigger") == "keyword" and not values.get("keywords"):
        problems.append('trigger = "keyword" needs keywords = ["..."] (the words that trigger)')
    if values.get("keywords") and values.get("trigger", "keyword") != "keyword":
        problems.append('keywords are only read with trigger = "keyword"')
    if problems:
        raise InvalidTagsError(source, problems)
    if values.get("keywords") and "trigger" not in values:
        values["trigger"] = "keyword"
    return Tags(**values, declared=bool(values))


def _check(name: str, value: Any) -> tuple[Any] | str:
    if name == "trigger":
        if value in _TRIGGERS:
            return (value,)
        return f"trigger must be one of {', '.join(map(repr, _TRIGGERS))}, not {value!r}"
    if name == "keyword_position":
        if value in _POSITIONS:
            return (value,)
        return f"keyword_position must be one of {', '.join(map(repr, _POSITIONS))}, not {value!r}"
    if name == "keywords":
        if isinstance(value, str):
            value = [value]
        if (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(k, str) and k.strip() for k in value)
        ):
            return (tuple(k.strip() for k in value),)
        return f"keywords must be a non-empty list of words, not {value!r}"
    if name in ("stt", "needs_network", "semantic"):
        if isinstance(value, bool):
            return (value,)
        return f"{name} must be true or false, not {value!r}"
    if name == "patience_s":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 30:
            return (float(value),)
        return f"patience_s must be a number of seconds in (0, 30], not {value!r}"
    if name == "bench_sweep":
        return _check_sweep(value)
    return f"unknown tag {name!r}"  # pragma: no cover - _NAMES and _check agree


def _check_sweep(value: Any) -> tuple[Any] | str:
    import math

    wrong = f'bench_sweep must be {{"setting": NAME, "values": [2 to 20 numbers]}}, not {value!r}'[
        :300
    ]
    if not isinstance(value, Mapping) or set(value) != {"setting", "values"}:
        return wrong
    setting, values = value["setting"], value["values"]
    if not isinstance(setting, str) or not setting.isidentifier() or setting.startswith("_"):
        return wrong
    if not isinstance(values, (list, tuple)) or not 2 <= len(values) <= 20:
        return wrong
    if not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        return wrong
    return ({"setting": setting, "values": tuple(sorted(float(v) for v in values))},)
