"""The pytest API for plugin authors: check_plugin and parametrize_with_checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PLUGINS

from fastrtc_registry.testing import check_plugin


def test_check_plugin_on_an_unpackaged_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PLUGINS / "energy_vad"))
    report = check_plugin("fastrtc_energy_vad:EnergyVAD", kind="vad")
    (plugin,) = report.plugins
    assert plugin.ok
    assert plugin.result("VAD207").status == "passed"
    assert plugin.checks[0].id == "IMP101"


def test_check_plugin_on_a_project_directory() -> None:
    report = check_plugin(str(PLUGINS / "bad_deaf"))
    assert report.exit_code() == 1
    assert report.plugins[0].result("VAD207").status == "failed"


def _run_suite(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_plugin.py").write_text(body)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        check=False,
    )


def test_parametrize_with_checks_gives_one_test_per_check(tmp_path: Path) -> None:
    proc = _run_suite(
        tmp_path,
        f"""
from fastrtc_registry.testing import parametrize_with_checks

@parametrize_with_checks([{str(PLUGINS / "energy_vad")!r}])
def test_fastrtc_protocol(check):
    check()
""",
    )
    assert proc.returncode == 0, proc.stdout
    assert "28 passed" in proc.stdout
    assert "test_fastrtc_protocol[energy-VAD213]" in proc.stdout


def test_expected_failures_become_strict_xfails(tmp_path: Path) -> None:
    proc = _run_suite(
        tmp_path,
        f"""
from fastrtc_registry.testing import parametrize_with_checks

@parametrize_with_checks(
    [{str(PLUGINS / "forgetful")!r}],
    expected_failures={{"IMP106": "copy() is added in 0.2", "PKG006": "this one passes"}},
)
def test_fastrtc_protocol(check):
    check()
""",
    )
    assert "1 xfailed" in proc.stdout  # the checks of copy()'s result skip after IMP106
    # PKG006 passes, so its strict xfail reports the stale expectation
    assert "1 failed" in proc.stdout and "XPASS(strict)" in proc.stdout
    assert "[forgetful-PKG006]" in proc.stdout


def test_an_unknown_expected_failure_id_is_an_error() -> None:
    """As ``--ignore PKG999`` is a usage error, so is a typo in ``expected_failures``."""
    from fastrtc_registry.testing import parametrize_with_checks

    with pytest.raises(ValueError, match="PKG999, energy-NOPE1"):
        parametrize_with_checks(
            ["energy"], expected_failures={"PKG999": "typo", "energy-NOPE1": "typo"}
        )
