"""Text from the index or the catalog, made safe for a terminal; URLs without secrets."""

from __future__ import annotations

import pytest

from fastrtc_registry._text import (
    clean_text,
    confusable,
    has_control,
    mask_secrets,
    mask_url,
    truncate,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("A VAD\x1b[2J that clears", "A VAD[2J that clears"),
        ("line one\nline two\r\n", "line one line two"),
        ("bell\x07 and \x9b csi", "bell and  csi"),
        ("right\u202eto-left", "rightto-left"),
        ("Sprachaktivität 音声", "Sprachaktivität 音声"),
    ],
)
def test_control_characters_are_stripped(raw: str, clean: str):
    assert clean_text(raw) == clean
    assert not has_control(clean_text(raw))


def test_has_control_and_truncate():
    assert has_control("x\x1b") and not has_control("plain\nlines")
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"
    assert clean_text("x" * 50, 10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://alice:s3cret@host/simple/", "http://alice:****@host/simple/"),
        ("https://token@host/simple/", "https://****@host/simple/"),
        ("http://host/simple/", "http://host/simple/"),
    ],
)
def test_credentials_are_masked(url: str, masked: str):
    assert mask_url(url) == masked
    assert mask_secrets(f"cannot read {url}: HTTP 500") == f"cannot read {masked}: HTTP 500"


def test_names_mixing_scripts_are_confusable():
    assert confusable("ѕilero")  # Cyrillic dze
    assert not confusable("silero") and not confusable("音声-vad")
