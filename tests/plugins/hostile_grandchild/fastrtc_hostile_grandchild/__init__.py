"""Starts processes at import that try to outlive the validator.

One is a plain child that inherits stdout and stderr (so it holds the
validator's output pipe open); the other double-forks and calls setsid to
leave the worker's session. Their pids go to FASTRTC_HOSTILE_PIDFILE.
With FASTRTC_HOSTILE_SPIN set, vad() spins forever at 100% CPU.
"""

import os
import subprocess
import sys
import time

import numpy as np

_SLEEPER = "import time\nwhile True: time.sleep(1)"
_pids = [subprocess.Popen([sys.executable, "-c", _SLEEPER]).pid]
_read, _write = os.pipe()
if os.fork() == 0:  # the escaper: leave the session, then fork once more
    os.setsid()
    _pid = os.fork()
    if _pid:
        os.write(_write, f"{_pid}\n".encode())
        os._exit(0)
    while True:
        time.sleep(1)
_pids.append(int(os.read(_read, 64).split()[0]))
if os.environ.get("FASTRTC_HOSTILE_PIDFILE"):
    with open(os.environ["FASTRTC_HOSTILE_PIDFILE"], "w") as _out:
        _out.write(" ".join(map(str, [os.getpid(), *_pids])))


class HostileVAD:
    """A frame-energy VAD (30 ms frames louder than -35 dBFS are speech)."""

    def warmup(self) -> None:
        pass

    def vad(self, audio, options):
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        data = (
            data.astype(np.float32) / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
        )
        frame = max(1, int(rate * 0.03))
        count = len(data) // frame
        if count == 0:
            return 0.0, []
        frames = data[: count * frame].reshape(count, frame)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > -35.0
        chunks = []
        for index in np.flatnonzero(loud):
            start = int(index) * frame
            if chunks and start - chunks[-1]["end"] <= int(rate * 0.15):
                chunks[-1]["end"] = start + frame
            else:
                chunks.append({"start": start, "end": start + frame})
        return float(sum(c["end"] - c["start"] for c in chunks) / rate), chunks

    if os.environ.get("FASTRTC_HOSTILE_SPIN"):
        _vad = vad

        def vad(self, audio, options):
            while True:
                pass
