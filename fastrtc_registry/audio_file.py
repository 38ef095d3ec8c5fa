"""Read a user's recording: WAV with the standard library, FLAC/OGG with soundfile.

The WAV reader walks the RIFF chunks itself, because the standard library's
``wave`` module reads integer PCM only (no IEEE float, and no
``WAVE_FORMAT_EXTENSIBLE`` before Python 3.12). Every file is checked before
any plugin runs: it exists, it decodes, it holds audio, it is not longer than
:data:`MAX_SECONDS`. The result is mono float32 in [-1, 1] (channels averaged).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AudioFileError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAX_BYTES", "MAX_SECONDS", "Recording", "read_audio"]

MAX_SECONDS = 600.0
"""Longest recording accepted (10 minutes): replay drives every handler frame by frame."""
MAX_BYTES = 1 << 30
MIN_RATE, MAX_RATE = 4000, 384000

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE


@dataclass(frozen=True, slots=True)
class Recording:
    """A decoded recording, downmixed to mono float32."""

    path: str
    rate: int
    channels: int
    """Channels in the file (the audio here is their average)."""
    encoding: str
    """What the file held, e.g. ``"wav int16"``, ``"wav float32"``, ``"flac"``."""
    audio: np.ndarray

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.audio) / self.rate


def read_audio(path: str | Path) -> Recording:
    """Decode ``path`` (WAV; FLAC/OGG and others with soundfile) to mono; AudioFileError if not."""
    file = Path(path)
    if not file.exists():
        raise AudioFileError(f"{file}: no such file")
    if not file.is_file():
        raise AudioFileError(f"{file}: not a file")
    size = file.stat().st_size
    if size == 0:
        raise AudioFileError(f"{file}: the file is empty")
    if size > MAX_BYTES:
        raise AudioFileError(f"{file}: larger than {MAX_BYTES >> 20} MB; cut it shorter")
    with file.open("rb") as stream:
        head = stream.read(12)
    if head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
        recording = _read_wav(file)
    else:
        recording = _read_soundfile(file)
    if len(recording.audio) == 0:
        raise AudioFileError(f"{file}: the file holds no audio (zero frames)")
    if not MIN_RATE <= recording.rate <= MAX_RATE:
        raise AudioFileError(f"{file}: sampling rate {recording.rate} Hz is not supported")
    if recording.duration_s > MAX_SECONDS:
        raise AudioFileError(
            f"{file}: {recording.duration_s:.0f} s is longer than the {MAX_SECONDS:.0f} s "
            "replay takes; cut it shorter"
        )
    return recording


def _read_wav(file: Path) -> Recording:
    import numpy as np

    data = file.read_bytes()
    if data[:4] == b"RIFX":
        raise AudioFileError(f"{file}: big-endian WAV (RIFX) is not supported; convert it")
    fmt: bytes | None = None
    body: bytes | None = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (length,) = struct.unpack_from("<I", data, offset + 4)
        start = offset + 8
        if chunk_id == b"fmt ":
            fmt = data[start : start + length]
        elif chunk_id == b"data":
            body = data[start : start + length]  # a truncated file keeps what it has
            break
        offset = start + length + (length & 1)
    if fmt is None or len(fmt) < 16 or body is None:
        raise AudioFileError(f"{file}: not a readable WAV file (no fmt or data chunk)")
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)  # the first two bytes of the sub-format GUID
    if channels < 1 or align < channels:
        raise AudioFileError(f"{file}: the WAV header is damaged ({channels} channels)")
    width = align // channels
    frames = len(body) // align
    raw = body[: frames * align]
    if tag == _FLOAT and width in (4, 8):
        samples = np.frombuffer(raw, dtype=f"<f{width}").astype(np.float32)
        samples = np.nan_to_num(np.clip(samples, -1.0, 1.0))
        encoding = f"wav float{width * 8}"
    elif tag == _PCM and width in (1, 2, 3, 4):
        samples = _pcm(raw, width)
        encoding = f"wav int{width * 8}" if width > 1 else "wav uint8"
    else:
        raise AudioFileError(
            f"{file}: WAV format {tag:#06x} with {bits}-bit samples is not supported "
            "(PCM 8/16/24/32-bit and float 32/64-bit are); convert it"
        )
    mono = samples.reshape(frames, channels).mean(axis=1, dtype=np.float32)
    return Recording(str(file), rate, channels, encoding, mono)


def _pcm(raw: bytes, width: int) -> np.ndarray:
    import numpy as np

    if width == 1:
        return (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 3:
        triples = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return (values / float(1 << 23)).astype(np.float32)
    dtype = np.int16 if width == 2 else np.int32
    scale = float(1 << (width * 8 - 1))
    return (np.frombuffer(raw, dtype).astype(np.float64) / scale).astype(np.float32)


def _read_soundfile(file: Path) -> Recording:
    try:
        import soundfile
    except ImportError:
        raise AudioFileError(
            f"{file}: not a WAV file; reading FLAC, OGG and other formats needs soundfile "
            "(pip install soundfile)"
        ) from None
    import numpy as np

    try:
        info = soundfile.info(str(file))
        if info.frames / max(info.samplerate, 1) > MAX_SECONDS:
            raise AudioFileError(
                f"{file}: longer than the {MAX_SECONDS:.0f} s replay takes; cut it shorter"
            )
        samples, rate = soundfile.read(str(file), dtype="float32", always_2d=True)
    except AudioFileError:
        raise
    except Exception as exc:
        message = " ".join(str(exc).split())[:200]
        raise AudioFileError(f"{file}: not a readable audio file ({message})") from None
    mono = samples.mean(axis=1, dtype=np.float32) if samples.size else samples.reshape(-1)
    return Recording(str(file), int(rate), int(info.channels), info.format.lower(), mono)
