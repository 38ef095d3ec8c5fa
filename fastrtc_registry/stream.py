"""What fastrtc's stream hands plugins: the rates, frames and chunks every layer feeds them.

One home for these numbers, so the checks, the bench, replay and the
simulated stream cannot drift apart. Importing it imports nothing.
"""

from __future__ import annotations

__all__ = ["CHUNK_S", "RATES", "WEBRTC_FRAME", "WEBRTC_RATE"]

WEBRTC_RATE = 48000
"""The rate a browser's WebRTC audio reaches fastrtc at (Hz)."""
WEBRTC_FRAME = 960
"""Samples per WebRTC frame at that rate: 20 ms."""
RATES = (16000, 24000, 48000)
"""The input rates the checks and the bench feed plugins: fastrtc passes the input's own."""
CHUNK_S = 0.6
"""Seconds of audio ReplyOnPause hands the VAD per call (``audio_chunk_duration``)."""
