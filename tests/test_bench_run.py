"""Parent side of the bench: results from worker answers, ranking, the catalog record."""

from __future__ import annotations

import pytest

from fastrtc_registry.bench import BenchResult, catalog_record, rank
from fastrtc_registry.bench.run import _result


def test_answers_become_results_and_bad_answers_become_errors() -> None:
    good = BenchResult(name="energy", f1=0.8, timeline=((0.1, 0.5),)).as_dict()
    assert _result("energy", {"ok": True, "result": good}, None).timeline == ((0.1, 0.5),)
    assert _result("x", None, "timed out after 5 s").error == "timed out after 5 s"
    assert _result("x", {"ok": False, "error": "boom"}, None).error == "boom"
    # A worker (or a plugin writing to its channel) that answers nonsense is a failure.
    for answer in (
        {"ok": True},
        {"ok": True, "result": {"f1": 1}},
        {"ok": True, "result": 3},
        {"ok": True, "result": {**good, "f1": "0.9"}},
        {"ok": True, "result": {**good, "missed_turns": True}},
        {"ok": True, "result": {**good, "conditions": []}},
        {"ok": True, "result": {**good, "timeline": [[1, 2, 3]]}},
    ):
        result = _result("x", answer, None)
        assert result.name == "x"
        assert result.error is not None and "malformed" in result.error
    # Unknown keys from a newer worker are ignored.
    newer = {**good, "something_new": 1}
    assert _result("energy", {"ok": True, "result": newer}, None).f1 == 0.8


def test_rank_puts_accuracy_first_and_failures_last() -> None:
    results = [
        BenchResult(name="broken", error="boom"),
        BenchResult(name="waits", kind="turn-taking", end_of_turn_p50_ms=1300.0),
        BenchResult(name="hums", f1=0.85, humming_false_speech=0.95),
        BenchResult(name="tie-b", f1=0.9, humming_false_speech=0.2),
        BenchResult(name="tie-a", f1=0.9, humming_false_speech=0.05),
    ]
    assert [r.name for r in rank(results)] == ["tie-a", "tie-b", "hums", "waits", "broken"]


def test_catalog_record_is_the_measured_figures_only() -> None:
    result = BenchResult(
        name="energy",
        version="1.0.0",
        fastrtc="0.0.34",
        python="3.11.7",
        date="2026-11-30",
        f1=0.83,
        humming_false_speech=0.96,
        end_of_turn_p50_ms=635.0,
        conditions={"clean": {"f1": 0.95}},
    )
    record = catalog_record(result)
    assert record["corpus"] == "2"
    assert record["f1"] == 0.83
    assert record["humming_false_speech"] == 0.96
    assert record["end_of_turn_p50_ms"] == 635.0
    assert "conditions" not in record and "name" not in record
    assert set(record) >= {"version", "date", "missed_turns", "false_turn_ends", "p50_ms"}


@pytest.mark.parametrize("kind", ["vad", "turn-taking"])
def test_result_round_trips_through_json_form(kind: str) -> None:
    result = BenchResult(name="n", kind=kind, turns={"turns": 6}, clean_f1_by_rate={"16000": 0.9})
    assert BenchResult.from_dict(result.as_dict()) == result
