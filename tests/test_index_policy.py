"""The index policy's pure parts: the low-speed rule."""

from __future__ import annotations

import pytest

from fastrtc_registry.index.policy import LOW_SPEED_LIMIT, LOW_SPEED_TIME, SpeedFloor


def test_the_defaults_end_a_trickle_well_within_a_minute() -> None:
    assert LOW_SPEED_TIME <= 30 and LOW_SPEED_LIMIT >= 512
    floor = SpeedFloor.from_env()
    assert (floor.limit, floor.window) == (LOW_SPEED_LIMIT, LOW_SPEED_TIME)


def test_a_trickle_is_too_slow_once_a_whole_window_has_passed() -> None:
    floor = SpeedFloor(limit=100, window=5, started=0.0)
    for second in range(5):
        floor.add(1, now=float(second))  # a byte a second
        assert not floor.too_slow(now=second + 0.5), "judged before a whole window"
    assert floor.too_slow(now=5.0)


def test_a_steady_link_above_the_floor_is_never_too_slow() -> None:
    floor = SpeedFloor(limit=100, window=5, started=0.0)
    for tenth in range(600):
        floor.add(15, now=tenth / 10)  # 150 bytes/s for a minute
        assert not floor.too_slow(now=tenth / 10)


def test_only_the_last_window_counts() -> None:
    floor = SpeedFloor(limit=100, window=5, started=0.0)
    floor.add(10_000, now=0.5)  # a burst, then nothing
    assert not floor.too_slow(now=5.0)
    assert floor.too_slow(now=5.6)


def test_a_stall_is_too_slow_without_any_byte() -> None:
    floor = SpeedFloor(limit=1, window=2, started=0.0)
    assert floor.too_slow(now=2.0)
    assert floor.next_check(now=0.0) == 1.0


@pytest.mark.parametrize("env", [("0", "20"), ("1024", "0")], ids=["no-limit", "no-window"])
def test_zero_turns_the_rule_off(monkeypatch: pytest.MonkeyPatch, env: tuple[str, str]) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_LOW_SPEED_LIMIT", env[0])
    monkeypatch.setenv("FASTRTC_PLUGINS_LOW_SPEED_TIME", env[1])
    floor = SpeedFloor.from_env()
    assert not floor.enabled and not floor.too_slow(now=floor.started + 1e6)
    assert floor.next_check() == float("inf")
