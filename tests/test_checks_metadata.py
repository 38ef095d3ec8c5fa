"""Tier 0 (checks/metadata.py) on real wheels of the fixture plugins: metadata and source only."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastrtc_registry.suite import judge_package
from fastrtc_registry.validation.distribution import package_from_wheel

BROKEN = [
    ("bad_no_entry_points", "PKG001", "failed", "it declares fastrtc.vads"),
    ("bad_entry_point_value", "PKG002", "failed", "is not a 'module:attr' reference"),
    ("bad_no_fastrtc", "PKG003", "failed", "does not require fastrtc"),
    ("bad_no_requires_python", "PKG004", "failed", "declares no Requires-Python"),
    ("broken_import", "PKG005", "warning", "has no README"),
    ("bad_name_prefix", "PKG006", "warning", "does not start with 'fastrtc-'"),
    ("bad_downloads", "PKG007", "warning", "needs network: fastrtc_bad_downloads/__init__.py:"),
]


def _results(wheel: Path) -> dict[str, tuple[str, str]]:
    package = package_from_wheel(wheel)
    (plugin,) = package.plugins()
    return {r.id: (r.status, r.message) for r in judge_package(package, plugin)}


@pytest.mark.parametrize(
    ("folder", "check_id", "status", "fragment"), BROKEN, ids=[b[1] for b in BROKEN]
)
def test_each_static_check_catches_its_broken_fixture(
    plugin_wheels: dict[str, Path], folder: str, check_id: str, status: str, fragment: str
) -> None:
    got_status, message = _results(plugin_wheels[folder])[check_id]
    assert got_status == status
    assert fragment in message


def test_download_scan_names_the_call(plugin_wheels: dict[str, Path]) -> None:
    _, message = _results(plugin_wheels["bad_downloads"])["PKG007"]
    assert "urllib.request.urlopen()" in message


@pytest.mark.parametrize("folder", ["energy_vad", "webrtc_vad", "patient_pause"])
def test_good_plugins_pass_every_static_check(plugin_wheels: dict[str, Path], folder: str) -> None:
    results = _results(plugin_wheels[folder])
    assert {status for status, _ in results.values()} == {"passed"}, results


def test_a_package_without_plugins_is_reported_once(plugin_wheels: dict[str, Path]) -> None:
    package = package_from_wheel(plugin_wheels["bad_no_entry_points"])
    (plugin,) = package.plugins()
    assert (plugin.kind, plugin.object, plugin.source) == (None, None, "undeclared")


def test_not_a_wheel_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake-1.0-py3-none-any.whl"
    fake.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="cannot read the wheel"):
        package_from_wheel(fake)
