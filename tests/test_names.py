from __future__ import annotations

import pytest

from fastrtc_registry.names import canonicalize, kind_for_group, parse_kind, split_qualified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Walkie_Talkie", "walkie-talkie"), ("a.b__c", "a-b-c"), (" energy ", "energy")],
)
def test_canonicalize_folds_case_and_separators(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_split_qualified_picks_package() -> None:
    assert split_qualified("fastrtc_energy_vad:Energy") == ("fastrtc-energy-vad", "energy")
    assert split_qualified("energy") == (None, "energy")


def test_kinds_and_groups() -> None:
    assert kind_for_group("fastrtc.vad") == "vad"
    assert kind_for_group("fastrtc.turn_taking") == "turn-taking"
    assert kind_for_group("console_scripts") is None
    assert parse_kind("turn_taking") == "turn-taking"
    with pytest.raises(ValueError, match="unknown plugin kind 'asr'"):
        parse_kind("asr")
