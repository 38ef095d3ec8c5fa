"""``smart-turn``: a semantic end-of-turn detector, Smart Turn v3, over any VAD.

A pause alone is a poor sign that a turn has ended: people pause mid-thought.
This handler listens like ``ReplyOnPause`` (the VAD it is given, 0.6 s
chunks), but when the speaker has been quiet for ``short_pause_s`` it asks
Smart Turn v3 (an 8.7 MB ONNX model reading the last 8 s of the turn's audio)
whether the turn sounds complete. It replies when the model's probability
reaches ``threshold``, and otherwise once the silence reaches
``max_silence_s``. The model runs once per pause, with onnxruntime alone.

The model file comes from an installed ``pipecat-ai`` (which ships it as
``pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx``; pipecat
itself is never imported) or from ``model_path=``. Install both with
``pip install "fastrtc-registry[smart-turn]"``. Importing this module
imports fastrtc.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

from ..errors import PluginLoadError

__all__ = ["INSTALL", "MODEL_FILE", "SmartTurn", "SmartTurnModel", "find_model"]

INSTALL = 'pip install "fastrtc-registry[smart-turn]"'
MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
_IN_PIPECAT = ("audio", "turn", "smart_turn", "data", MODEL_FILE)


def find_model(model_path: str | os.PathLike[str] | None = None) -> Path:
    """The ONNX file: ``model_path``, else the one inside an installed pipecat-ai."""
    if model_path is not None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise PluginLoadError(f"smart-turn: no model file at {path}")
        return path
    spec = importlib.util.find_spec("pipecat")  # finds the package without importing it
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root).joinpath(*_IN_PIPECAT)
        if path.is_file():
            return path
    raise PluginLoadError(
        f"smart-turn needs the Smart Turn v3 model ({MODEL_FILE}, shipped in pipecat-ai): "
        f"run '{INSTALL}', or pass model_path="
    )


class SmartTurnModel:
    """One ONNX session for a model file, shared by every handler copy (``run`` is thread-safe)."""

    _sessions: ClassVar[dict[Path, SmartTurnModel]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path, threads: int = 1) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise PluginLoadError(f"smart-turn needs onnxruntime: run '{INSTALL}'") from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self.path = path
        self._session = ort.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    @classmethod
    def shared(cls, path: Path) -> SmartTurnModel:
        """The session for ``path``, built once per process."""
        with cls._lock:
            if path not in cls._sessions:
                cls._sessions[path] = cls(path)
            return cls._sessions[path]

    def probability(self, audio: np.ndarray, rate: int) -> float:
        """P(turn complete) for a turn's audio (int16 or float, any rate; the last 8 s count)."""
        from ..simulate import resample
        from ._whisper_mel import RATE, SECONDS, log_mel

        x = np.asarray(audio).reshape(-1)
        x = x.astype(np.float32) / 32768.0 if x.dtype == np.int16 else x.astype(np.float32)
        if rate != RATE:
            x = resample(x, rate, RATE)
        x = x[-RATE * SECONDS :]
        x = np.pad(x, (RATE * SECONDS - x.size, 0))  # left-padded: the end is what matters
        (out,) = self._session.run(None, {"input_features": log_mel(x)[None]})
        return float(np.asarray(out).reshape(-1)[0])


@dataclass(frozen=True, slots=True)
class Decision:
    """One question put to the model: when (seconds of turn audio), its answer, its cost."""

    at_s: float
    probability: float
    elapsed_s: float


class SmartTurn(ReplyOnPause):
    """Reply when Smart Turn v3 says the turn is complete, or after ``max_silence_s`` of silence.

    ``threshold``: the probability of "complete" at which to reply (0.5).
    ``short_pause_s``: the silence after speech at which the model is asked (0.2 s).
    ``max_silence_s``: the silence after which the turn ends whatever the model says (2.0 s).
    ``model_path``: an ONNX file instead of the one in pipecat-ai.
    """

    __fastrtc_tags__: ClassVar[dict[str, Any]] = {
        "trigger": "pause",
        "semantic": True,
        # bench's trade-off curve: the model's probability threshold, not the pause length.
        "bench_sweep": {
            "setting": "threshold",
            "values": [0.1, 0.3, 0.5, 0.7, 0.9, 0.97],
        },
    }

    def __init__(
        self,
        fn: Any,
        *args: Any,
        threshold: float = 0.5,
        short_pause_s: float = 0.2,
        max_silence_s: float = 2.0,
        model_path: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within 0 and 1, not {threshold!r}")
        if not 0.0 < short_pause_s <= max_silence_s:
            raise ValueError("need 0 < short_pause_s <= max_silence_s")
        self.smart_model = SmartTurnModel.shared(find_model(model_path).resolve())
        super().__init__(fn, *args, **kwargs)
        self.threshold = threshold
        self.short_pause_s = short_pause_s
        self.max_silence_s = max_silence_s
        self.model_path = model_path
        self.decisions: deque[Decision] = deque(maxlen=100)
        self._init_args = args
        self._init_kwargs = kwargs
        self._silence_s = 0.0
        self._asked = False

    def copy(self) -> SmartTurn:
        """A handler for a new connection: same settings and VAD, its own state."""
        return SmartTurn(
            self.fn,
            *self._init_args,
            threshold=self.threshold,
            short_pause_s=self.short_pause_s,
            max_silence_s=self.max_silence_s,
            model_path=self.model_path,
            **{**self._init_kwargs, "model": self.model},
        )

    def reset(self) -> None:
        super().reset()
        self._silence_s = 0.0
        self._asked = False

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        chunk_s = len(audio) / sampling_rate
        if chunk_s < self.algo_options.audio_chunk_duration:
            return False
        speech_s, spans = self.model.vad((sampling_rate, audio), self.model_options)
        state.buffer = None
        if speech_s > self.algo_options.started_talking_threshold:
            state.started_talking = True
        if not state.started_talking:
            return False
        state.stream = audio if state.stream is None else np.concatenate((state.stream, audio))
        if len(state.stream) / sampling_rate >= self.algo_options.max_continuous_speech_s:
            return self._end()
        if speech_s >= self.algo_options.speech_threshold:
            # Speech in this chunk: the silence is what follows its last span.
            last = max((int(s["end"]) for s in spans), default=len(audio))
            self._silence_s = max(0.0, (len(audio) - last) / sampling_rate)
            self._asked = False
        else:
            self._silence_s += chunk_s
        if self._silence_s >= self.max_silence_s:
            return self._end()
        if self._silence_s >= self.short_pause_s and not self._asked:
            self._asked = True
            started = time.perf_counter()
            probability = self.smart_model.probability(state.stream, sampling_rate)
            self.decisions.append(
                Decision(
                    len(state.stream) / sampling_rate, probability, time.perf_counter() - started
                )
            )
            if probability >= self.threshold:
                return self._end()
        return False

    def _end(self) -> bool:
        self._silence_s = 0.0
        self._asked = False
        return True
