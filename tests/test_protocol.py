"""The worker protocol: typed messages, tagged values, and typed probe facts checked on arrival."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from fastrtc_registry.checks.base import Observations
from fastrtc_registry.checks.ids import check_info
from fastrtc_registry.suite import INTERFERED, _judge
from fastrtc_registry.validation.probe_facts import (
    FACTS,
    ConversationFacts,
    ConversationPlan,
    CopyFacts,
    GrowthFacts,
    RatesFacts,
    ReplyAt,
    Spoken,
    ThreadsFacts,
    TriggerPlan,
    decode_facts,
)
from fastrtc_registry.validation.protocol import (
    CallRecord,
    ExcInfo,
    LoadRequest,
    ObserveReply,
    ProtocolViolation,
    decode_message,
    decode_value,
    encode_message,
    encode_value,
)


def test_values_keep_their_types_across_the_protocol() -> None:
    import numpy as np

    value = (float("inf"), [{"start": np.int64(3), "end": 4.5}], np.float32(0.5), True, None)
    decoded = decode_value(encode_value(value))
    assert decoded[0] == float("inf")
    assert decoded[1] == [{"start": 3, "end": 4.5}]
    assert type(decoded[1][0]["start"]) is int and type(decoded[1][0]["end"]) is float
    assert decoded[2:] == (0.5, True, None)
    assert repr(decode_value(encode_value(object()))).startswith("<object object")


@pytest.mark.parametrize(
    "line",
    [
        b"{not json",
        b'{"ok": true, "results": []}',
        b'{"run": "x", "seq": 1, "nonce": "n", "type": "nope", "body": {}}',
        b'{"run": "x", "seq": "1", "nonce": "n", "type": "load", "body": {}}',
        b'{"run": "x", "seq": 1, "type": "load", "body": {}}',
        b'{"run": "x", "seq": 1, "nonce": "n", "type": "load", "body": {"error": 3}}',
    ],
    ids=["not-json", "old-answer", "unknown-type", "bad-seq", "no-nonce", "bad-field"],
)
def test_malformed_replies_are_protocol_violations(line: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        decode_message(line, replies=True)


def test_a_message_round_trips() -> None:
    line = encode_message("run1", 7, LoadRequest("m:A", "vad", "a"), "n0")
    envelope = decode_message(line.strip(), replies=False)
    assert (envelope.run, envelope.seq, envelope.nonce) == ("run1", 7, "n0")
    assert envelope.message == LoadRequest("m:A", "vad", "a")


def _observe_line(probe: str, facts: Any, calls: list[dict[str, Any]] | None = None) -> bytes:
    body = {"probe": probe, "calls": calls or [], "facts": facts, "error": None}
    return json.dumps(
        {"run": "r", "seq": 1, "nonce": "n", "type": "observe", "body": body}
    ).encode()


def _plan() -> ConversationPlan:
    return ConversationPlan(48000, 9.0, (Spoken(1.0, "hello how are you", 2.52),))


def test_typed_facts_round_trip_through_a_reply() -> None:
    facts = ConversationFacts(
        trigger=TriggerPlan("pause", "", "end"),
        window_s=0.6,
        conversations=(_plan(),),
        replies=(ReplyAt(4.2, 48000, 0),),
    )
    reply = ObserveReply("tt.two_turns", (), facts)
    decoded = decode_message(encode_message("r", 1, reply, "n").strip(), replies=True).message
    assert decoded == reply and isinstance(decoded.facts, ConversationFacts)


def test_integer_keys_survive_json() -> None:
    facts = RatesFacts(TriggerPlan("pause", "", "end"), 0.6, (), {16000: (), 48000: ()})
    decoded = decode_message(
        encode_message("r", 1, ObserveReply("tt.rates", (), facts), "n").strip(), replies=True
    ).message
    assert decoded.facts.replies == {16000: (), 48000: ()}


def test_every_probe_has_a_facts_class() -> None:
    from fastrtc_registry.checks import REGISTRY

    needs = {n for spec in REGISTRY.values() for n in spec.needs}
    assert needs - {"load", "build", "package"} <= set(FACTS)


@pytest.mark.parametrize(
    ("probe", "facts", "why"),
    [
        ("vad.threads", {"jobs": [0, 1]}, "no 'threads'"),
        ("vad.threads", {"jobs": [0, "1"], "threads": 4}, r"jobs\[1\] is not an integer"),
        ("vad.threads", {"jobs": [0], "threads": True}, "threads is not an integer"),
        ("vad.threads", {"jobs": [0], "threads": 4, "extra": 1}, "'extra'"),
        ("imp.copy", {"type": "Copy", "same_type": "yes"}, "same_type is not true or false"),
        ("vad.growth", {"memory": [[1.0]], "warmup_s": 0, "fed_s": 0, "elapsed_s": 0}, "1 items"),
        (
            "tt.rates",
            {
                "trigger": {"kind": "pause", "keyword": "", "position": "end"},
                "window_s": 0.6,
                "conversations": [],
                "replies": {"x": []},
            },
            "'x'",
        ),
        ("no.such", {}, "no probe"),
    ],
    ids=["missing", "wrong-item", "bool-for-int", "unknown-key", "bool", "tuple", "key", "probe"],
)
def test_facts_that_do_not_fit_are_protocol_violations(probe: str, facts: Any, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why):
        decode_message(_observe_line(probe, facts), replies=True)


def test_facts_decode_to_their_classes() -> None:
    facts = decode_facts(
        "vad.growth", {"memory": [[0.6, 10]], "warmup_s": 0, "fed_s": 1, "elapsed_s": 2}
    )
    assert facts == GrowthFacts(((0.6, 10),), 0.0, 1.0, 2.0)
    assert decode_facts("imp.copy", {"type": "A", "same_type": True}) == CopyFacts("A", True)


def test_an_observation_with_neither_facts_nor_a_failed_call_is_forged() -> None:
    with pytest.raises(ProtocolViolation, match="neither facts nor a failed call"):
        decode_message(_observe_line("vad.threads", None), replies=True)
    failed = {"label": "vad()", "error": {"type": "ValueError", "message": "no"}}
    reply = decode_message(_observe_line("vad.threads", None, [failed]), replies=True).message
    assert reply.facts is None and reply.calls[0].error == ExcInfo("ValueError", "no")


def test_a_load_reply_with_neither_facts_nor_an_error_is_forged() -> None:
    line = b'{"run": "r", "seq": 1, "nonce": "n", "type": "load", "body": {"elapsed_s": 0.1}}'
    with pytest.raises(ProtocolViolation, match="neither facts nor an error"):
        decode_message(line, replies=True)


def _threads_observations(facts: ThreadsFacts, calls: int) -> Observations:
    obs = Observations("m:V", "vad", "v")
    record = CallRecord("vad()", answer=(0.0, []), rate=48000, samples=28800)
    obs.probes["vad.threads"] = ObserveReply("vad.threads", (record,) * calls, facts)
    return obs


def test_a_bug_in_a_check_is_an_error_of_ours_not_interference() -> None:
    # A check that meets facts of another class (a bug in the suite) must not blame the plugin.
    spec = check_info("VAD212")
    obs = _threads_observations(ThreadsFacts((0,), 1), 2)
    obs.probes["vad.threads"] = replace(obs.probes["vad.threads"], facts=CopyFacts("A", True))
    result = _judge(spec, obs, 0.0)
    assert result.status == "error"
    assert (
        "internal error in VAD212" in result.message and "bug in fastrtc-registry" in result.message
    )
    assert INTERFERED not in result.message


def test_calls_that_contradict_their_facts_are_interference() -> None:
    # Typed facts can still disagree with the calls sent beside them: a forged reply.
    result = _judge(check_info("VAD212"), _threads_observations(ThreadsFacts((0, 5), 4), 3), 0.0)
    assert result.status == "failed" and result.message.startswith(INTERFERED)
