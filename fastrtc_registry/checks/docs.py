"""docs/checks.md, rendered from the check registry (``python -m fastrtc_registry.checks.docs``).

Every check's entry (title, what it asserts, how to fix a failure) lives
next to its code in the ``@check`` decorator; a test keeps the file in step.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from .base import CheckSpec
from .ids import CHECKS

__all__ = ["render_markdown"]

_INTRO = """\
Every check has a stable id. The prefix names the area: `PKG0xx` static
(tier 0: metadata and source, no plugin code runs), `IMP1xx` import and
construction (tier 1), `VAD2xx` and `TT2xx` behaviour (tier 2).

Plugin code runs only in a worker subprocess, which reports what happened
(values returned, exceptions raised, timings); every verdict is computed
from those observations in the `validate` process, so a plugin cannot write
its own result. A reply from the worker that does not match its request
fails the check with "the plugin interfered with the validator".

Statuses: `passed`, `failed` (the plugin breaks the protocol), `warning`,
`skipped`, `error` (the check could not run here: timeout, crash, memory
limit, missing dependency). A skipped check has a `reason`: `after <ID>`
when an earlier check it builds on did not pass (the root cause is reported
once, by that check), `needs-network` when the plugin tried to reach the
network (the host is in the message), `ignored` for `--ignore ID`.

A plugin call that raises is reported once, by the first check that meets
it, with the input that caused it (`vad((24000, float32 array of shape
(102400,)), None)`, also when `warmup()` made that call itself) and the fix
for that input: a crash on float32 input that int16 input of the same length
does not cause gets "accept both int16 and float32 samples", whichever check
met it (the result's `fix`, shown instead of the check's own). A later check
whose calls raise the same exception at the same place is skipped `after` the
check that reported it.

Run them with [`fastrtc-plugins validate`](validate.md); waive one with
`--ignore ID`."""

_SECTIONS: dict[tuple[int, str], tuple[str, str]] = {
    (0, "any"): ("Tier 0: package metadata", ""),
    (1, "any"): ("Tier 1: import and construction", ""),
    (1, "vad"): ("Tier 1: import and construction", ""),
    (1, "turn-taking"): ("Tier 1: import and construction", ""),
    (2, "vad"): (
        "Tier 2: VAD behaviour",
        "All calls are `model.vad((rate, samples), None)` with 1-D arrays, as "
        "`ReplyOnPause.determine_pause` makes them. Audio: fastrtc's own speech recording "
        "(`speech_to_text/test_file.wav`, 20.75 s) resampled to 16, 24 and 48 kHz, digital "
        "silence, white noise, and empty and very short arrays. Each call gets a fresh copy "
        "of the input.",
    ),
    (2, "turn-taking"): (
        "Tier 2: turn-taking behaviour",
        "The handler gets a reference VAD (a small deterministic energy detector, so results "
        "depend on the algorithm alone) and is driven with scripted 48 kHz int16 frames of "
        "shape `(1, 960)` through `receive()` and `emit()`, without a browser.",
    ),
}


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=78, break_long_words=False, break_on_hyphens=False)


def _title(text: str) -> str:
    first, _, rest = text.partition(" ")
    if "(" in first:  # a method name: code, kept as written
        return f"`{first}` {rest}"
    return text[0].upper() + text[1:]


def _entry(spec: CheckSpec) -> str:
    title = _title(spec.title)
    parts = [f"**{title}.**"]
    if spec.doc:
        parts.append(spec.doc)
    if spec.fix:
        parts.append(f"*Fix:* {spec.fix}")
    if spec.after:
        parts.append(f"Runs after {', '.join(spec.after)}.")
    return f"### {spec.id}\n{_wrap(' '.join(parts))}"


def render_markdown() -> str:
    """The whole of docs/checks.md."""
    out = ["# Check reference", "", _INTRO]
    heading = None
    for spec in CHECKS.values():
        title, intro = _SECTIONS[(spec.tier, spec.applies_to)]
        if title != heading:
            heading = title
            out += ["", f"## {title}"]
            if intro:
                out += ["", _wrap(intro)]
        out += ["", _entry(spec)]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/checks.md")
    target.write_text(render_markdown(), encoding="utf-8")
