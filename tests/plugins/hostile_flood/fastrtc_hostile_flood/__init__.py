"""Prints FASTRTC_HOSTILE_FLOOD_MB megabytes (default 1024) to stdout and stderr at import."""

import os
import sys

import numpy as np

_MB = int(os.environ.get("FASTRTC_HOSTILE_FLOOD_MB", "1024"))
_line = ("x" * 1023 + "\n") * 1024
for _i in range(_MB):
    (sys.stdout if _i % 2 else sys.stderr).write(_line)
sys.stdout.flush()
sys.stderr.write("flood done\n")


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
