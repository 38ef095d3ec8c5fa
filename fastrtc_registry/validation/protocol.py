"""The worker protocol: one frozen dataclass per request and per reply, to and from JSON.

A message travels as one JSON line ``{"run", "seq", "nonce", "type",
"body"}`` on a dedicated pipe (never stdout). The parent numbers its
requests and gives each a fresh random nonce; the worker answers each with
the same ``run``, ``seq`` and ``nonce``, so a reply written before its
request was sent (by plugin code, at import) cannot match. Replies carry raw
observations (values returned, exceptions raised, timings), never verdicts:
those are computed by the parent in :mod:`fastrtc_registry.checks`. Plugin
return values cross as tagged JSON (:func:`encode_value`), so the parent sees
their types without running plugin code.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

from .probe_facts import FactsError, ProbeFacts, decode_facts, facts_json

__all__ = [
    "MAX_ITEMS",
    "BenchReply",
    "BenchRequest",
    "BuildReply",
    "BuildRequest",
    "CallRecord",
    "Envelope",
    "ExcInfo",
    "FailureReply",
    "LoadReply",
    "LoadRequest",
    "ObjectFacts",
    "ObserveReply",
    "ObserveRequest",
    "Opaque",
    "PingReply",
    "PingRequest",
    "ProtocolViolation",
    "ReplayReply",
    "ReplayRequest",
    "Reply",
    "Request",
    "SignatureFact",
    "decode_message",
    "decode_value",
    "encode_message",
    "encode_value",
    "type_name",
]

MAX_ITEMS = 20000  # items of a list or dict sent back; more are cut off


class ProtocolViolation(Exception):
    """A reply that is malformed, unexpected or out of order: the plugin interfered."""


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value of a type the protocol does not carry (shown by type name and repr)."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return self.text


def type_name(value: Any) -> str:
    """The type name of a decoded value (the original type's for :class:`Opaque`)."""
    return value.type_name if isinstance(value, Opaque) else type(value).__name__


def encode_value(value: Any, depth: int = 0) -> Any:
    """A plugin value as tagged JSON: the type survives, containers are cut at MAX_ITEMS."""
    name = type(value).__name__
    if value is None or isinstance(value, (bool, str)):
        return {"t": name, "v": value if not isinstance(value, str) else value[:500]}
    if isinstance(value, numbers.Integral):
        return {"t": name, "i": int(value)}
    if isinstance(value, numbers.Real):
        number = float(value)
        return {"t": name, "f": number if math.isfinite(number) else repr(number)}
    if depth < 6 and isinstance(value, (list, tuple)):
        return {
            "t": name,
            "n": len(value),
            "items": [encode_value(v, depth + 1) for v in value[:MAX_ITEMS]],
        }
    if depth < 6 and isinstance(value, dict):
        pairs = list(value.items())[:MAX_ITEMS]
        return {
            "t": "dict",
            "n": len(value),
            "pairs": [[encode_value(k, depth + 1), encode_value(v, depth + 1)] for k, v in pairs],
        }
    try:
        text = repr(value)
    except Exception:  # a plugin's __repr__ may raise
        text = f"<{name}>"
    return {"t": name, "r": text[:200]}


def decode_value(data: Any) -> Any:
    """The parent's copy of an encoded value: builtins, or :class:`Opaque`."""
    if not isinstance(data, dict) or "t" not in data:
        raise ProtocolViolation(f"not an encoded value: {str(data)[:80]}")
    kind = str(data["t"])
    if "v" in data:
        return data["v"]
    if "i" in data:
        return int(data["i"])
    if "f" in data:
        return float(data["f"])
    if "items" in data:
        items = [decode_value(v) for v in data["items"]]
        return tuple(items) if kind == "tuple" else items
    if "pairs" in data:
        return {_key(decode_value(k)): decode_value(v) for k, v in data["pairs"]}
    return Opaque(kind, str(data.get("r", f"<{kind}>")))


def _key(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@dataclass(frozen=True, slots=True)
class ExcInfo:
    """An exception raised by plugin code, as facts."""

    type: str
    message: str
    network: bool = False
    """Classified as a failed download in the worker (``network_errors.is_network_error``)."""
    host: str | None = None
    """The host the plugin tried to reach, when the worker knows it."""
    bases: tuple[str, ...] = ()
    where: str | None = None
    """The innermost frame it was raised in: ``file.py:LINE in function``."""
    vad_rate: int | None = None
    """When it was raised inside a ``vad()`` call: that call's rate, dtype and shape."""
    vad_dtype: str | None = None
    vad_shape: tuple[int, ...] | None = None

    def line(self) -> str:
        """``Type: first line of the message``."""
        text = self.message.strip().splitlines()
        return f"{self.type}: {text[0]}" if text else self.type

    @property
    def is_memory(self) -> bool:
        """True for MemoryError (the worker's memory limit was hit)."""
        return "MemoryError" in (self.type, *self.bases)


@dataclass(frozen=True, slots=True)
class SignatureFact:
    """How one method's signature binds the protocol's call."""

    method: str
    present: bool
    signature: str | None = None
    bind_error: str | None = None
    required_keyword_only: bool = False


@dataclass(frozen=True, slots=True)
class ObjectFacts:
    """What an entry point's object is, read without building it."""

    qualname: str
    type_name: str
    is_class: bool
    is_callable: bool
    missing_methods: tuple[str, ...] = ()
    """Of vad/warmup, those the class lacks (VAD kind only)."""
    is_reply_on_pause: bool = False
    copy_owner: str | None = None
    copy_inherited: bool = False
    """copy() comes from fastrtc's ReplyOnPause, and the class is a subclass."""
    signatures: tuple[SignatureFact, ...] = ()


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call of plugin code: its input, what it returned or raised, and how long it took."""

    label: str
    answer: Any = None
    """The return value, decoded (see :func:`decode_value`)."""
    error: ExcInfo | None = None
    elapsed_s: float = 0.0
    rate: int = 0
    samples: int = 0
    dtype: str | None = None
    """The input array's dtype and shape, for calls given one."""
    shape: tuple[int, ...] | None = None
    changed: int | None = None
    """Input samples the call modified in place, when measured."""


class _Message:
    """JSON conversion shared by every request and reply."""

    __slots__ = ()
    TYPE: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        """The body of this message."""
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


def _to_json(value: Any) -> Any:
    if isinstance(value, ProbeFacts):
        return facts_json(value)
    if isinstance(value, (ExcInfo, SignatureFact, ObjectFacts, CallRecord)):
        data = {f.name: _to_json(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, CallRecord):
            data["answer"] = value.answer  # already encoded by the worker
        return data
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class LoadRequest(_Message):
    """Import the entry point's object and describe it."""

    TYPE: ClassVar[str] = "load"
    object: str
    kind: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class BuildRequest(_Message):
    """Build the loaded object as fastrtc would (a VAD model, or a handler)."""

    TYPE: ClassVar[str] = "build"


@dataclass(frozen=True, slots=True)
class ObserveRequest(_Message):
    """Run one named observation (``vad.basic``, ``tt.replies``...) on the built object."""

    TYPE: ClassVar[str] = "observe"
    probe: str


@dataclass(frozen=True, slots=True)
class BenchRequest(_Message):
    """Benchmark one installed VAD plugin (``fastrtc_registry.bench:bench_action``)."""

    TYPE: ClassVar[str] = "bench"
    name: str


@dataclass(frozen=True, slots=True)
class ReplayRequest(_Message):
    """Run (VAD, turn-taking) pairs over a recording (``fastrtc_registry.replay:replay_action``)."""

    TYPE: ClassVar[str] = "replay"
    path: str
    """A mono int16 WAV the parent wrote from the user's file."""
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PingRequest(_Message):
    """Answer at once: the worker is alive and its channel is in step (ends every run)."""

    TYPE: ClassVar[str] = "ping"


@dataclass(frozen=True, slots=True)
class PingReply(_Message):
    """The worker is alive."""

    TYPE: ClassVar[str] = "ping"


@dataclass(frozen=True, slots=True)
class LoadReply(_Message):
    """The import's outcome and the object's facts."""

    TYPE: ClassVar[str] = "load"
    error: ExcInfo | None = None
    facts: ObjectFacts | None = None
    elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class BuildReply(_Message):
    """The build's outcome, the built object's type and its methods' signatures."""

    TYPE: ClassVar[str] = "build"
    error: ExcInfo | None = None
    built_type: str | None = None
    signatures: tuple[SignatureFact, ...] = ()
    elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class ObserveReply(_Message):
    """The calls one observation made, plus its probe's typed facts (:mod:`.probe_facts`).

    ``facts`` is None when the observation ended with a call that raised.
    """

    TYPE: ClassVar[str] = "observe"
    probe: str
    calls: tuple[CallRecord, ...] = ()
    facts: ProbeFacts | None = None
    error: ExcInfo | None = None


@dataclass(frozen=True, slots=True)
class BenchReply(_Message):
    """What ``bench_action`` returned."""

    TYPE: ClassVar[str] = "bench"
    answer: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReplayReply(_Message):
    """What ``replay_action`` returned."""

    TYPE: ClassVar[str] = "replay"
    answer: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FailureReply(_Message):
    """The worker could not carry out the request (nothing the plugin did)."""

    TYPE: ClassVar[str] = "failure"
    error: ExcInfo


Request = LoadRequest | BuildRequest | ObserveRequest | BenchRequest | ReplayRequest | PingRequest
Reply = LoadReply | BuildReply | ObserveReply | BenchReply | ReplayReply | PingReply | FailureReply
_REQUESTS: dict[str, type[Any]] = {
    c.TYPE: c
    for c in (LoadRequest, BuildRequest, ObserveRequest, BenchRequest, ReplayRequest, PingRequest)
}
_REPLIES: dict[str, type[Any]] = {
    c.TYPE: c
    for c in (
        LoadReply,
        BuildReply,
        ObserveReply,
        BenchReply,
        ReplayReply,
        PingReply,
        FailureReply,
    )
}
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message on the wire: its run, its number, the request's nonce, and the message."""

    run: str
    seq: int
    nonce: str
    message: Any


def encode_message(run: str, seq: int, message: Request | Reply, nonce: str = "") -> bytes:
    """One JSON line carrying ``message`` for run ``run``, number ``seq``, echoing ``nonce``."""
    envelope = {
        "run": run,
        "seq": seq,
        "nonce": nonce,
        "type": message.TYPE,
        "body": message.to_json(),
    }
    return (json.dumps(envelope, allow_nan=False, default=str) + "\n").encode()


def decode_message(line: bytes, *, replies: bool) -> Envelope:
    """The envelope in one line; :class:`ProtocolViolation` when it is malformed."""
    try:
        envelope = json.loads(line)
        run, seq, nonce, kind, body = (envelope[k] for k in ("run", "seq", "nonce", "type", "body"))
        table = _REPLIES if replies else _REQUESTS
        message = _build(table[kind], body)
    except ProtocolViolation:
        raise
    except Exception as exc:
        raise ProtocolViolation(f"a malformed message ({type(exc).__name__}: {exc})") from exc
    if not isinstance(run, str) or not isinstance(seq, int) or not isinstance(nonce, str):
        raise ProtocolViolation("a message without a run id, sequence number and nonce")
    return Envelope(run, seq, nonce, message)


def _shape(value: Any) -> tuple[int, ...] | None:
    return None if value is None else tuple(int(n) for n in value)


def _build(cls: type[M], body: Mapping[str, Any]) -> M:
    values = {}
    for spec in fields(cls):  # type: ignore[arg-type]
        if spec.name not in body:
            continue
        if cls is ObserveReply and spec.name == "facts":
            try:
                values["facts"] = decode_facts(str(body.get("probe")), body["facts"])
            except FactsError as exc:
                raise ProtocolViolation(f"the facts of {body.get('probe')!r}: {exc}") from None
            continue
        values[spec.name] = _field(cls.__name__, spec.name, body[spec.name])
    message = cls(**values)
    _complete(message)
    return message


def _complete(message: Any) -> None:
    """A reply that says neither what happened nor what went wrong is forged."""
    if isinstance(message, LoadReply) and message.error is None and message.facts is None:
        raise ProtocolViolation("a load reply with neither facts nor an error")
    if (
        isinstance(message, ObserveReply)
        and message.facts is None
        and message.error is None
        and not any(c.error is not None for c in message.calls)
    ):
        raise ProtocolViolation(
            f"an observation of {message.probe!r} with neither facts nor a failed call"
        )


def _field(owner: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "error":
        return ExcInfo(
            **{
                **value,
                "bases": tuple(value.get("bases", ())),
                "vad_shape": _shape(value.get("vad_shape")),
            }
        )
    if name == "facts" and owner == "LoadReply":
        return ObjectFacts(
            **{
                **value,
                "missing_methods": tuple(value.get("missing_methods", ())),
                "signatures": tuple(SignatureFact(**s) for s in value.get("signatures", ())),
            }
        )
    if name == "signatures":
        return tuple(SignatureFact(**s) for s in value)
    if name == "calls":
        return tuple(
            CallRecord(
                **{
                    **c,
                    "answer": decode_value(c["answer"]) if c.get("answer") is not None else None,
                    "error": _field(owner, "error", c.get("error")),
                    "shape": _shape(c.get("shape")),
                }
            )
            for c in value
        )
    if name == "answer" and not isinstance(value, dict):
        raise ProtocolViolation(f"{owner}.{name} is not an object")
    return value
