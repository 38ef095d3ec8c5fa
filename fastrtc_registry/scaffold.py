"""``fastrtc-plugins new``: a plugin project that passes ``validate`` and its own tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .errors import ScaffoldError
from .names import GROUPS, Kind, canonicalize

__all__ = ["Scaffold", "ScaffoldError", "create_project", "project_names"]


@dataclass(frozen=True, slots=True)
class Scaffold:
    """A created project."""

    root: Path
    distribution: str
    module: str
    plugin: str
    kind: Kind
    files: tuple[Path, ...]


_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def project_names(name: str) -> tuple[str, str, str, str]:
    """(plugin name, distribution, module, class) for a plugin called ``name``."""
    plugin: str = canonicalize(name)
    if plugin.startswith("fastrtc-"):
        plugin = plugin[len("fastrtc-") :]
    if not _NAME.match(plugin):
        raise ScaffoldError(
            f"{name!r} is not a usable plugin name: use letters, digits and dashes, "
            "starting with a letter (e.g. 'quiet-room')"
        )
    distribution = f"fastrtc-{plugin}"
    module = distribution.replace("-", "_")
    klass = "".join(part.capitalize() for part in plugin.split("-"))
    return plugin, distribution, module, klass


def create_project(name: str, kind: Kind, directory: Path | None = None) -> Scaffold:
    """Write a new plugin project for ``name`` into ``directory`` (default ``./fastrtc-NAME``)."""
    plugin, distribution, module, klass = project_names(name)
    root = Path(directory) if directory is not None else Path.cwd() / distribution
    blocker = next((p for p in (root, *root.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ScaffoldError(
            f"{blocker} is a file, not a directory; pass a new or empty directory with --dir"
        )
    if root.exists() and any(root.iterdir()):
        raise ScaffoldError(f"{root} exists and is not empty; pick another directory with --dir")
    klass += "VAD" if kind == "vad" else "Pause"
    values = {
        "plugin": plugin,
        "distribution": distribution,
        "module": module,
        "klass": klass,
        "group": GROUPS[kind],
        "kind": kind,
        "usage": f'vad="{plugin}"' if kind == "vad" else f'turn_taking="{plugin}"',
    }
    sources = _VAD_FILES if kind == "vad" else _TURN_TAKING_FILES
    files = {**_COMMON_FILES, **sources}
    written = []
    try:
        for relative, template in files.items():
            path = root / Template(relative).substitute(values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(Template(template).substitute(values), encoding="utf-8")
            written.append(path)
    except OSError as exc:
        where = exc.filename or root
        raise ScaffoldError(
            f"cannot write {where}: {exc.strerror or exc}; "
            "pass a directory you can write with --dir"
        ) from None
    return Scaffold(root, distribution, module, plugin, kind, tuple(written))


_COMMON_FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling>=1.21"]
build-backend = "hatchling.build"

[project]
name = "$distribution"
version = "0.1.0"
description = "A FastRTC $kind plugin."
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["fastrtc>=0.0.30", "numpy"]

[project.optional-dependencies]
test = ["pytest", "fastrtc-registry"]

[project.entry-points."$group"]
$plugin = "$module:$klass"
""",
    "README.md": """\
# $distribution

A FastRTC $kind plugin.

```bash
pip install $distribution
```

```python
from fastrtc import Stream
from fastrtc_registry import reply_on_pause

def echo(audio):
    yield audio

handler = reply_on_pause(echo, $usage)
Stream(handler, modality="audio", mode="send-receive").ui.launch()
```

Check it before publishing:

```bash
fastrtc-plugins validate .
pip install -e '.[test]' && pytest
```
""",
    ".gitignore": "__pycache__/\n*.pyc\ndist/\nbuild/\n",
    "tests/test_plugin.py": """\
\"\"\"Run fastrtc-registry's conformance suite on this project, one test per check.\"\"\"

from pathlib import Path

from fastrtc_registry.testing import parametrize_with_checks

PROJECT = str(Path(__file__).resolve().parent.parent)


@parametrize_with_checks([PROJECT])
def test_fastrtc_protocol(check):
    check()
""",
}

_VAD_FILES = {
    "$module/__init__.py": '''\
"""$klass: a FastRTC VAD plugin."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["$klass"]


class $klass:
    """Marks 30 ms frames louder than ``threshold_db`` dBFS as speech.

    Replace the body of ``vad`` with your model; keep its contract: audio is
    ``(sampling_rate, int16 or float32 array)`` at any rate, and the answer is
    the speech duration in seconds with ``{"start", "end"}`` sample spans.
    """

    def __init__(self, threshold_db: float = -35.0, frame_ms: float = 30.0) -> None:
        self.threshold_db = threshold_db
        self.frame_ms = frame_ms

    def warmup(self) -> None:
        """Run the model once so the first real call is fast."""
        self.vad((16000, np.zeros(16000, dtype=np.float32)), None)

    def vad(
        self, audio: tuple[int, np.ndarray], options: Any
    ) -> tuple[float, list[dict[str, int]]]:
        """Speech duration in seconds and the speech spans, in samples."""
        rate, samples = audio
        data = np.asarray(samples).reshape(-1)
        data = data / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
        frame = max(1, int(rate * self.frame_ms / 1000))
        count = len(data) // frame
        if count == 0:
            return 0.0, []
        frames = data[: count * frame].reshape(count, frame)
        loud = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12) > self.threshold_db
        chunks: list[dict[str, int]] = []
        for index in np.flatnonzero(loud):
            start, end = int(index) * frame, (int(index) + 1) * frame
            if chunks and chunks[-1]["end"] == start:
                chunks[-1]["end"] = end
            else:
                chunks.append({"start": start, "end": end})
        return sum(c["end"] - c["start"] for c in chunks) / rate, chunks
''',
}

_TURN_TAKING_FILES = {
    "$module/__init__.py": '''\
"""$klass: a FastRTC turn-taking plugin."""

from __future__ import annotations

from typing import Any

import numpy as np
from fastrtc.reply_on_pause import AppState, ReplyOnPause

__all__ = ["$klass"]


class $klass(ReplyOnPause):
    """Ends the user's turn after ``quiet_chunks`` quiet chunks in a row.

    Replace ``determine_pause`` with your algorithm. Keep ``copy()``: fastrtc
    calls it once per connection, and without it every connection would get a
    plain ReplyOnPause.
    """

    def __init__(self, fn: Any, *args: Any, quiet_chunks: int = 2, **kwargs: Any) -> None:
        super().__init__(fn, *args, **kwargs)
        self.quiet_chunks = quiet_chunks
        self._quiet = 0
        self._args = args
        self._kwargs = kwargs

    def copy(self) -> $klass:
        """A fresh handler with this one's class, settings and shared model."""
        kwargs = {**self._kwargs, "model": self.model}
        return $klass(self.fn, *self._args, quiet_chunks=self.quiet_chunks, **kwargs)

    def reset(self) -> None:
        super().reset()
        self._quiet = 0

    def determine_pause(self, audio: np.ndarray, sampling_rate: int, state: AppState) -> bool:
        """True when the user has finished their turn."""
        if len(audio) / sampling_rate < self.algo_options.audio_chunk_duration:
            return False
        speech, _ = self.model.vad((sampling_rate, audio), self.model_options)
        state.buffer = None
        if speech > self.algo_options.started_talking_threshold:
            state.started_talking = True
        if not state.started_talking:
            return False
        state.stream = audio if state.stream is None else np.concatenate((state.stream, audio))
        self._quiet = self._quiet + 1 if speech < self.algo_options.speech_threshold else 0
        if self._quiet >= self.quiet_chunks:
            self._quiet = 0
            return True
        return False
''',
}
