"""Scripted conversations for turn-taking handlers: what is said, when, and what triggers a reply.

A plugin's :class:`~.tags.Tags` say what ends its turn: a pause, or a
keyword heard by speech-to-text (at the end of the turn, "... over.", or
opening it, "computer, ..."). :func:`triggers_to_try` turns the tags (or,
for an untagged plugin that uses speech-to-text, the known triggers) into
:class:`Trigger` values; :func:`plan` writes a :class:`~.scripted_stt.Conversation`
for one or more turns, with the keyword placed where the handler's
analysis window (``algo_options.audio_chunk_duration``) hears it whole, and
several seconds of trailing silence, since an algorithm may rightly wait
before it ends a turn. Pure planning: no plugin code runs here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .scripted_stt import GAP_S, WORD_S, Conversation, Utterance
from .tags import KeywordPosition, Tags

__all__ = [
    "KNOWN_TRIGGERS",
    "LEAD_S",
    "Trigger",
    "plan",
    "trigger_from_dict",
    "triggers_to_try",
]

LEAD_S = 1.0
_TURN_GAP_S = 2.0
_WORDS = ("hello how are you", "what time is it", "please turn on the lights")


@dataclass(frozen=True, slots=True)
class Trigger:
    """What ends a turn: a pause, or ``keyword`` at the ``position`` of the utterance."""

    kind: Literal["pause", "keyword"] = "pause"
    keyword: str = ""
    position: KeywordPosition = "end"

    def text(self, turn: int = 0, *, with_trigger: bool = True) -> str:
        """What the speaker says in ``turn``, with or without the trigger."""
        words = _WORDS[turn % len(_WORDS)]
        if self.kind == "pause" or not with_trigger:
            return words
        if self.position == "start":
            return f"{self.keyword} {words}"
        return f"{words} {self.keyword}."

    def describe(self) -> str:
        """For messages: ``the keyword 'over' at the end``."""
        if self.kind == "pause":
            return "a pause"
        where = "at the end" if self.position == "end" else "at the start"
        return f"the keyword {self.keyword!r} {where}"

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"kind": self.kind, "keyword": self.keyword, "position": self.position}


def trigger_from_dict(data: dict[str, Any]) -> Trigger:
    """Inverse of :meth:`Trigger.as_dict`."""
    return Trigger(data["kind"], str(data.get("keyword", "")), data.get("position", "end"))


# Triggers of the plugins known to listen for words: the published Walkie Talkie
# ends a turn with "over"; fastrtc's ReplyOnStopWords (built-in "stopwords")
# opens it with its default stop word.
KNOWN_TRIGGERS = (
    Trigger("keyword", "over", "end"),
    Trigger("keyword", "computer", "start"),
)


def triggers_to_try(tags: Tags, *, uses_stt: bool, stop_words: Sequence[str] = ()) -> list[Trigger]:
    """The triggers to test, most likely first.

    Declared keyword tags give exactly their keywords. A plugin without
    tags that asked for a speech-to-text model is tried with a plain pause
    first (it may transcribe for another reason), then its ``stop_words``
    attribute (both positions) and the :data:`KNOWN_TRIGGERS`; the first
    that gets a reply is its trigger. Anything else is pause-triggered.
    """
    if tags.trigger == "keyword":
        return [Trigger("keyword", k, tags.keyword_position) for k in tags.keywords]
    if tags.declared or not uses_stt:
        return [Trigger()]
    found = [
        Trigger("keyword", word.strip(), position)
        for word in stop_words
        if isinstance(word, str) and word.strip()
        for position in ("start", "end")
    ]
    return list(dict.fromkeys([Trigger(), *found, *KNOWN_TRIGGERS]))


def plan(
    trigger: Trigger,
    *,
    rate: int,
    turns: int = 1,
    with_trigger: bool = True,
    window_s: float = 0.6,
    patience_s: float = 6.0,
    first_turn: int = 0,
) -> Conversation:
    """``turns`` utterances with (or without) the trigger, then trailing silence.

    Each utterance starts after the previous one ended plus the time a
    reply may take (one analysis window and a gap), shifted so the keyword
    does not straddle a window boundary; the audio ends ``patience_s`` plus
    one window after the last word.
    """
    window = max(0.02, float(window_s))
    utterances: list[Utterance] = []
    start = LEAD_S
    for turn in range(first_turn, first_turn + turns):
        text = trigger.text(turn, with_trigger=with_trigger)
        if with_trigger:
            start = _aligned(start, text, trigger, window)
        utterance = Utterance(round(start, 3), text)
        utterances.append(utterance)
        start = utterance.end_s + window + _TURN_GAP_S
    total = utterances[-1].end_s + window + patience_s if utterances else LEAD_S + patience_s
    return Conversation(rate, round(total, 3), tuple(utterances))


def _aligned(start: float, text: str, trigger: Trigger, window: float) -> float:
    if trigger.kind != "keyword":
        return start
    words = text.split()
    index = len(words) - 1 if trigger.position == "end" else 0
    begin = start + index * (WORD_S + GAP_S)
    end = begin + WORD_S
    boundary = math.floor(end / window) * window
    if boundary > begin:  # the word crosses a window edge: start it just after the edge
        start += boundary - begin + 0.05
    return start
