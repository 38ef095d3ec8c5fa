"""What each worker probe reports besides its calls: one frozen dataclass per probe.

A probe builds one of these in the worker; the parent rebuilds it from the
reply with :func:`decode_facts`, which checks every field against its
annotation. A reply whose facts do not fit is a
:class:`~.protocol.ProtocolViolation` (the plugin interfered) before any
check reads it, so a check that meets a missing key or a wrong type has met
a bug of its own. Nested plans and tags that are only shown, never
computed on, stay JSON objects (``Json``). This module imports neither
numpy nor fastrtc: the parent imports it.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = [
    "FACTS",
    "ConcurrentFacts",
    "ConversationFacts",
    "ConversationPlan",
    "CopiesApartFacts",
    "CopyFacts",
    "CopySettingsFacts",
    "FactsError",
    "FirstCallFacts",
    "GrowthFacts",
    "InterleavedFacts",
    "Json",
    "NoFacts",
    "PlanFacts",
    "ProbeFacts",
    "RatesFacts",
    "RealtimeFacts",
    "ReplyAt",
    "Settings",
    "SilentFacts",
    "Spoken",
    "ThreadsFacts",
    "Tried",
    "TriggerFacts",
    "TriggerPlan",
    "decode_facts",
    "facts_json",
    "rebuild",
]

Json = dict[str, Any]
"""A JSON object the checks show but do not compute on (a plugin's raw tags)."""


T = TypeVar("T")


class FactsError(ValueError):
    """Facts that do not fit their probe's dataclass."""


@dataclass(frozen=True, slots=True)
class ProbeFacts:
    """The base of every probe's facts."""


@dataclass(frozen=True, slots=True)
class NoFacts(ProbeFacts):
    """A probe that reports only its calls."""


@dataclass(frozen=True, slots=True)
class CopyFacts(ProbeFacts):
    """``imp.copy``: the class ``copy()`` returned, and whether it is the handler's own."""

    type: str
    same_type: bool


@dataclass(frozen=True, slots=True)
class FirstCallFacts(ProbeFacts):
    """``vad.fastrtc_call``: whether ``warmup()`` had run, and ``vad()`` calls made before."""

    warmed_up: bool
    calls_before: int


@dataclass(frozen=True, slots=True)
class ThreadsFacts(ProbeFacts):
    """``vad.threads``: the chunk index of each threaded call, and the threads used."""

    jobs: tuple[int, ...]
    threads: int


@dataclass(frozen=True, slots=True)
class GrowthFacts(ProbeFacts):
    """``vad.growth``: (seconds of audio fed, bytes resident) after each call."""

    memory: tuple[tuple[float, int], ...]
    warmup_s: float
    fed_s: float
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class InterleavedFacts(ProbeFacts):
    """``vad.interleaved``: the streams' names and the chunks in each."""

    streams: tuple[str, ...]
    chunks: int


@dataclass(frozen=True, slots=True)
class ReplyAt:
    """One reply of a driven handler: when it started, its length, which handler gave it."""

    at_s: float
    samples: int
    handler: int


@dataclass(frozen=True, slots=True)
class TriggerPlan:
    """What ends a turn in a conversation: a pause, or ``keyword`` at ``position``."""

    kind: str
    keyword: str
    position: str


@dataclass(frozen=True, slots=True)
class Spoken:
    """One utterance of a conversation: its words and when they are said."""

    start_s: float
    text: str
    end_s: float


@dataclass(frozen=True, slots=True)
class ConversationPlan:
    """A scripted conversation: its rate, its length and its utterances."""

    rate: int
    total_s: float
    utterances: tuple[Spoken, ...]


@dataclass(frozen=True, slots=True)
class SilentFacts(ProbeFacts):
    """``tt.silent``: the times replies started while only silence and noise were fed."""

    fired: tuple[float, ...]
    audio_s: float


@dataclass(frozen=True, slots=True)
class Tried:
    """One trigger ``tt.trigger`` tried: the trigger, the conversation, the replies it got."""

    trigger: TriggerPlan
    conversation: ConversationPlan
    replies: tuple[ReplyAt, ...]


@dataclass(frozen=True, slots=True)
class TriggerFacts(ProbeFacts):
    """``tt.trigger``: the raw tags, speech-to-text use, and the triggers tried in order."""

    tags: Json
    stt_requested: tuple[str, ...]
    stop_words: tuple[str, ...]
    window_s: float
    tried: tuple[Tried, ...]


@dataclass(frozen=True, slots=True)
class PlanFacts(ProbeFacts):
    """The trigger the conversations follow, the analysis window, and the conversations."""

    trigger: TriggerPlan
    window_s: float
    conversations: tuple[ConversationPlan, ...]


@dataclass(frozen=True, slots=True)
class ConversationFacts(PlanFacts):
    """``tt.no_trigger``, ``tt.two_turns``: the replies to the conversations."""

    replies: tuple[ReplyAt, ...]


@dataclass(frozen=True, slots=True)
class RatesFacts(PlanFacts):
    """``tt.rates``: the replies to the conversation at each input rate (16000, ...)."""

    replies: dict[int, tuple[ReplyAt, ...]]


@dataclass(frozen=True, slots=True)
class ConcurrentFacts(PlanFacts):
    """``tt.concurrent``: each conversation's replies alone, then together to two copies."""

    alone: tuple[tuple[ReplyAt, ...], ...]
    replies: tuple[ReplyAt, ...]


@dataclass(frozen=True, slots=True)
class RealtimeFacts(PlanFacts):
    """``tt.realtime``: seconds per ``determine_pause`` call, the frame and the audio length."""

    frame_s: float
    audio_s: float
    timings_s: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    """Fingerprints of a handler's settings and simple attributes, and its model's type."""

    settings: dict[str, str]
    simple: dict[str, str]
    model: str


@dataclass(frozen=True, slots=True)
class CopySettingsFacts(ProbeFacts):
    """``tt.copy_settings``: a handler built with every setting changed, and its copy."""

    type: str
    same_type: bool
    original: Settings
    copy: Settings
    varying: tuple[str, ...]
    overridden: dict[str, str]
    rejected: dict[str, str]
    not_overridden: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CopiesApartFacts(ProbeFacts):
    """``tt.copies_apart``: one copy's state before and after the other copy was driven."""

    before: dict[str, str]
    after: dict[str, str]
    same_state: bool


FACTS: dict[str, type[ProbeFacts]] = {
    "imp.warmup": NoFacts,
    "imp.copy": CopyFacts,
    "vad.fastrtc_call": FirstCallFacts,
    "vad.basic": NoFacts,
    "vad.dtypes": NoFacts,
    "vad.rates": NoFacts,
    "vad.silence": NoFacts,
    "vad.edges": NoFacts,
    "vad.untouched": NoFacts,
    "vad.twice": NoFacts,
    "vad.threads": ThreadsFacts,
    "vad.latency": NoFacts,
    "vad.growth": GrowthFacts,
    "vad.interleaved": InterleavedFacts,
    "tt.silent": SilentFacts,
    "tt.trigger": TriggerFacts,
    "tt.no_trigger": ConversationFacts,
    "tt.two_turns": ConversationFacts,
    "tt.rates": RatesFacts,
    "tt.concurrent": ConcurrentFacts,
    "tt.realtime": RealtimeFacts,
    "tt.copy_settings": CopySettingsFacts,
    "tt.copies_apart": CopiesApartFacts,
}
"""The facts class of every probe, by the name checks list in ``needs``."""


def facts_json(facts: ProbeFacts | None) -> Json | None:
    """The JSON form of ``facts`` (tuples become lists)."""
    return None if facts is None else dataclasses.asdict(facts)


def rebuild(kind: type[T], data: Any) -> T:
    """``kind`` built from its JSON form, checked as :func:`decode_facts` checks."""
    value: T = _decode(kind, data, kind.__name__)
    return value


def decode_facts(probe: str, data: Any) -> ProbeFacts | None:
    """The facts of ``probe`` rebuilt from ``data``; :class:`FactsError` when they do not fit.

    ``None`` stays ``None``: the observation ended with a call that raised, and
    the checks report that call.
    """
    if data is None:
        return None
    cls = FACTS.get(probe)
    if cls is None:
        raise FactsError(f"no probe is called {probe[:80]!r}")
    value = _decode(cls, data, probe)
    assert isinstance(value, ProbeFacts)
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(kind: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is Any:
        return data
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, Mapping):
            raise FactsError(f"{where} is not an object")
        hints = _hints(kind)
        names = [f.name for f in dataclasses.fields(kind)]
        unknown = set(data) - set(names)
        missing = [n for n in names if n not in data]
        if unknown or missing:
            what = ", ".join([*(f"no {n!r}" for n in missing), *(f"{n!r}" for n in unknown)])
            raise FactsError(f"{where} does not fit {kind.__name__} ({what[:200]})")
        return kind(**{n: _decode(hints[n], data[n], f"{where}.{n}") for n in names})
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(data, (list, tuple)):
            raise FactsError(f"{where} is not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v, f"{where}[{i}]") for i, v in enumerate(data))
        if len(data) != len(args):
            raise FactsError(f"{where} has {len(data)} items, not {len(args)}")
        return tuple(
            _decode(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, data, strict=True))
        )
    if origin is dict:
        key, value = typing.get_args(kind)
        if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
            raise FactsError(f"{where} is not an object")
        return {
            _key(key, k, where): _decode(value, v, f"{where}[{k[:40]!r}]") for k, v in data.items()
        }
    if kind is bool:
        if not isinstance(data, bool):
            raise FactsError(f"{where} is not true or false")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise FactsError(f"{where} is not an integer")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise FactsError(f"{where} is not a number")
        return float(data)
    if kind is str:
        if not isinstance(data, str):
            raise FactsError(f"{where} is not a string")
        return data
    raise TypeError(f"facts of type {kind!r} have no decoder")  # a bug here, not the plugin's


def _key(kind: Any, key: str, where: str) -> Any:
    """A JSON object's key as the annotation wants it (JSON keys are strings)."""
    if kind is str:
        return key
    if kind is int and key.isascii() and key.isdigit() and len(key) < 10:
        return int(key)
    raise FactsError(f"{where} has the key {key[:40]!r}, not an integer")
