"""Worker side: the conversation probes: the plugin's own trigger, two turns, rates, copies, time.

``tt.trigger`` reads the plugin's tags and finds the trigger that gets a
reply (:mod:`.conversations`); the later probes reuse what it settled on
(kept in the worker's state as ``tt.plan``). Everything is fed through the
one handler driver, :func:`fastrtc_registry.simulate.drive_handlers`, with
the scripted speech of :mod:`.scripted_stt`; verdicts are the parent's
(:mod:`fastrtc_registry.checks.turn_taking`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..simulate import drive_handlers, running_loop, time_determine_pause
from ..stream import RATES
from .observe_turn_taking import FRAME, RATE, _build, _call, _guarded
from .probe_facts import (
    ConcurrentFacts,
    ConversationFacts,
    ConversationPlan,
    RatesFacts,
    RealtimeFacts,
    ReplyAt,
    Tried,
    TriggerFacts,
    TriggerPlan,
    rebuild,
)
from .probes import Observed, State, probe

__all__: list[str] = []


def _jsonable(value: Any, depth: int = 0) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if depth < 4 and isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in value]
    if depth < 4 and isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    return repr(value)[:200]


def _conversation(
    state: State, conversations: list[Any], *, copies: bool = False
) -> tuple[ReplyAt, ...]:
    """Drive fresh handlers (or copies of one) with ``conversations`` at once; the replies."""
    from .scripted_stt import render, scripted_model

    scripted_model().reset()
    audios = [render(c) for c in conversations]
    longest = max(len(a) for a in audios)
    audios = [np.concatenate([a, np.zeros(longest - len(a), np.int16)]) for a in audios]
    if copies:
        parent = _build(state, [])
        handlers = [_call("copy()", parent.copy) for _ in conversations]
    else:
        handlers = [_build(state, []) for _ in conversations]
    rate = conversations[0].rate
    with running_loop() as loop:
        replies = drive_handlers(handlers, audios, rate=rate, call=_call, loop=loop)
    return tuple(ReplyAt(r.at_s, r.samples, r.handler) for r in replies)


def _planned(state: State) -> dict[str, Any]:
    """The trigger ``tt.trigger`` settled on, and the handler's analysis window."""
    if "tt.plan" not in state:
        _trigger(state)
    if "tt.plan" not in state:  # the plugin raised while the trigger was sought
        from .conversations import Trigger

        state["tt.plan"] = {
            "trigger": Trigger(),
            "window_s": 0.6,
            "patience_s": 4.0,
            "replies": None,
        }
    planned: dict[str, Any] = state["tt.plan"]
    return planned


@probe("tt.trigger")
def _trigger(state: State) -> Observed:
    """Tags, speech-to-text use, and the conversations tried until one got a reply."""
    from .conversations import Trigger, plan, triggers_to_try
    from .scripted_stt import scripted_model
    from .tags import InvalidTagsError, Tags, class_tags, environment_tags, merge_tags, parse_tags

    def body(loop: Any) -> TriggerFacts:
        cls = state["object"]
        raw = _jsonable(class_tags(cls))
        try:
            tags = parse_tags(merge_tags(environment_tags(), raw))
        except InvalidTagsError:
            tags = Tags()  # the parent reports the tags; the conversations still run
        probe_handler = _build(state, [])
        options = getattr(probe_handler, "algo_options", None)
        window = getattr(options, "audio_chunk_duration", 0.6)
        window = float(window) if isinstance(window, (int, float)) else 0.6
        stop_words = getattr(probe_handler, "stop_words", None)
        stop_words = (
            [w for w in stop_words if isinstance(w, str)]
            if isinstance(stop_words, (list, tuple))
            else []
        )
        tried: list[Tried] = []
        candidates = triggers_to_try(
            tags, uses_stt=bool(scripted_model().requested), stop_words=stop_words
        )
        chosen: Trigger | None = None
        for candidate in candidates:
            conversation = plan(candidate, rate=RATE, window_s=window, patience_s=tags.patience_s)
            replies = _conversation(state, [conversation])
            tried.append(Tried(_trigger_plan(candidate), _conversation_plan(conversation), replies))
            if replies:
                chosen = candidate
                break
            if candidate == Trigger() and scripted_model().requested and not tags.declared:
                # It asked for speech-to-text only while listening: try the keywords too.
                candidates += [
                    t
                    for t in triggers_to_try(tags, uses_stt=True, stop_words=stop_words)
                    if t not in candidates
                ]
        planned = chosen or candidates[0]
        state["tt.plan"] = {
            "trigger": planned,
            "window_s": window,
            "patience_s": tags.patience_s,
            # what the planned trigger got at 48 kHz, for tt.rates
            "replies": next((t.replies for t in tried if t.trigger == planned.as_dict()), None),
        }
        return TriggerFacts(
            tags=raw,
            stt_requested=tuple(dict.fromkeys(scripted_model().requested)),
            stop_words=tuple(stop_words),
            window_s=window,
            tried=tuple(tried),
        )

    return _guarded(body)


def _plan_facts(planned: dict[str, Any], conversations: list[Any]) -> dict[str, Any]:
    """The fields of :class:`PlanFacts`, for the probes whose facts extend it."""
    return {
        "trigger": _trigger_plan(planned["trigger"]),
        "window_s": float(planned["window_s"]),
        "conversations": tuple(_conversation_plan(c) for c in conversations),
    }


def _trigger_plan(trigger: Any) -> TriggerPlan:
    return rebuild(TriggerPlan, trigger.as_dict())


def _conversation_plan(conversation: Any) -> ConversationPlan:
    return rebuild(ConversationPlan, conversation.as_dict())


def _scripted(state: State, make: Callable[[dict[str, Any]], list[Any]], **kw: Any) -> Observed:
    def body(loop: Any) -> ConversationFacts:
        planned = _planned(state)
        conversations = make(planned)
        replies = _conversation(state, conversations, **kw)
        return ConversationFacts(**_plan_facts(planned, conversations), replies=replies)

    return _guarded(body)


@probe("tt.no_trigger")
def _no_trigger(state: State) -> Observed:
    """The same turn without its trigger (no keyword); nothing to feed for a pause trigger."""
    from .conversations import plan

    def body(loop: Any) -> ConversationFacts:
        planned = _planned(state)
        if planned["trigger"].kind == "pause":
            return ConversationFacts(**_plan_facts(planned, []), replies=())
        conversation = plan(
            planned["trigger"],
            rate=RATE,
            with_trigger=False,
            window_s=planned["window_s"],
            patience_s=planned["patience_s"],
        )
        replies = _conversation(state, [conversation])
        return ConversationFacts(**_plan_facts(planned, [conversation]), replies=replies)

    return _guarded(body)


@probe("tt.two_turns")
def _two_turns(state: State) -> Observed:
    """Two turns in a row to one handler."""
    from .conversations import plan

    return _scripted(
        state,
        lambda p: [
            plan(
                p["trigger"], rate=RATE, turns=2, window_s=p["window_s"], patience_s=p["patience_s"]
            )
        ],
    )


@probe("tt.rates")
def _rates(state: State) -> Observed:
    """The trigger conversation at 16, 24 and 48 kHz input, each to a fresh handler."""
    from .conversations import plan

    def body(loop: Any) -> RatesFacts:
        planned = _planned(state)
        by_rate: dict[int, tuple[ReplyAt, ...]] = {}
        conversations = []
        for rate in RATES:
            conversation = plan(
                planned["trigger"],
                rate=rate,
                window_s=planned["window_s"],
                patience_s=planned["patience_s"],
            )
            conversations.append(conversation)
            known = planned["replies"] if rate == RATE else None
            by_rate[rate] = known if known is not None else _conversation(state, [conversation])
        return RatesFacts(**_plan_facts(planned, conversations), replies=by_rate)

    return _guarded(body)


@probe("tt.concurrent")
def _concurrent(state: State) -> Observed:
    """Two conversations, each fed alone to a fresh handler, then together to two copies.

    The second speaker says other words, one analysis window later, so the two
    pauses overlap but do not coincide; both conversations last as long.
    """
    from .conversations import plan
    from .scripted_stt import Conversation, Utterance

    def body(loop: Any) -> ConcurrentFacts:
        planned = _planned(state)
        first, later = (
            plan(
                planned["trigger"],
                rate=RATE,
                window_s=planned["window_s"],
                patience_s=planned["patience_s"],
                first_turn=turn,
            )
            for turn in (0, 1)
        )
        shift = planned["window_s"]
        moved = tuple(Utterance(round(u.start_s + shift, 3), u.text) for u in later.utterances)
        total = round(max(first.total_s, later.total_s + shift), 3)
        conversations = [
            Conversation(RATE, total, first.utterances),
            Conversation(RATE, total, moved),
        ]
        return ConcurrentFacts(
            **_plan_facts(planned, conversations),
            alone=tuple(_conversation(state, [c]) for c in conversations),
            replies=_conversation(state, conversations, copies=True),
        )

    return _guarded(body)


@probe("tt.realtime")
def _realtime(state: State) -> Observed:
    """Seconds per determine_pause call at 48 kHz, over the trigger conversation."""
    from .conversations import plan
    from .scripted_stt import render, scripted_model

    def body(loop: Any) -> RealtimeFacts:
        planned = _planned(state)
        conversation = plan(
            planned["trigger"], rate=RATE, window_s=planned["window_s"], patience_s=1.0
        )
        scripted_model().reset()
        audio = render(conversation)
        warm = _build(state, [])
        drive_handlers([warm], [audio[:RATE]], rate=RATE, call=_call, loop=loop)
        handler = _build(state, [])
        timings = time_determine_pause(handler)
        drive_handlers([handler], [audio], rate=RATE, call=_call, loop=loop)
        return RealtimeFacts(
            **_plan_facts(planned, [conversation]),
            frame_s=FRAME / RATE,
            audio_s=len(audio) / RATE,
            timings_s=tuple(round(t, 7) for t in timings),
        )

    return _guarded(body)
