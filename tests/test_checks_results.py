"""Typed results and their forms: summary, exit codes, --ignore, JSON, JUnit; the id catalogue."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from fastrtc_registry.checks import CHECKS, CheckResult, PluginReport, ValidationReport
from fastrtc_registry.checks.ids import planned_checks

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _report(*statuses: str) -> ValidationReport:
    checks = tuple(
        CheckResult(f"VAD2{i:02d}", f"title {i}", s, f"message {i}", 0.01)  # type: ignore[arg-type]
        for i, s in enumerate(statuses, start=1)
    )
    return ValidationReport("energy", (PluginReport("energy", "vad", "m:C", checks),))


@pytest.mark.parametrize(
    ("statuses", "plain", "strict"),
    [
        (("passed", "skipped"), 0, 0),
        (("passed", "warning"), 0, 1),
        (("passed", "failed"), 1, 1),
        (("error",), 1, 1),
    ],
    ids=["clean", "warning", "failed", "error"],
)
def test_exit_code(statuses: tuple[str, ...], plain: int, strict: int) -> None:
    report = _report(*statuses)
    assert report.exit_code() == plain
    assert report.exit_code(strict=True) == strict


def test_summary_counts_each_status() -> None:
    summary = _report("passed", "passed", "failed", "warning", "skipped", "error").summary
    assert summary.as_dict() == {
        "passed": 2,
        "failed": 1,
        "warnings": 1,
        "skipped": 1,
        "errors": 1,
        "needs_network": 0,
    }
    assert summary.line() == "2 passed, 1 failed, 1 error, 1 warning, 1 skipped"


def test_ignoring_turns_a_failure_into_a_skip_and_keeps_the_reason() -> None:
    report = _report("passed", "failed").ignoring(["vad202"])
    result = report.plugins[0].result("VAD202")
    assert result.status == "skipped"
    assert result.message == "ignored (failed: message 2)"
    assert report.exit_code() == 0


def test_json_has_the_design_shape() -> None:
    data = _report("passed", "failed").as_dict()
    assert {"target", "plugins", "summary"} <= set(data)
    plugin = data["plugins"][0]
    assert {"name", "kind", "object", "checks"} <= set(plugin)
    keys = {"id", "title", "status", "message", "duration_s", "reason", "fix"}
    assert set(plugin["checks"][0]) == keys
    assert set(data["summary"]) == {
        "passed",
        "failed",
        "warnings",
        "skipped",
        "errors",
        "needs_network",
    }


def test_junit_has_one_testcase_per_check() -> None:
    xml = _report("passed", "failed", "error", "skipped", "warning").to_junit()
    root = ET.fromstring(xml)
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name", "").split()[0] for c in cases] == [
        "VAD201",
        "VAD202",
        "VAD203",
        "VAD204",
        "VAD205",
    ]
    assert cases[1].find("failure") is not None
    assert cases[1].find("failure").get("message") == "message 2"  # type: ignore[union-attr]
    assert cases[2].find("error") is not None
    assert cases[3].find("skipped") is not None
    assert root.get("failures") == "1" and root.get("errors") == "1"


def test_ids_are_stable_and_prefixed_by_area() -> None:
    for check_id, info in CHECKS.items():
        prefix = {0: "PKG0", 1: "IMP1", 2: ("VAD2", "TT2")}[info.tier]
        assert check_id.startswith(prefix), check_id
        assert info.title and info.title == info.title.strip()
    tt = [c.id for c in planned_checks("turn-taking") if c.tier == 2]
    assert [i for i in tt if i in ("TT201", "TT202", "TT203", "TT204")] == [
        "TT201",
        "TT202",
        "TT203",
        "TT204",
    ]
    assert all(i.startswith("TT2") for i in tt)


def test_every_check_is_documented() -> None:
    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### ([A-Z]+\d{3})\b", text, flags=re.MULTILINE))
    assert documented == set(CHECKS)


def test_checks_md_is_rendered_from_the_registry() -> None:
    from fastrtc_registry.checks.docs import render_markdown

    text = (DOCS / "checks.md").read_text(encoding="utf-8")
    assert text == render_markdown(), (
        "docs/checks.md is out of date: run 'python -m fastrtc_registry.checks.docs'"
    )


def test_every_check_has_a_fix_hint_and_a_judge() -> None:
    from fastrtc_registry.checks import REGISTRY

    for spec in REGISTRY.values():
        assert spec.fix, spec.id
        assert spec.func is not None, spec.id  # every tier is judged through @check
        for prerequisite in spec.after:
            assert list(REGISTRY).index(prerequisite) < list(REGISTRY).index(spec.id), spec.id


def test_skip_reasons_reach_json_junit_and_the_summary() -> None:

    checks = (
        CheckResult(
            "IMP103", "builds", "skipped", "needs the network: a.example:443", 0, "needs-network"
        ),
        CheckResult("VAD201", "call", "skipped", "not run: IMP103 skipped", 0, "after IMP103"),
    )
    report = ValidationReport("t", (PluginReport("p", "vad", "m:A", checks),))
    data = report.as_dict()
    assert [c["reason"] for c in data["plugins"][0]["checks"]] == ["needs-network", "after IMP103"]
    assert data["summary"]["needs_network"] == 1 and data["summary"]["skipped"] == 2
    assert report.exit_code() == 0
    skipped = ET.fromstring(report.to_junit()).findall(".//skipped")
    assert [s.get("type") for s in skipped] == ["needs-network", "after IMP103"]
    assert "1 needs the network" in report.summary.line()
