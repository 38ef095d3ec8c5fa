"""Tier 2 checks for turn-taking handlers, judged from the worker's ``tt.*`` probes.

The worker drives the handler with scripted 48 kHz frames and a reference
VAD (see :mod:`fastrtc_registry.validation.observe_turn_taking`) and reports
when replies fired, and fingerprints of settings and state; these checks
compare them.
"""

from __future__ import annotations

from typing import Any

from ..validation.protocol import ObserveReply
from .imports import raised
from .registry import CheckFailed, Observations, check

__all__ = [
    "check_copies_share_no_state",
    "check_copy_keeps_settings",
    "check_no_reply_to_silence",
    "check_replies_once",
]

_AFTER = ("IMP103", "IMP104")


def __getattr__(name: str) -> Any:
    # The reference VAD runs plugin-side; importing it here would pull in numpy.
    if name == "ReferenceVAD":
        from ..validation.observe_turn_taking import ReferenceVAD

        return ReferenceVAD
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _facts(reply: ObserveReply) -> dict[str, Any]:
    for record in reply.calls:
        if record.error is not None:
            raise raised(record.label, record.error)
    return dict(reply.facts)


@check(
    "TT201",
    "replies once after the speaker pauses",
    kind="turn-taking",
    needs=("tt.replies",),
    after=_AFTER,
    doc="Driven with 1 s of silence, 2.4 s of a steady voiced sound, then 6 s of quiet "
    "noise: exactly one call to the reply function, after the speech ended.",
    fix="`determine_pause` must return `True` once per pause, after `state.started_talking`.",
)
def check_replies_once(obs: Observations) -> str:
    """One reply, after the speech ended."""
    facts = _facts(obs.probe("tt.replies"))
    fired = [float(t) for t in facts["fired"]]
    lead, speech, trail = facts["lead_s"], facts["speech_s"], facts["trail_s"]
    speech_end = lead + speech
    if not fired:
        raise CheckFailed(
            f"never replied: {speech} s of speech then {trail} s of silence "
            f"({lead + speech + trail:.1f} s of 48 kHz frames) gave no call to the reply "
            "function; determine_pause must return True once the speaker has paused"
        )
    if len(fired) > 1:
        times = ", ".join(f"{t:.2f} s" for t in fired)
        raise CheckFailed(
            f"replied {len(fired)} times ({times}) to one utterance; "
            "expected exactly one reply after the pause"
        )
    if fired[0] < speech_end:
        raise CheckFailed(
            f"replied at {fired[0]:.2f} s, before the speech ended at "
            f"{speech_end:.2f} s; expected the reply after the pause"
        )
    heard = float(facts["heard_s"][0]) if facts["heard_s"] else 0.0
    return (
        f"replied once at {fired[0]:.2f} s ({fired[0] - speech_end:.2f} s after the "
        f"speech ended) with {heard:.2f} s of audio"
    )


@check(
    "TT202",
    "never replies to silence alone",
    kind="turn-taking",
    needs=("tt.silent",),
    after=_AFTER,
    doc="9.4 s of silence and quiet noise.",
    fix="only end a turn after speech started (`state.started_talking`).",
)
def check_no_reply_to_silence(obs: Observations) -> str:
    """No reply when nobody spoke."""
    facts = _facts(obs.probe("tt.silent"))
    fired, seconds = facts["fired"], float(facts["audio_s"])
    if fired:
        raise CheckFailed(
            f"replied at {float(fired[0]):.2f} s to {seconds:.1f} s of "
            "silence; a reply must follow speech (state.started_talking)"
        )
    return f"no reply to {seconds:.1f} s of silence"


def _lost_settings(original: dict[str, Any], copied: dict[str, Any]) -> list[str]:
    lost = [
        f"{name} {want} became {copied['settings'].get(name)}"
        for name, want in original["settings"].items()
        if copied["settings"].get(name) != want
    ]
    if original["model"] != copied["model"]:
        lost.append(f"the model {original['model']} became {copied['model']}")
    lost += [
        f"{name} {want} became {copied['simple'].get(name, 'None')}"
        for name, want in original["simple"].items()
        if copied["simple"].get(name) != want
    ]
    return lost


@check(
    "TT203",
    "copy() keeps the class and the settings",
    kind="turn-taking",
    needs=("tt.copy_settings",),
    after=_AFTER,
    doc="Built with non-default `algo_options`, `model_options` and `can_interrupt`, the "
    "copy has the same class, the same settings, the same kind of model, and the same "
    "simple public attributes.",
    fix="pass every constructor argument on in `copy()`.",
)
def check_copy_keeps_settings(obs: Observations) -> str:
    """The copy has the same class and the same settings."""
    facts = _facts(obs.probe("tt.copy_settings"))
    assert obs.load is not None and obs.load.facts is not None
    qualname = obs.load.facts.qualname
    if not facts["same_type"]:
        raise CheckFailed(
            f"copy() returned a {facts['type']}, not a {qualname}: "
            "Stream copies the handler for every connection, so the algorithm is lost"
        )
    lost = _lost_settings(facts["original"], facts["copy"])
    if lost:
        raise CheckFailed(
            f"copy() lost settings: {'; '.join(lost)}; pass every "
            "constructor argument on to the copy"
        )
    return f"copy() kept {qualname} and its settings"


@check(
    "TT204",
    "copies share no state",
    kind="turn-taking",
    needs=("tt.copies_apart",),
    after=_AFTER,
    doc="Feeding speech to one copy changes nothing in another. *Why:* each connection "
    "gets its own copy.",
    fix="create mutable state (lists, buffers, counters) in `__init__`, never pass it to the copy.",
)
def check_copies_share_no_state(obs: Observations) -> str:
    """Feeding one copy leaves another unchanged."""
    facts = _facts(obs.probe("tt.copies_apart"))
    before, after = facts["before"], facts["after"]
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        raise CheckFailed(
            f"feeding audio to one copy changed {', '.join(changed)} of another copy; "
            "each connection gets its own copy, so copies must not share mutable state"
        )
    if facts["same_state"]:
        raise CheckFailed("two copies share one state object; build a fresh AppState per copy")
    return "two copies kept separate state while one was fed speech"
