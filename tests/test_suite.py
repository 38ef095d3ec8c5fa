"""The runner (suite.py): every tier through one mechanism, prerequisites and skips by rule."""

from __future__ import annotations

from fastrtc_registry.checks.ids import planned_checks
from fastrtc_registry.packages import EntryPointSpec, PackageMetadata
from fastrtc_registry.suite import judge_package, validate_packages
from fastrtc_registry.validation.distribution import DeclaredPlugin, PackageInfo


def _package(*entry_points: EntryPointSpec, name: str = "fastrtc-thing") -> PackageInfo:
    meta = PackageMetadata(
        name,
        "1.0",
        summary="a thing",
        requires_python=">=3.10",
        requires_dist=("fastrtc>=0.0.30",),
        has_readme=True,
        entry_points=entry_points,
    )
    return PackageInfo(meta, {"thing/__init__.py": "class VAD:\n    pass\n"})


def test_tier_0_runs_every_pkg_check_in_order_through_the_registry() -> None:
    package = _package(EntryPointSpec("fastrtc.vad", "thing", "thing:VAD"))
    (plugin,) = package.plugins()
    results = judge_package(package, plugin)
    assert [r.id for r in results] == [s.id for s in planned_checks("vad", tiers=(0,))]
    assert {r.status for r in results} == {"passed"}, results


def test_a_missing_entry_point_skips_what_needs_it_after_pkg001() -> None:
    package = _package()
    (plugin,) = package.plugins()
    results = {r.id: r for r in judge_package(package, plugin)}
    assert results["PKG001"].status == "failed"
    for check_id in ("PKG002", "PKG007"):
        assert results[check_id].status == "skipped"
        assert results[check_id].reason == "after PKG001"
        assert results[check_id].message == "not run: PKG001 failed"
    assert results["PKG003"].status == "passed"  # independent of the entry point


def test_a_package_without_a_plugin_gets_tier_0_only() -> None:
    package = _package(name="thing")
    plugin = DeclaredPlugin("thing", None, None, None, "undeclared")
    (report,) = validate_packages("thing", [(package, plugin)]).plugins
    assert [r.id for r in report.checks] == [s.id for s in planned_checks(None, tiers=(0,))]
    assert report.result("PKG006").status == "warning"
    assert report.package == "thing" and report.version == "1.0"
