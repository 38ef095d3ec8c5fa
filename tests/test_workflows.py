"""The GitHub workflows: they parse, keep to their contract, and call commands that exist.

Every ``fastrtc-plugins ...`` command named in a ``run:`` script is run with
``--help`` here, and each option the script passes must be in that help. The
catalog workflow's merge step runs for real on records files in tmp_path, as
on a runner.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fastrtc_registry._version import __version__
from fastrtc_registry.catalog import ValidationRecord
from fastrtc_registry.catalog.merge import ValidationRun
from fastrtc_registry.catalog.refresh import write_records

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
_COMMAND = re.compile(r"fastrtc-plugins((?:[ \t]+[a-z][a-z-]*)+)")
_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _workflow(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _triggers(doc: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on` key as True.
    triggers = doc.get("on", doc.get(True))
    assert isinstance(triggers, dict)
    return triggers


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job.get("steps", [])]


def _scripts() -> list[tuple[str, str]]:
    return [
        (path.name, step["run"])
        for path in sorted(WORKFLOWS.glob("*.yml"))
        for step in _steps(_workflow(path.name))
        if "run" in step
    ]


def _commands() -> list[tuple[str, tuple[str, ...], frozenset[str]]]:
    """(workflow, subcommand words, options the script passes) per fastrtc-plugins call."""
    found = []
    for name, script in _scripts():
        lines = script.splitlines()
        options = frozenset(
            option
            for line in lines
            if "fastrtc-plugins" in line or re.search(r"\bargs\+?=\(", line)
            for option in _OPTION.findall(line)
        )
        for match in _COMMAND.finditer(script):
            found.append((name, tuple(match.group(1).split()), options))
    return found


def test_the_workflows_exist_and_parse() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.yml")) == ["catalog.yml", "ci.yml"]
    for path in WORKFLOWS.glob("*.yml"):
        assert _workflow(path.name)["jobs"]


def test_ci_runs_the_ci_script_on_every_push_and_pull_request() -> None:
    doc = _workflow("ci.yml")
    assert set(_triggers(doc)) == {"push", "pull_request"}
    assert doc["permissions"] == {"contents": "read"}
    job = doc["jobs"]["run"]
    assert job["runs-on"] == "ubuntu-latest"
    assert [s["run"] for s in job["steps"] if "run" in s][-1] == "bash .ci/run"


def test_ci_runs_the_composite_action_on_a_fixture_plugin_that_passes() -> None:
    """Also what makes actionlint check action.yml: it reads a local action's metadata."""
    (step,) = (s for s in _workflow("ci.yml")["jobs"]["action"]["steps"] if s.get("uses") == "./")
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert set(step["with"]) <= set(action["inputs"])
    assert step["with"]["registry-spec"] == "."  # this checkout, not a release
    assert (ROOT / step["with"]["path"] / "pyproject.toml").is_file()


def test_every_checkout_keeps_no_credentials() -> None:
    checkouts = [
        step
        for path in WORKFLOWS.glob("*.yml")
        for step in _steps(_workflow(path.name))
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) >= 5
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_every_action_is_githubs_own_or_pinned_by_sha() -> None:
    """.github/zizmor.yml lets actions/* be pinned by tag; any other owner needs a SHA."""
    for path in WORKFLOWS.glob("*.yml"):
        for step in _steps(_workflow(path.name)):
            if "uses" in step and step["uses"] != "./":  # ./: this checkout's action.yml
                action, _, ref = step["uses"].partition("@")
                assert ref, step["uses"]
                assert action.startswith("actions/") or re.fullmatch(r"[0-9a-f]{40}", ref)


def test_the_catalog_workflow_is_a_daily_matrix_then_a_merge_and_the_docs() -> None:
    doc = _workflow("catalog.yml")
    triggers = _triggers(doc)
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (cron,) = (entry["cron"] for entry in triggers["schedule"])
    minute, hour, *rest = cron.split()
    assert rest == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()  # once a day
    assert doc["permissions"] == {}
    jobs = doc["jobs"]
    assert set(jobs) == {"packages", "validate", "merge", "docs", "pages"}
    matrix = jobs["validate"]["strategy"]["matrix"]
    assert matrix["include"] == "${{ fromJSON(needs.packages.outputs.matrix) }}"
    assert jobs["validate"]["strategy"]["fail-fast"] is False
    assert jobs["merge"]["needs"] == "validate"
    assert jobs["merge"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["pages"]["permissions"] == {"pages": "write", "id-token": "write"}
    uses = {step.get("uses", "").partition("@")[0] for step in _steps(doc)}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    merge_script = "\n".join(s.get("run", "") for s in jobs["merge"]["steps"])
    assert "gh pr create" in merge_script
    assert "fastrtc-plugins gallery --out docs/gallery.md" in merge_script
    docs_script = "\n".join(s.get("run", "") for s in jobs["docs"]["steps"])
    assert "mkdocs build --strict" in docs_script


def test_the_workflows_call_the_commands_of_the_refresh() -> None:
    called = {" ".join(words) for _, words, _ in _commands()}
    assert called == {"registry packages", "registry update", "registry merge", "gallery"}


@pytest.mark.parametrize(
    ("words", "options"),
    [(words, options) for _, words, options in _commands()],
    ids=[f"{name}:{' '.join(words)}" for name, words, _ in _commands()],
)
def test_each_command_named_in_a_workflow_exists_with_its_options(
    words: tuple[str, ...], options: frozenset[str]
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *words, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert f"fastrtc-plugins {' '.join(words)}" in result.stdout
    missing = {option for option in options if option not in result.stdout}
    assert not missing, f"fastrtc-plugins {' '.join(words)} has no {sorted(missing)}"


def test_the_matrix_keys_the_workflow_reads_are_in_the_packages_json() -> None:
    text = (WORKFLOWS / "catalog.yml").read_text(encoding="utf-8")
    keys = set(re.findall(r"matrix\.(\w+)", text))
    assert keys >= {"package", "bench", "builtin", "extras"}
    result = subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", "registry", "packages", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = json.loads(result.stdout)
    assert rows and all(keys <= set(row) for row in rows)


def _step(job: str, name: str) -> dict[str, Any]:
    steps = _workflow("catalog.yml")["jobs"][job]["steps"]
    return next(s for s in steps if s.get("name") == name)


def _run_step(step: dict[str, Any], workspace: Path, tmp_path: Path, **env: str) -> Any:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "fastrtc-plugins"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m fastrtc_registry "$@"\n')
    shim.chmod(0o755)
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "NO_COLOR": "1",
            **env,
        },
    )


def test_the_merge_step_merges_good_artifacts_and_reports_a_bad_one(tmp_path: Path) -> None:
    """The artifacts as download-artifact lays them out: one folder per records-PACKAGE."""
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copyfile(ROOT / "registry.json", workspace / "registry.json")
    doc = json.loads((ROOT / "registry.json").read_text(encoding="utf-8"))
    runner_temp = tmp_path / "runner"
    record = ValidationRecord(  # newer than whatever the repo's catalog holds for webrtc
        version="99.0",
        fastrtc="0.0.34",
        python="3.12.9",
        status="passed",
        date=dt.datetime.now(dt.timezone.utc).date().isoformat(),
        suite=__version__,
        passed=25,
    )
    good = runner_temp / "records" / "records-fastrtc-registry" / "records.json"
    good.parent.mkdir(parents=True)
    write_records(good, doc, [ValidationRun("webrtc", "vad", "fastrtc-registry", record)])
    bad = runner_temp / "records" / "records-humaware-vad" / "records.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"schema_version": 1, "plugins": "all of them"}')
    output = tmp_path / "output.txt"
    output.touch()
    env = {"RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output)}

    merged = _run_step(_step("merge", "Merge"), workspace, tmp_path, **env)
    assert merged.returncode == 0, merged.stdout + merged.stderr  # reported, not fatal here
    assert "code=1" in output.read_text()
    report = (runner_temp / "merge.txt").read_text()
    assert "updated vad webrtc validation" in report
    assert "records-humaware-vad/records.json: /plugins" in report
    entry = next(
        p
        for p in json.loads((workspace / "registry.json").read_text())["plugins"]
        if p["name"] == "webrtc"
    )
    assert entry["validation"] == record.as_dict()
    # ...and the job fails at its end, after the pull request step.
    result = _run_step(_step("merge", "Result"), workspace, tmp_path, CODE="1")
    assert result.returncode == 1 and "refused some records files" in result.stderr
    assert _run_step(_step("merge", "Result"), workspace, tmp_path, CODE="0").returncode == 0


def test_the_merge_step_fails_when_no_records_were_uploaded(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    shutil.copyfile(ROOT / "registry.json", workspace / "registry.json")
    output = tmp_path / "output.txt"
    output.touch()
    env = {"RUNNER_TEMP": str(tmp_path / "runner"), "GITHUB_OUTPUT": str(output)}
    result = _run_step(_step("merge", "Merge"), workspace, tmp_path, **env)
    assert result.returncode == 1 and "no records were uploaded" in result.stderr
