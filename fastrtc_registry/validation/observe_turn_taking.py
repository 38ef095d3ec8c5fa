"""Worker side: drive a turn-taking handler through scripted conversations; report what it did.

Frames are what WebRTC delivers (20 ms, int16, shape (1, N)), at 48 kHz
unless a probe says otherwise, fed by :func:`fastrtc_registry.simulate.drive_handlers`.
The handler gets :class:`ReferenceVAD`, a small deterministic energy
detector, and fastrtc's speech-to-text is the scripted model
(:mod:`.scripted_stt`), so what is observed depends on the algorithm alone.
What is said follows the plugin's tags (:mod:`.tags`, :mod:`.conversations`):
``tt.trigger`` finds the trigger that gets a reply, and the later probes
reuse it. Settings and state are reported as fingerprints (strings);
:mod:`fastrtc_registry.checks.turn_taking` judges everything in the parent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..checks import signals
from ..simulate import drive_handlers, running_loop, time_determine_pause
from .observe import State, observed_call, probe
from .protocol import ObserveReply

__all__ = [
    "FRAME",
    "RATE",
    "SCRIPT",
    "ReferenceVAD",
    "drive",
    "fingerprint",
    "reply_recorder",
]

RATE = 48000
FRAME = 960  # 20 ms
SCRIPT = {"lead_s": 1.0, "speech_s": 2.4, "trail_s": 6.0}


class ReferenceVAD:
    """Marks 10 ms frames louder than ``threshold_db`` dBFS as speech; no state."""

    def __init__(self, threshold_db: float = -40.0) -> None:
        self.threshold_db = threshold_db

    def warmup(self) -> None:
        """Nothing to load."""

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        """Seconds of speech and the speech spans, in samples."""
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        data = (
            data.astype(np.float32) / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
        )
        frame = max(1, rate // 100)
        count = len(data) // frame
        if count == 0:
            return 0.0, []
        frames = data[: count * frame].reshape(count, frame)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > self.threshold_db
        chunks: list[dict[str, int]] = []
        for index in np.flatnonzero(loud):
            start = int(index) * frame
            if chunks and chunks[-1]["end"] == start:
                chunks[-1]["end"] = start + frame
            else:
                chunks.append({"start": start, "end": start + frame})
        return sum(c["end"] - c["start"] for c in chunks) / rate, chunks


def reply_recorder(calls: list[tuple[int, np.ndarray]]) -> Callable[[Any], Any]:
    """A reply function that records the audio it is given and yields one frame."""

    def reply(audio: tuple[int, np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
        calls.append(audio)
        yield 24000, np.zeros((1, 480), dtype=np.int16)

    return reply


class _Raised(Exception):
    def __init__(self, record: Any) -> None:
        super().__init__(record.label)
        self.record = record


def _call(label: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    record, value = observed_call(label, func, *args, **kwargs)
    if record.error is not None:
        raise _Raised(record)
    return value


def drive(handler: Any, audio: np.ndarray, calls: list[Any], loop: Any) -> list[float]:
    """Feed ``audio`` (48 kHz int16, 1-D) frame by frame; the times (s) replies started."""
    replies = drive_handlers([handler], [audio], rate=RATE, call=_call, loop=loop)
    return [r.at_s for r in replies]


def script(*, speech: bool = True) -> np.ndarray:
    """Silence, a steady voiced sound, then quiet noise (or silence and noise only)."""
    parts = [signals.silence(RATE, SCRIPT["lead_s"])]
    if speech:
        parts.append(signals.voiced(RATE, SCRIPT["speech_s"]))
    trail = SCRIPT["trail_s"] if speech else SCRIPT["speech_s"] + SCRIPT["trail_s"]
    parts.append(signals.noise(RATE, trail, dbfs=-65.0))
    return np.concatenate(parts)


def _build(state: State, calls: list[Any], **kwargs: Any) -> Any:
    cls = state["object"]
    label = f"{cls.__qualname__}(fn, model=..., ...)"
    return _call(label, cls, reply_recorder(calls), model=ReferenceVAD(), **kwargs)


def _guarded(name: str, body: Callable[[Any], dict[str, Any]]) -> ObserveReply:
    # A call the plugin raised in ends the observation: that call is what is reported.
    try:
        with running_loop() as loop:
            facts = body(loop)
    except _Raised as raised:
        return ObserveReply(name, (raised.record,), {})
    return ObserveReply(name, (), facts)


@probe("tt.silent")
def _silent(state: State) -> ObserveReply:
    def body(loop: Any) -> dict[str, Any]:
        calls: list[Any] = []
        audio = script(speech=False)
        fired = drive(_build(state, calls), audio, calls, loop)
        return {"fired": fired, "audio_s": len(audio) / RATE}

    return _guarded("tt.silent", body)


SETTINGS = (
    "algo_options",
    "model_options",
    "can_interrupt",
    "expected_layout",
    "input_sample_rate",
    "output_sample_rate",
    "needs_args",
    "startup_fn",
)
NOT_STATE = {
    "model",
    "fn",
    "startup_fn",
    "_loop",
    "_clear_queue",
    "event",
    "args_set",
    "channel_set",
    "_channel",
    "_resampler",
    "latest_args",
}


def _settings(handler: Any) -> dict[str, Any]:
    found = {name: fingerprint(getattr(handler, name, None)) for name in SETTINGS}
    simple = {
        name: repr(value)
        for name, value in vars(handler).items()
        if not name.startswith("_")
        and name not in SETTINGS
        and name not in NOT_STATE
        and isinstance(value, (bool, int, float, str))
    }
    return {
        "settings": found,
        "simple": simple,
        "model": type(getattr(handler, "model", None)).__name__,
    }


@probe("tt.copy_settings")
def _copy_settings(state: State) -> ObserveReply:
    def body(loop: Any) -> dict[str, Any]:
        from fastrtc.reply_on_pause import AlgoOptions

        original = _build(
            state,
            [],
            algo_options=AlgoOptions(
                audio_chunk_duration=0.6, started_talking_threshold=0.25, speech_threshold=0.15
            ),
            model_options={"threshold_db": -40.0},
            can_interrupt=False,
        )
        copied = _call("copy()", original.copy)
        return {
            "type": type(copied).__qualname__,
            "same_type": type(copied) is type(original),
            "original": _settings(original),
            "copy": _settings(copied),
        }

    return _guarded("tt.copy_settings", body)


@probe("tt.copies_apart")
def _copies_apart(state: State) -> ObserveReply:
    def body(loop: Any) -> dict[str, Any]:
        calls: list[Any] = []
        parent = _build(state, calls)
        first, second = _call("copy()", parent.copy), _call("copy()", parent.copy)
        before = _snapshot(second)
        speech_end = SCRIPT["lead_s"] + SCRIPT["speech_s"]
        drive(first, script()[: int(RATE * speech_end)], calls, loop)
        return {
            "before": before,
            "after": _snapshot(second),
            "same_state": getattr(first, "state", None) is getattr(second, "state", object()),
        }

    return _guarded("tt.copies_apart", body)


def _snapshot(handler: Any) -> dict[str, str]:
    return {
        name: fingerprint(value) for name, value in vars(handler).items() if name not in NOT_STATE
    }


def fingerprint(value: Any, depth: int = 0) -> str:
    """A comparable text form of a setting or a piece of state."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}{value.dtype}:{hash(value.tobytes())}"
    if depth > 3:
        return type(value).__name__
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (
            f"{f.name}={fingerprint(getattr(value, f.name), depth + 1)}"
            for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({', '.join(fields)})"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k!r}: {fingerprint(v, depth + 1)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fingerprint(v, depth + 1) for v in value) + "]"
    if isinstance(value, (bool, int, float, str, type(None))):
        return repr(value)
    if isinstance(value, (threading.Event, asyncio.Event)):
        return f"Event({value.is_set()})"
    return f"<{type(value).__name__}>"


# -- conversations: the plugin's own trigger, two turns, rates, copies, real time --------


def _jsonable(value: Any, depth: int = 0) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if depth < 4 and isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if depth < 4 and isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    return repr(value)[:200]


def _conversation(
    state: State, conversations: list[Any], *, copies: bool = False
) -> list[dict[str, Any]]:
    """Drive fresh handlers (or copies of one) with ``conversations`` at once; the replies."""
    from .scripted_stt import render, scripted_model

    scripted_model().reset()
    audios = [render(c) for c in conversations]
    longest = max(len(a) for a in audios)
    audios = [np.concatenate([a, np.zeros(longest - len(a), np.int16)]) for a in audios]
    if copies:
        parent = _build(state, [])
        handlers = [_call("copy()", parent.copy) for _ in conversations]
    else:
        handlers = [_build(state, []) for _ in conversations]
    rate = conversations[0].rate
    with running_loop() as loop:
        replies = drive_handlers(handlers, audios, rate=rate, call=_call, loop=loop)
    return [{"at_s": r.at_s, "samples": r.samples, "handler": r.handler} for r in replies]


def _planned(state: State) -> dict[str, Any]:
    """The trigger ``tt.trigger`` settled on, and the handler's analysis window."""
    if "tt.plan" not in state:
        _trigger(state)
    if "tt.plan" not in state:  # the plugin raised while the trigger was sought
        from .conversations import Trigger

        state["tt.plan"] = {
            "trigger": Trigger(),
            "window_s": 0.6,
            "patience_s": 4.0,
            "replies": None,
        }
    planned: dict[str, Any] = state["tt.plan"]
    return planned


@probe("tt.trigger")
def _trigger(state: State) -> ObserveReply:
    """Tags, speech-to-text use, and the conversations tried until one got a reply."""
    from .conversations import Trigger, plan, triggers_to_try
    from .scripted_stt import scripted_model
    from .tags import InvalidTagsError, Tags, class_tags, environment_tags, merge_tags, parse_tags

    def body(loop: Any) -> dict[str, Any]:
        cls = state["object"]
        raw = _jsonable(class_tags(cls))
        try:
            tags = parse_tags(merge_tags(environment_tags(), raw))
        except InvalidTagsError:
            tags = Tags()  # the parent reports the tags; the conversations still run
        probe_handler = _build(state, [])
        options = getattr(probe_handler, "algo_options", None)
        window = getattr(options, "audio_chunk_duration", 0.6)
        window = float(window) if isinstance(window, (int, float)) else 0.6
        stop_words = getattr(probe_handler, "stop_words", None)
        stop_words = (
            [w for w in stop_words if isinstance(w, str)]
            if isinstance(stop_words, (list, tuple))
            else []
        )
        tried: list[dict[str, Any]] = []
        candidates = triggers_to_try(
            tags, uses_stt=bool(scripted_model().requested), stop_words=stop_words
        )
        chosen: Trigger | None = None
        for candidate in candidates:
            conversation = plan(candidate, rate=RATE, window_s=window, patience_s=tags.patience_s)
            replies = _conversation(state, [conversation])
            tried.append(
                {
                    "trigger": candidate.as_dict(),
                    "conversation": conversation.as_dict(),
                    "replies": replies,
                }
            )
            if replies:
                chosen = candidate
                break
            if candidate == Trigger() and scripted_model().requested and not tags.declared:
                # It asked for speech-to-text only while listening: try the keywords too.
                candidates += [
                    t
                    for t in triggers_to_try(tags, uses_stt=True, stop_words=stop_words)
                    if t not in candidates
                ]
        planned = chosen or candidates[0]
        state["tt.plan"] = {
            "trigger": planned,
            "window_s": window,
            "patience_s": tags.patience_s,
            # what the planned trigger got at 48 kHz, for tt.rates
            "replies": next(
                (t["replies"] for t in tried if t["trigger"] == planned.as_dict()), None
            ),
        }
        return {
            "tags": raw,
            "stt_requested": list(dict.fromkeys(scripted_model().requested)),
            "stop_words": stop_words,
            "window_s": window,
            "tried": tried,
        }

    return _guarded("tt.trigger", body)


def _plan_facts(planned: dict[str, Any], conversations: list[Any]) -> dict[str, Any]:
    return {
        "trigger": planned["trigger"].as_dict(),
        "window_s": planned["window_s"],
        "conversations": [c.as_dict() for c in conversations],
    }


def _scripted(
    name: str, state: State, make: Callable[[dict[str, Any]], list[Any]], **kw: Any
) -> ObserveReply:
    def body(loop: Any) -> dict[str, Any]:
        planned = _planned(state)
        conversations = make(planned)
        return {
            **_plan_facts(planned, conversations),
            "replies": _conversation(state, conversations, **kw),
        }

    return _guarded(name, body)


@probe("tt.no_trigger")
def _no_trigger(state: State) -> ObserveReply:
    """The same turn without its trigger (no keyword); nothing to feed for a pause trigger."""
    from .conversations import plan

    def body(loop: Any) -> dict[str, Any]:
        planned = _planned(state)
        if planned["trigger"].kind == "pause":
            return {**_plan_facts(planned, []), "replies": []}
        conversation = plan(
            planned["trigger"],
            rate=RATE,
            with_trigger=False,
            window_s=planned["window_s"],
            patience_s=planned["patience_s"],
        )
        return {
            **_plan_facts(planned, [conversation]),
            "replies": _conversation(state, [conversation]),
        }

    return _guarded("tt.no_trigger", body)


@probe("tt.two_turns")
def _two_turns(state: State) -> ObserveReply:
    """Two turns in a row to one handler."""
    from .conversations import plan

    return _scripted(
        "tt.two_turns",
        state,
        lambda p: [
            plan(
                p["trigger"], rate=RATE, turns=2, window_s=p["window_s"], patience_s=p["patience_s"]
            )
        ],
    )


@probe("tt.rates")
def _rates(state: State) -> ObserveReply:
    """The trigger conversation at 16, 24 and 48 kHz input, each to a fresh handler."""
    from .conversations import plan

    def body(loop: Any) -> dict[str, Any]:
        planned = _planned(state)
        by_rate = {}
        conversations = []
        for rate in (16000, 24000, 48000):
            conversation = plan(
                planned["trigger"],
                rate=rate,
                window_s=planned["window_s"],
                patience_s=planned["patience_s"],
            )
            conversations.append(conversation)
            known = planned["replies"] if rate == RATE else None
            by_rate[str(rate)] = (
                known if known is not None else _conversation(state, [conversation])
            )
        return {**_plan_facts(planned, conversations), "replies": by_rate}

    return _guarded("tt.rates", body)


@probe("tt.concurrent")
def _concurrent(state: State) -> ObserveReply:
    """Two copies of one handler, fed different conversations frame by frame at once."""
    from .conversations import plan
    from .scripted_stt import Conversation, Utterance

    def make(p: dict[str, Any]) -> list[Any]:
        first = plan(p["trigger"], rate=RATE, window_s=p["window_s"], patience_s=p["patience_s"])
        later = plan(
            p["trigger"],
            rate=RATE,
            window_s=p["window_s"],
            patience_s=p["patience_s"],
            first_turn=1,
        )
        # The second speaker starts later, by whole windows, so each turn is heard whole.
        shift = max(1, round(3.0 / p["window_s"])) * p["window_s"]
        moved = tuple(Utterance(round(u.start_s + shift, 3), u.text) for u in later.utterances)
        total = max(first.total_s, later.total_s + shift)
        return [Conversation(RATE, total, first.utterances), Conversation(RATE, total, moved)]

    return _scripted("tt.concurrent", state, make, copies=True)


@probe("tt.realtime")
def _realtime(state: State) -> ObserveReply:
    """Seconds per determine_pause call at 48 kHz, over the trigger conversation."""
    from .conversations import plan
    from .scripted_stt import render, scripted_model

    def body(loop: Any) -> dict[str, Any]:
        planned = _planned(state)
        conversation = plan(
            planned["trigger"], rate=RATE, window_s=planned["window_s"], patience_s=1.0
        )
        scripted_model().reset()
        audio = render(conversation)
        warm = _build(state, [])
        drive_handlers([warm], [audio[:RATE]], rate=RATE, call=_call, loop=loop)
        handler = _build(state, [])
        timings = time_determine_pause(handler)
        drive_handlers([handler], [audio], rate=RATE, call=_call, loop=loop)
        return {
            **_plan_facts(planned, [conversation]),
            "frame_s": FRAME / RATE,
            "audio_s": len(audio) / RATE,
            "timings_s": [round(t, 7) for t in timings],
        }

    return _guarded("tt.realtime", body)
