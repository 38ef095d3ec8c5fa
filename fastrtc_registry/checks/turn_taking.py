"""Tier 2 checks for turn-taking handlers, judged from the worker's ``tt.*`` probes.

The worker (:mod:`fastrtc_registry.validation.observe_turn_taking` and
:mod:`fastrtc_registry.validation.observe_conversations`) drives the handler
with scripted speech and a reference VAD, the conversation following the
plugin's tags (what ends its turn), and reports when replies fired, which
copy gave them, per-call timings, and fingerprints of settings and state.
These checks judge them; plugin code never runs here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ..validation.probe_facts import (
    ConcurrentFacts,
    ConversationFacts,
    ConversationPlan,
    CopiesApartFacts,
    CopySettingsFacts,
    PlanFacts,
    ProbeFacts,
    RatesFacts,
    RealtimeFacts,
    ReplyAt,
    SilentFacts,
    Tried,
    TriggerFacts,
    TriggerPlan,
)
from .base import (
    CheckFailed,
    CheckSkipped,
    CheckWarning,
    Observations,
    SkipAfter,
    check,
)
from .imports import crashed, needs_network

__all__ = [
    "check_copies_independent",
    "check_copies_share_no_state",
    "check_copy_keeps_settings",
    "check_keeps_up",
    "check_needs_its_trigger",
    "check_no_reply_to_silence",
    "check_rates",
    "check_replies_once",
    "check_second_turn",
    "check_tags",
]

F = TypeVar("F", bound=ProbeFacts)
_AFTER = ("IMP103", "IMP104")
# Checks that judge copies: a copy() of the wrong class says nothing about the plugin.
_COPIES = ("IMP106", "IMP107")


def _facts(obs: Observations, probe: str, kind: type[F]) -> F:
    """The typed facts of ``probe``, once a call that raised in it is reported."""
    for record in obs.probe(probe).calls:
        if record.error is not None:
            if record.error.network:  # e.g. a model fetched on first use: not a failure
                raise needs_network(record.error, f"calling {record.label}")
            raise crashed(obs, record)
    return obs.facts(probe, kind)


def _tags(obs: Observations) -> Any:
    """The plugin's tags, parsed here from the raw ones the worker read; cached on ``obs``."""
    from ..validation.tags import merge_tags, parse_tags

    if "parsed" not in obs.tags:
        facts = _facts(obs, "tt.trigger", TriggerFacts)
        raw = merge_tags(obs.tags.get("pyproject", {}), facts.tags)
        obs.tags["parsed"] = parse_tags(raw, source=f"{_qualname(obs)}.__fastrtc_tags__")
    return obs.tags["parsed"]


def _declared(obs: Observations) -> bool:
    from ..validation.tags import InvalidTagsError

    try:
        return bool(_tags(obs).declared)
    except InvalidTagsError:
        return True  # declared, wrongly: TT200 says how


def _qualname(obs: Observations) -> str:
    facts = obs.load.facts if obs.load is not None else None
    return facts.qualname if facts is not None else obs.spec


def _said(trigger: TriggerPlan) -> str:
    if trigger.kind == "pause":
        return "a pause"
    where = "at the end" if trigger.position == "end" else "at the start"
    return f"the keyword {trigger.keyword!r} {where}"


def _turns(conversation: ConversationPlan) -> str:
    return ", ".join(
        f"{u.text!r} ({u.start_s:.2f}-{u.end_s:.2f} s)" for u in conversation.utterances
    )


def _times(replies: Sequence[ReplyAt]) -> str:
    return ", ".join(f"{r.at_s:.2f} s" for r in replies)


def _chosen(obs: Observations) -> Tried | None:
    """The conversation that got a reply while ``tt.trigger`` sought the trigger."""
    facts = _facts(obs, "tt.trigger", TriggerFacts)
    return next((t for t in facts.tried if t.replies), None)


@check(
    "TT200",
    "declares valid tags",
    kind="turn-taking",
    needs=("tt.trigger",),
    after=_AFTER,
    doc="`__fastrtc_tags__` (or `[tool.fastrtc-plugins]`) holds only known tags with values "
    "of the right type (docs/authoring.md, *Tags*). Without tags, a plugin that asks for "
    "fastrtc's speech-to-text model is tried with a pause, its `stop_words`, and the known "
    "keywords (`over` at the end, `computer` at the start).",
    fix="spell the tags as docs/authoring.md lists them, e.g. "
    '`__fastrtc_tags__ = {"trigger": "keyword", "keywords": ["over"]}`.',
)
def check_tags(obs: Observations) -> str:
    """The declared tags parse."""
    from ..validation.tags import InvalidTagsError

    try:
        tags = _tags(obs)
    except InvalidTagsError as exc:
        raise CheckFailed(str(exc)) from exc
    facts = _facts(obs, "tt.trigger", TriggerFacts)
    stt = " and uses fastrtc's speech-to-text" if facts.stt_requested else ""
    if tags.declared:
        network = "; declares it needs the network to build" if tags.needs_network else ""
        return f"declared: turns end on {tags.describe()}{stt}{network}"
    return f"no tags declared{stt}; defaults apply"


@check(
    "TT201",
    "replies once after its turn ends",
    kind="turn-taking",
    needs=("tt.trigger",),
    after=_AFTER,
    doc="A scripted utterance at 48 kHz that ends the turn the way the plugin's tags say "
    '(a pause; a keyword at the end, "... over."; or a wake word at the start, '
    '"computer, ..."), then several seconds of quiet: exactly one call to the reply '
    "function, after the utterance ended. Speech-to-text is a scripted model that hears "
    "the words the script says (no download). An untagged plugin that uses speech-to-text "
    "is tried with the known triggers; the first that gets a reply is its trigger.",
    fix="`determine_pause` must return `True` once per turn, after the turn ended; if "
    "another word ends your turn, declare it: "
    '`__fastrtc_tags__ = {"trigger": "keyword", "keywords": ["..."]}`.',
)
def check_replies_once(obs: Observations) -> str:
    """One reply, after the turn ended."""
    facts = _facts(obs, "tt.trigger", TriggerFacts)
    chosen = _chosen(obs)
    if chosen is None:
        tried = facts.tried
        if len(tried) == 1 and tried[0].trigger.kind == "pause":
            conversation = tried[0].conversation
            quiet = conversation.total_s - conversation.utterances[-1].end_s
            raise CheckFailed(
                f"never replied: speech {_turns(conversation)} then {quiet:.1f} s of silence "
                "(48 kHz frames) gave no call to the reply function; determine_pause must "
                "return True once the speaker has paused"
            )
        said = "; ".join(f"{_said(t.trigger)}: {_turns(t.conversation)}" for t in tried)
        raise CheckFailed(
            f"never replied to any turn tried ({said}), each followed by several seconds "
            "of silence; if its turn ends on other words, declare them in "
            "__fastrtc_tags__ (docs/authoring.md, Tags)"
        )
    replies, conversation = chosen.replies, chosen.conversation
    end = conversation.utterances[-1].end_s
    if len(replies) > 1:
        raise CheckFailed(
            f"replied {len(replies)} times ({_times(replies)}) to one turn "
            f"{_turns(conversation)}; expected exactly one reply after the turn ended"
        )
    at = replies[0].at_s
    if at + 1e-6 < end:
        raise CheckFailed(
            f"replied at {at:.2f} s, before the turn {_turns(conversation)} ended; "
            "expected the reply after the turn ended"
        )
    trigger = _said(chosen.trigger)
    if _declared(obs):
        trigger += ", declared"
    elif chosen.trigger.kind != "pause":
        trigger += ", found by trying"
    return (
        f"replied once at {at:.2f} s, {at - end:.2f} s after {_turns(conversation)} ended "
        f"(trigger: {trigger})"
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
    facts = _facts(obs, "tt.silent", SilentFacts)
    fired, seconds = facts.fired, float(facts.audio_s)
    if fired:
        raise CheckFailed(
            f"replied at {float(fired[0]):.2f} s to {seconds:.1f} s of "
            "silence; a reply must follow speech (state.started_talking)"
        )
    return f"no reply to {seconds:.1f} s of silence"


def _lost_settings(facts: CopySettingsFacts) -> list[str]:
    original, copied = facts.original, facts.copy
    varying = set(facts.varying)
    lost = [
        f"{name} {want} became {getattr(copied, part).get(name, 'missing')}"
        for part in ("settings", "simple")
        for name, want in getattr(original, part).items()
        if f"{part}.{name}" not in varying and getattr(copied, part).get(name) != want
    ]
    if original.model != copied.model:
        lost.append(f"the model {original.model} became {copied.model}")
    return lost


def _built_with(facts: CopySettingsFacts) -> str:
    given = ["algo_options", "model_options", "can_interrupt=False"]
    given += [f"{name}={value}" for name, value in facts.overridden.items()]
    return ", ".join(given)


@check(
    "TT203",
    "copy() keeps the class and the settings",
    kind="turn-taking",
    needs=("tt.copy_settings",),
    after=(*_AFTER, *_COPIES),
    doc="Built with non-default `algo_options`, `model_options` and `can_interrupt`, and "
    "with a non-default value for every other constructor parameter whose default is a "
    "bool, int, float or str (its own and, through `**kwargs`, ReplyOnPause's: "
    "`expected_layout`, `output_sample_rate`, `input_sample_rate`, `needs_args`): "
    "a bool negated, an int doubled (0 becomes 1), a float halved (0.0 becomes 0.5), a "
    "str another `Literal` choice or `not-<default>`. A value the constructor rejects "
    "is left at its default, and parameters with other defaults (`None`, lists, objects) "
    "are not overridden; the message names both. The copy must have the same class, the "
    "same kind of model, the same fastrtc settings, and the same value for every "
    "attribute of the instance (`vars()`, private ones too, whatever their names) that "
    "holds a bool, int, float, str or None or a list, tuple, dict or dataclass of them "
    "(attributes rather than parameter names, since a setting may be stored under another "
    "name, `self._needed = quiet_chunks`). "
    "Not compared: fastrtc's per-connection state (`state`, `generator`, `event`, "
    "`latest_args`, ...) and attributes that differ between two handlers built with the "
    "same arguments (a timestamp, an id).",
    fix="pass every constructor argument on in `copy()`.",
)
def check_copy_keeps_settings(obs: Observations) -> str:
    """The copy has the same class and the same settings, including overridden defaults."""
    facts = _facts(obs, "tt.copy_settings", CopySettingsFacts)
    qualname = obs.loaded.qualname
    if not facts.same_type:
        raise CheckFailed(
            f"copy() returned a {facts.type}, not a {qualname}: "
            "Stream copies the handler for every connection, so the algorithm is lost"
        )
    built = _built_with(facts)
    lost = _lost_settings(facts)
    if lost:
        raise CheckFailed(
            f"copy() lost settings: {'; '.join(lost)} (built with {built}); pass every "
            "constructor argument on to the copy"
        )
    notes = []
    if facts.rejected:
        notes.append(
            "left at their defaults, as the constructor rejected the values tried: "
            + ", ".join(f"{n} ({why})" for n, why in facts.rejected.items())
        )
    if facts.not_overridden:
        notes.append(
            "not overridden (default not a bool, int, float or str): "
            + ", ".join(facts.not_overridden)
        )
    extra = f"; {'; '.join(notes)}" if notes else ""
    return f"copy() kept {qualname} and its settings (built with {built}){extra}"


@check(
    "TT204",
    "copies share no state",
    kind="turn-taking",
    needs=("tt.copies_apart",),
    after=(*_AFTER, *_COPIES),
    doc="Feeding speech to one copy changes nothing in another. *Why:* each connection "
    "gets its own copy.",
    fix="create mutable state (lists, buffers, counters) in `__init__`, never pass it to the copy.",
)
def check_copies_share_no_state(obs: Observations) -> str:
    """Feeding one copy leaves another unchanged."""
    facts = _facts(obs, "tt.copies_apart", CopiesApartFacts)
    before, after = facts.before, facts.after
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        raise CheckFailed(
            f"feeding audio to one copy changed {', '.join(changed)} of another copy; "
            "each connection gets its own copy, so copies must not share mutable state"
        )
    if facts.same_state:
        raise CheckFailed("two copies share one state object; build a fresh AppState per copy")
    return "two copies kept separate state while one was fed speech"


def _trigger_of(facts: PlanFacts) -> TriggerPlan:
    return facts.trigger


@check(
    "TT205",
    "does not reply without its trigger",
    kind="turn-taking",
    needs=("tt.trigger", "tt.no_trigger"),
    after=("TT201",),
    doc="For a keyword-triggered plugin: the same utterance without the keyword, then "
    "several seconds of quiet, gets no reply. Not applicable to pause-triggered plugins.",
    fix="end the turn only when the keyword was heard.",
)
def check_needs_its_trigger(obs: Observations) -> str:
    """No reply to a turn without the keyword."""
    facts = _facts(obs, "tt.no_trigger", ConversationFacts)
    trigger = _trigger_of(facts)
    if trigger.kind == "pause":
        raise CheckSkipped("not applicable: every turn of a pause-triggered plugin ends on a pause")
    conversation = facts.conversations[0]
    if facts.replies:
        raise CheckFailed(
            f"replied at {_times(facts.replies)} to {_turns(conversation)}, which lacks "
            f"{_said(trigger)}; a {trigger.keyword!r}-triggered turn must wait for it"
        )
    return f"no reply to {_turns(conversation)} (without {trigger.keyword!r})"


@check(
    "TT206",
    "replies to a second turn too",
    kind="turn-taking",
    needs=("tt.two_turns",),
    after=("TT201",),
    doc="Two turns in a row to one handler: one reply after each. *Why:* state that is "
    "never reset answers the first turn only.",
    fix="clear everything a turn leaves behind in `reset()` (fastrtc calls it after each "
    "reply), not only in `__init__`.",
)
def check_second_turn(obs: Observations) -> str:
    """One reply per turn, each after its turn."""
    facts = _facts(obs, "tt.two_turns", ConversationFacts)
    conversation = facts.conversations[0]
    first, second = conversation.utterances[:2]
    replies = [r.at_s for r in facts.replies]
    after_first = [t for t in replies if first.end_s <= t + 1e-6 < second.end_s]
    after_second = [t for t in replies if t + 1e-6 >= second.end_s]
    if len(after_first) == 1 and len(after_second) == 1 and len(replies) == 2:
        return f"replied at {replies[0]:.2f} s and {replies[1]:.2f} s to {_turns(conversation)}"
    if len(after_first) == 1 and not after_second:
        raise CheckFailed(
            f"replied to the first turn only ({_times(facts.replies)}) of "
            f"{_turns(conversation)}; state left from the first turn stops the second: "
            "reset it in reset()"
        )
    raise CheckFailed(
        f"replied at {_times(facts.replies) or 'no time'} to {_turns(conversation)}; "
        "expected one reply after each turn"
    )


@check(
    "TT207",
    "copies fed different conversations at once reply as each would alone",
    kind="turn-taking",
    needs=("tt.concurrent",),
    after=("TT201", *_COPIES),
    doc="Two conversations (the second with other words, starting one analysis window "
    "later, so the pauses overlap but do not coincide) are each fed alone to a fresh "
    "handler; then two `copy()`s of one handler are fed both at once, frame by frame, as "
    "two connections are. Each copy must reply at the same times as the fresh handler fed "
    "its conversation alone. *Why:* class-level mutable state (a pause counter on the "
    "class), or a list or dict handed to the copy, mixes connections: one user's pause "
    "or speech moves another user's reply.",
    fix="create counters, buffers, lists and dicts in `__init__` (never as class "
    "attributes, never through `type(self)`) and give each copy its own.",
)
def check_copies_independent(obs: Observations) -> str:
    """Each copy, fed alongside another, replies when a fresh handler fed alone does."""
    facts = _facts(obs, "tt.concurrent", ConcurrentFacts)
    problems = []
    for index, conversation in enumerate(facts.conversations[:2]):
        alone = list(facts.alone[index])
        together = [r for r in facts.replies if r.handler == index]
        if not alone:
            problems.append(f"a fresh handler fed {_turns(conversation)} alone never replied")
        elif [round(r.at_s, 3) for r in together] != [round(r.at_s, 3) for r in alone]:
            problems.append(
                f"copy {index + 1}, fed {_turns(conversation)} alongside another copy, replied "
                f"at {_times(together) or 'no time'}; a fresh handler fed it alone replied at "
                f"{_times(alone)}"
            )
    if problems:
        raise CheckFailed(
            "; ".join(problems) + ": the copies share state (a class attribute, or a list "
            "or dict passed on by copy()), so one connection hears another"
        )
    times = "; ".join(_times(list(a)) for a in facts.alone[:2])
    return (
        "two copies fed two conversations at once replied as fresh handlers fed each alone "
        f"({times})"
    )


@check(
    "TT208",
    "determine_pause keeps up with real time at 48 kHz",
    kind="turn-taking",
    needs=("tt.realtime",),
    after=_AFTER,
    doc="Each call of `determine_pause` is timed while a turn is fed in 20 ms frames at "
    "48 kHz (after one warm-up pass); p50, p95 and the slowest call are reported. It fails "
    "when the calls take longer in total than the audio lasts (the stream falls behind), "
    "and warns when the p95 call is longer than a frame (replies lag while frames queue).",
    fix="do heavy work (a model, speech-to-text) once per analysis window, not per frame, "
    "and keep it below real time.",
)
def check_keeps_up(obs: Observations) -> str:
    """Total time below the audio's length; p95 per call reported (a warning above a frame)."""
    facts = _facts(obs, "tt.realtime", RealtimeFacts)
    timings = sorted(float(t) for t in facts.timings_s)
    if not timings:
        raise CheckFailed("determine_pause was never called while frames were fed")
    frame, audio = float(facts.frame_s), float(facts.audio_s)
    p50 = timings[len(timings) // 2]
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    total = sum(timings)
    figures = (
        f"p50 {p50 * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, max {timings[-1] * 1000:.1f} ms "
        f"per call ({len(timings)} calls, one per {frame * 1000:.0f} ms frame); "
        f"{total:.2f} s for {audio:.1f} s of audio"
    )
    if total > audio:
        raise CheckFailed(f"{figures}: slower than real time, so the stream falls behind")
    if p95 > frame:
        raise CheckWarning(
            f"{figures}: the p95 call is longer than a {frame * 1000:.0f} ms frame, so "
            "replies lag while frames queue"
        )
    return figures


@check(
    "TT209",
    "replies at 16, 24 and 48 kHz input",
    kind="turn-taking",
    needs=("tt.rates",),
    after=_AFTER,
    doc="The turn of TT201, fed at 16, 24 and 48 kHz (fastrtc passes the input rate as "
    "`sampling_rate`): a reply at each. *Why:* an algorithm that assumes 16 kHz (a "
    "hard-coded rate, a missing resample before speech-to-text) breaks at WebRTC's 48 kHz.",
    fix="use the `sampling_rate` argument; resample to what your model needs.",
)
def check_rates(obs: Observations) -> str:
    """A reply at every input rate."""
    facts = _facts(obs, "tt.rates", RatesFacts)
    by_rate = dict(facts.replies)
    answered = sorted(rate for rate, replies in by_rate.items() if replies)
    silent = sorted(rate for rate, replies in by_rate.items() if not replies)
    if not answered:
        raise SkipAfter("TT201")
    if silent:
        raise CheckFailed(
            f"replied at {', '.join(f'{r // 1000} kHz' for r in answered)} but not at "
            f"{', '.join(f'{r // 1000} kHz' for r in silent)}: the algorithm assumes an input "
            "rate; use the sampling_rate argument and resample"
        )
    return "replied at " + ", ".join(f"{r // 1000} kHz" for r in answered)
