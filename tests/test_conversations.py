"""Planning scripted conversations: triggers to try, keyword placement, trailing silence."""

from __future__ import annotations

import pytest

from fastrtc_registry.validation.conversations import (
    KNOWN_TRIGGERS,
    LEAD_S,
    Trigger,
    plan,
    trigger_from_dict,
    triggers_to_try,
)
from fastrtc_registry.validation.scripted_stt import GAP_S, WORD_S
from fastrtc_registry.validation.tags import Tags, parse_tags


def test_declared_keywords_are_the_only_triggers_tried() -> None:
    tags = parse_tags({"keywords": ["roger", "over and out"]})
    assert triggers_to_try(tags, uses_stt=True, stop_words=["computer"]) == [
        Trigger("keyword", "roger", "end"),
        Trigger("keyword", "over and out", "end"),
    ]


def test_untagged_plugins_without_stt_end_turns_on_a_pause() -> None:
    assert triggers_to_try(Tags(), uses_stt=False, stop_words=["computer"]) == [Trigger()]
    assert triggers_to_try(parse_tags({"trigger": "pause"}), uses_stt=True) == [Trigger()]


def test_untagged_stt_plugins_try_a_pause_their_stop_words_then_the_known_triggers() -> None:
    tried = triggers_to_try(Tags(), uses_stt=True, stop_words=["jarvis", "", 3])  # type: ignore[list-item]
    assert tried[:3] == [
        Trigger(),
        Trigger("keyword", "jarvis", "start"),
        Trigger("keyword", "jarvis", "end"),
    ]
    assert tried[3:] == list(KNOWN_TRIGGERS)
    assert triggers_to_try(Tags(), uses_stt=True) == [Trigger(), *KNOWN_TRIGGERS]


@pytest.mark.parametrize(
    ("trigger", "with_trigger", "text"),
    [
        (Trigger("keyword", "over", "end"), True, "hello how are you over."),
        (Trigger("keyword", "computer", "start"), True, "computer hello how are you"),
        (Trigger("keyword", "over", "end"), False, "hello how are you"),
        (Trigger(), True, "hello how are you"),
    ],
)
def test_what_is_said(trigger, with_trigger, text) -> None:
    conversation = plan(trigger, rate=16000, with_trigger=with_trigger, window_s=3.0)
    assert [u.text for u in conversation.utterances] == [text]
    assert conversation.utterances[0].start_s == LEAD_S


@pytest.mark.parametrize("window_s", [0.6, 1.0, 3.0, 0.7])
def test_the_keyword_never_straddles_an_analysis_window(window_s) -> None:
    trigger = Trigger("keyword", "over", "end")
    conversation = plan(trigger, rate=48000, turns=3, window_s=window_s)
    for utterance in conversation.utterances:
        begin = utterance.end_s - WORD_S
        assert int(begin // window_s) == int((utterance.end_s - 1e-9) // window_s), utterance


def test_turns_follow_each_other_with_trailing_silence() -> None:
    conversation = plan(Trigger(), rate=24000, turns=2, window_s=3.0, patience_s=5.0)
    first, second = conversation.utterances
    assert second.start_s >= first.end_s + 3.0
    assert first.text != second.text
    assert conversation.total_s == pytest.approx(second.end_s + 3.0 + 5.0)
    words = len(first.text.split())
    assert first.end_s == pytest.approx(LEAD_S + words * WORD_S + (words - 1) * GAP_S)


def test_trigger_round_trips() -> None:
    trigger = Trigger("keyword", "computer", "start")
    assert trigger_from_dict(trigger.as_dict()) == trigger
    assert trigger.describe() == "the keyword 'computer' at the start"
