"""Replay a user's own recording through handlers: where each would have replied.

Parent side, :func:`replay`: the recording is decoded and checked first
(:mod:`.audio_file`), written as mono int16 WAV to a temporary file, and a
worker (the validator's, with its timeout and memory limit) runs every
(VAD, turn-taking) pair over it with the one handler driver
(:func:`fastrtc_registry.simulate.drive_handler`): WebRTC-shaped 48 kHz
frames, then :data:`TAIL_S` of silence so a reply to the last words is seen.
The parent turns what the worker saw into events: the speech each VAD heard,
each reply with its delay from the end of speech, and turns, marked where the
algorithms disagree.

Turns come from the first VAD's speech: spans less than :data:`MERGE_GAP_S`
apart are one utterance, and each reply answers the last utterance that
ended before it. A turn is listed when any algorithm replied to it; it is
marked when one algorithm replied and another did not, or when their delays
differ by more than :data:`TOLERANCE_S`.

Worker side, :func:`replay_action`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .audio_file import Recording, read_audio
from .deadlines import BENCH_TIMEOUT
from .errors import WorkerError
from .stream import CHUNK_S, WEBRTC_RATE

__all__ = [
    "DEFAULT_TURN_TAKING",
    "DEFAULT_VAD",
    "MERGE_GAP_S",
    "TAIL_S",
    "TOLERANCE_S",
    "ReplayResult",
    "ReplyEvent",
    "Run",
    "Turn",
    "VadTrack",
    "choose_pairs",
    "replay",
    "replay_action",
]

DEFAULT_VAD = "silero"
"""What ReplyOnPause uses by default; it needs the Hugging Face hub for its weights."""
DEFAULT_TURN_TAKING = "pause"
TAIL_S = 3.0
"""Silence appended to the recording, so that a reply to its last words can fire."""
MERGE_GAP_S = 0.3
"""Speech spans closer than this are one utterance."""
TOLERANCE_S = 0.3
"""Reply delays within this of each other agree."""
RATE = WEBRTC_RATE


@dataclass(frozen=True, slots=True)
class VadTrack:
    """Where one VAD heard speech, in seconds; ``error`` when it could not run."""

    name: str
    spans: tuple[tuple[float, float], ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyEvent:
    """One reply: when it fired, after which turn, how long after the end of speech."""

    at_s: float
    turn: int | None
    """The turn it answers (1-based), None before any speech."""
    delay_s: float | None


@dataclass(frozen=True, slots=True)
class Run:
    """One (VAD, turn-taking) pair over the recording."""

    vad: str
    turn_taking: str
    replies: tuple[ReplyEvent, ...] = ()
    error: str | None = None

    @property
    def label(self) -> str:
        """``turn-taking (vad)``, as lanes and columns are named."""
        return f"{self.turn_taking} ({self.vad})"


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance some algorithm replied to; ``delays_s`` per run, None when it did not."""

    index: int
    start_s: float
    end_s: float
    delays_s: tuple[float | None, ...]
    """In the order of :attr:`ReplayResult.runs` (None also for a run that failed)."""
    disagreement: str | None = None
    """Why the algorithms disagree here, or None when they agree."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Everything ``replay`` found: the recording, VAD speech, replies and turns."""

    path: str
    rate: int
    channels: int
    encoding: str
    duration_s: float
    vads: tuple[VadTrack, ...]
    runs: tuple[Run, ...]
    turns: tuple[Turn, ...]
    tolerance_s: float = TOLERANCE_S

    def as_dict(self) -> dict[str, Any]:
        """The ``replay --json`` form."""
        return {
            "path": self.path,
            "rate": self.rate,
            "channels": self.channels,
            "encoding": self.encoding,
            "duration_s": self.duration_s,
            "tolerance_s": self.tolerance_s,
            "vads": [
                {"name": v.name, "speech": [list(s) for s in v.spans], "error": v.error}
                for v in self.vads
            ],
            "runs": [
                {
                    "label": r.label,
                    "vad": r.vad,
                    "turn_taking": r.turn_taking,
                    "error": r.error,
                    "replies": [
                        {"at_s": e.at_s, "turn": e.turn, "delay_s": e.delay_s} for e in r.replies
                    ],
                }
                for r in self.runs
            ],
            "turns": [
                {
                    "turn": t.index,
                    "start_s": t.start_s,
                    "end_s": t.end_s,
                    "delays_s": {r.label: d for r, d in zip(self.runs, t.delays_s, strict=True)},
                    "disagreement": t.disagreement,
                }
                for t in self.turns
            ],
        }


def choose_pairs(vads: Sequence[str], turn_takings: Sequence[str]) -> list[tuple[str, str]]:
    """Every turn-taking algorithm with the first VAD, then ``pause`` with each other VAD."""
    vads = list(vads) or [DEFAULT_VAD]
    turn_takings = list(turn_takings) or [DEFAULT_TURN_TAKING]
    pairs = [(vads[0], tt) for tt in turn_takings]
    pairs += [(vad, DEFAULT_TURN_TAKING) for vad in vads[1:]]
    return list(dict.fromkeys(pairs))


def replay(
    path: str | Path,
    *,
    vads: Sequence[str] = (),
    turn_takings: Sequence[str] = (),
    timeout: float = BENCH_TIMEOUT,
    memory: int | str | None = None,
    recording: Recording | None = None,
) -> ReplayResult:
    """Run each (VAD, turn-taking) pair of :func:`choose_pairs` over the recording at ``path``.

    The file is decoded and checked before any worker starts
    (:class:`~fastrtc_registry.errors.AudioFileError`); a worker that fails
    as a whole raises :class:`~fastrtc_registry.errors.WorkerError`; a pair
    that fails keeps its run with ``error`` set.
    """
    recording = recording or read_audio(path)
    pairs = choose_pairs(vads, turn_takings)
    answer = _in_worker(recording, pairs, timeout=timeout, memory=memory)
    return _result(recording, pairs, answer)


def _in_worker(
    recording: Recording,
    pairs: Sequence[tuple[str, str]],
    *,
    timeout: float,
    memory: int | str | None,
) -> Mapping[str, Any]:
    import numpy as np

    from .validation.netguard import MODE_VARIABLE
    from .validation.protocol import ProtocolViolation, ReplayReply, ReplayRequest
    from .validation.worker import WorkerSession, WorkerStopped

    handle, name = tempfile.mkstemp(prefix="fastrtc-replay-", suffix=".wav")
    os.close(handle)
    try:
        pcm = np.clip(np.round(recording.audio * 32767.0), -32768, 32767).astype("<i2")
        with wave.open(name, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(recording.rate)
            out.writeframes(pcm.tobytes())
        env = {**os.environ, MODE_VARIABLE: "bench"}  # real models; offline only when asked
        with WorkerSession(timeout=timeout, memory=memory, env=env) as session:
            reply = session.request(ReplayRequest(name, tuple(pairs)), ReplayReply)
    except ProtocolViolation as exc:
        raise WorkerError(f"a plugin interfered with the replay: {exc}") from None
    except WorkerStopped as exc:
        raise WorkerError(f"the replay stopped: {exc}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)
    return reply.answer


def _number_pairs(value: object) -> list[tuple[float, float]]:
    """``[[start, end], ...]`` from the worker, dropping anything else."""
    out = []
    for item in value if isinstance(value, list) else []:
        if (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in item)
        ):
            out.append((round(float(item[0]), 3), round(float(item[1]), 3)))
    return sorted(out)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return " ".join(str(value).split())[:300]


def _typed(value: Any, kind: type, default: Any) -> Any:
    """``value`` when the worker sent the expected JSON type, else ``default``."""
    return value if isinstance(value, kind) else default


def _result(
    recording: Recording, pairs: Sequence[tuple[str, str]], answer: Mapping[str, Any]
) -> ReplayResult:
    speech: Mapping[str, Any] = _typed(answer.get("speech"), dict, {})
    errors: Mapping[str, Any] = _typed(answer.get("vad_errors"), dict, {})
    runs_in: list[Any] = _typed(answer.get("runs"), list, [])
    vad_names = list(dict.fromkeys(vad for vad, _ in pairs))
    tracks = tuple(
        VadTrack(name, tuple(_number_pairs(speech.get(name))), _text(errors.get(name)))
        for name in vad_names
    )
    utterances = _utterances(tracks[0].spans)
    raw: list[tuple[str, str, list[float], str | None]] = []
    for index, (vad, tt) in enumerate(pairs):
        got = runs_in[index] if index < len(runs_in) and isinstance(runs_in[index], dict) else {}
        times = [t for t in got.get("replies_s") or [] if isinstance(t, (int, float))]
        error = _text(got.get("error")) if got else "the worker gave no answer for this pair"
        raw.append((vad, tt, sorted(float(t) for t in times), error))
    runs = tuple(
        Run(vad, tt, tuple(_event(t, utterances) for t in times), error)
        for vad, tt, times, error in raw
    )
    return ReplayResult(
        path=recording.path,
        rate=recording.rate,
        channels=recording.channels,
        encoding=recording.encoding,
        duration_s=round(recording.duration_s, 3),
        vads=tracks,
        runs=runs,
        turns=_turns(runs, utterances),
    )


def _utterances(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] < MERGE_GAP_S:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _event(at_s: float, utterances: Sequence[tuple[float, float]]) -> ReplyEvent:
    ended = [i for i, (_, end) in enumerate(utterances) if end <= at_s + 1e-6]
    if not ended:
        return ReplyEvent(round(at_s, 3), None, None)
    turn = ended[-1]
    return ReplyEvent(round(at_s, 3), turn + 1, round(at_s - utterances[turn][1], 3))


def _turns(runs: Sequence[Run], utterances: Sequence[tuple[float, float]]) -> tuple[Turn, ...]:
    turns = []
    for number, (start, end) in enumerate(utterances, 1):
        delays: list[float | None] = []
        for run in runs:
            first = next((e for e in run.replies if e.turn == number), None)
            delays.append(None if first is None or run.error else first.delay_s)
        if all(d is None for d in delays):
            continue
        turns.append(Turn(number, start, end, tuple(delays), _disagreement(runs, delays)))
    return tuple(turns)


def _disagreement(runs: Sequence[Run], delays: Sequence[float | None]) -> str | None:
    working = [(r, d) for r, d in zip(runs, delays, strict=True) if not r.error]
    silent = [r.label for r, d in working if d is None]
    if silent:
        return "no reply from " + ", ".join(silent)
    values = [d for _, d in working if d is not None]
    if len(values) > 1 and max(values) - min(values) > TOLERANCE_S:
        return f"delays differ by {(max(values) - min(values)) * 1000:.0f} ms"
    return None


# --- worker side -------------------------------------------------------------


def replay_action(request: Mapping[str, Any]) -> dict[str, Any]:
    """Worker side: run each (VAD, turn-taking) pair over the mono WAV at ``request["path"]``."""
    import numpy as np

    from .bench.run import _one_line
    from .simulate import drive_handler, recording_reply, resample

    with wave.open(str(request["path"])) as wav:
        rate = wav.getframerate()
        audio = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    audio = resample(audio, rate, RATE)
    audio = np.concatenate([audio, np.zeros(int(TAIL_S * RATE), np.int16)])
    models: dict[str, Any] = {}
    speech: dict[str, list[list[float]]] = {}
    vad_errors: dict[str, str] = {}
    runs: list[dict[str, Any]] = []
    for vad, turn_taking in request.get("pairs") or ():
        vad, turn_taking = str(vad), str(turn_taking)
        if vad not in models and vad not in vad_errors:
            try:
                models[vad] = _build_vad(vad)
                speech[vad] = _speech_spans(models[vad], audio)
            except Exception as exc:
                vad_errors[vad] = _vad_error(vad, _one_line(exc))
        if vad in vad_errors:
            runs.append({"error": f"the VAD {vad} could not run (see its speech)", "replies_s": []})
            continue
        try:
            from .loading import load_turn_taking

            handler_class: Any = load_turn_taking(turn_taking)
            reply, _ = recording_reply()
            handler = handler_class(reply, model=models[vad])
            replies = drive_handler(handler, audio)
        except Exception as exc:
            runs.append({"error": _one_line(exc), "replies_s": []})
            continue
        runs.append({"error": None, "replies_s": [r.at_s for r in replies]})
    return {"speech": speech, "vad_errors": vad_errors, "runs": runs}


def _build_vad(name: str) -> Any:
    from .loading import load_vad

    return load_vad(name)


def _vad_error(name: str, error: str) -> str:
    if name == DEFAULT_VAD:
        return (
            "silero, the default VAD, fetches its weights from the Hugging Face hub: pass an "
            f"offline VAD with --vad NAME (see: fastrtc-plugins list --kind vad); {error}"
        )
    return error


def _speech_spans(model: Any, audio: Any) -> list[list[float]]:
    """Speech the VAD hears in each 0.6 s chunk at 48 kHz, as [start, end] seconds."""
    import numpy as np

    step = int(RATE * CHUNK_S)
    spans: list[list[float]] = []
    for start in range(0, len(audio) - step + 1, step):
        _, found = model.vad((RATE, np.array(audio[start : start + step])), None)
        for span in found:
            begin, end = (start + int(span["start"])) / RATE, (start + int(span["end"])) / RATE
            if spans and begin - spans[-1][1] < 0.011:
                spans[-1][1] = round(end, 3)
            else:
                spans.append([round(begin, 3), round(end, 3)])
    return spans
