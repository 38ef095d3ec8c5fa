"""The composite action's shell steps, run locally on fixture plugins (as on GitHub).

The ``uses:`` steps (setup-python, upload-artifact) are GitHub's and are
skipped; the install step is replaced by this test environment, where
``fastrtc-plugins`` is this checkout. Inputs reach the scripts through env,
as the action passes them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = Path(__file__).resolve().parent / "plugins"


def _action() -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _outputs(path: Path) -> dict[str, str]:
    pairs = (line.partition("=") for line in path.read_text().splitlines() if "=" in line)
    return {key: value for key, _, value in pairs}


def run_action(tmp_path: Path, fixture: str, **inputs: str) -> tuple[int, str, str, dict[str, str]]:
    """Run the action's ``run:`` steps in order; (exit code, stdout, summary, outputs)."""
    action = _action()
    workspace = tmp_path / "workspace"
    shutil.copytree(PLUGINS / fixture, workspace / fixture)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "fastrtc-plugins"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m fastrtc_registry "$@"\n')
    shim.chmod(0o755)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.touch()
    output.touch()
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update({"path": fixture, **inputs})
    step_outputs: dict[str, dict[str, str]] = {}
    stdout, code = "", 0
    for step in action["runs"]["steps"]:
        if "uses" in step or step.get("id") == "install":
            continue
        env = dict(os.environ)
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{env['PATH']}",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_OUTPUT=str(output),
            RUNNER_TEMP=str(tmp_path),
        )
        for key, template in (step.get("env") or {}).items():
            env[key] = _expand(str(template), values, step_outputs)
        output.write_text("")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        stdout += done.stdout
        step_outputs[step["id"]] = _outputs(output)
        code = done.returncode
        if code:
            break
    return code, stdout, summary.read_text(), step_outputs.get("validate", {})


def _expand(template: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    """``${{ inputs.x }}`` and ``${{ steps.id.outputs.y }}``, the only expressions used."""
    inner = template.strip().removeprefix("${{").removesuffix("}}").strip()
    if inner.startswith("inputs."):
        return inputs[inner.removeprefix("inputs.")]
    if inner.startswith("steps."):
        step, _, name = inner.removeprefix("steps.").partition(".outputs.")
        return steps.get(step, {}).get(name, "")
    assert "${{" not in template, template
    return template


def test_action_never_templates_inputs_into_scripts() -> None:
    for step in _action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("id")
        if "uses" in step:
            ref = step["uses"].partition("@")[2]
            assert len(ref) == 40 and all(c in "0123456789abcdef" for c in ref), step["uses"]


@pytest.mark.slow
def test_action_passes_a_good_plugin(tmp_path: Path) -> None:
    code, stdout, summary, outputs = run_action(tmp_path, "energy_vad")
    assert code == 0, stdout
    assert outputs["exit-code"] == "0"
    assert Path(outputs["junit"]).read_text().startswith("<?xml")
    assert "::error" not in stdout
    assert "| Plugin | Check | Status | Message |" in summary
    assert "failed" not in summary.split("| --- |")[-1]


@pytest.mark.slow
def test_action_fails_a_broken_plugin_with_annotations(tmp_path: Path) -> None:
    code, stdout, summary, outputs = run_action(tmp_path, "bad_duration")
    assert code == 1
    assert outputs["exit-code"] == "1"
    assert (
        "::error file=bad_duration/fastrtc_bad_duration/__init__.py,line=36,title=VAD203" in stdout
    )
    assert "| bad-duration | VAD203 " in summary and "❌ failed" in summary
    assert "<testcase" in Path(outputs["junit"]).read_text()


@pytest.mark.slow
def test_action_warnings_fail_only_when_strict(tmp_path: Path) -> None:
    code, stdout, _, _ = run_action(tmp_path, "energy_vad", strict="true")
    warned = "::warning " in stdout
    assert code == (1 if warned else 0)
