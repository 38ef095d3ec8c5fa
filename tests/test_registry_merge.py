"""``registry merge``: per-package records files folded into a copy of the repo's registry.json.

Every test writes real files in tmp_path, starting from the real catalog, and
reads back the real file the merge wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PluginEnv, build_wheel, make_env

from fastrtc_registry._version import __version__
from fastrtc_registry.bench import CORPUS_VERSION
from fastrtc_registry.catalog import ValidationRecord
from fastrtc_registry.catalog.lint import lint_bytes
from fastrtc_registry.catalog.merge import (
    ValidationRun,
    dump_registry,
    merge_registry,
    normalise_entry,
)
from fastrtc_registry.catalog.refresh import (
    MAX_RECORDS_BYTES,
    catalog_packages,
    merge_record_files,
    records_document,
    write_records,
)

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 12, 3)


def _catalog(tmp_path: Path) -> Path:
    """The repo's catalog, with known records on webrtc (whatever the repo's say today)."""
    doc = json.loads((REPO / "registry.json").read_text(encoding="utf-8"))
    for entry in doc["plugins"]:
        if (entry["kind"], entry["name"]) == ("vad", "webrtc"):
            entry["validation"] = _validation(date="2026-11-30")
            entry["bench"] = _bench(date="2026-11-30")
    path = tmp_path / "registry.json"
    path.write_text(dump_registry(doc), encoding="utf-8")
    return path


def _entry(path: Path, kind: str, name: str) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    return next(p for p in doc["plugins"] if (p["kind"], p["name"]) == (kind, name))


def _validation(**changes: Any) -> dict[str, Any]:
    record = {
        "version": "0.1.0",
        "suite": __version__,
        "fastrtc": "0.0.34",
        "python": "3.12.9",
        "status": "passed",
        "date": "2026-12-02",
        "passed": 25,
        "failed": 0,
        "warnings": 0,
        "skipped": 1,
        "needs_network": 0,
        "errors": 0,
    }
    record.update(changes)
    return record


def _bench(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "version": "0.1.0",
        "fastrtc": "0.0.34",
        "python": "3.12.9",
        "corpus": CORPUS_VERSION,
        "date": "2026-12-02",
        "f1": 0.9,
        "p50_ms": 0.5,
    }
    record.update(changes)
    return record


def _records(
    tmp_path: Path, file: str, *plugins: dict[str, Any], removed: list[Any] | None = None
) -> Path:
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"schema_version": 1, "plugins": list(plugins), "removed": removed or []}
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _plugin(name: str, kind: str = "vad", package: str = "fastrtc-registry", **records: Any):
    return {"name": name, "kind": kind, "package": package, **records}


def test_a_newer_record_replaces_the_catalogs_and_the_result_passes_the_rules(
    tmp_path: Path,
) -> None:
    catalog = _catalog(tmp_path)
    before = _entry(catalog, "vad", "webrtc")
    record = _validation(date="2026-12-03", passed=30)
    path = _records(tmp_path, "webrtc.json", _plugin("webrtc", validation=record))
    report = merge_record_files(catalog, [path], today=TODAY)
    assert report.ok and report.changed
    after = _entry(catalog, "vad", "webrtc")
    assert after["validation"] == record
    # Curated fields and the other record are the catalog's, untouched.
    assert {k: v for k, v in after.items() if k != "validation"} == {
        k: v for k, v in before.items() if k != "validation"
    }
    assert report.updated == (
        f"vad webrtc validation: suite {__version__}, version 0.1.0, 2026-12-03 from {path}",
    )
    assert lint_bytes(catalog.read_bytes(), schema=False).ok
    # Merging the same file again changes nothing.
    again = merge_record_files(catalog, [path], today=TODAY)
    assert not again.changed
    assert again.kept == ("vad webrtc validation: unchanged",)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"suite": "0.0.9", "date": "2026-12-03"}, "older suite, later day"),
        ({"version": "0.0.1", "date": "2026-12-03"}, "same suite, older plugin version"),
        ({"date": "2026-01-01"}, "same suite and version, earlier day"),
    ],
    ids=["older-suite", "older-version", "earlier-day"],
)
def test_an_older_record_never_replaces_a_newer_one(
    tmp_path: Path, changes: dict[str, Any], why: str
) -> None:
    catalog = _catalog(tmp_path)
    current = _entry(catalog, "vad", "webrtc")["validation"]
    assert current["suite"] == __version__, "the fixture assumes a record of this suite"
    text = catalog.read_text(encoding="utf-8")
    older = {**current, **changes, "passed": 1, "failed": 5, "status": "failed"}
    path = _records(tmp_path, "old.json", _plugin("webrtc", validation=older))
    report = merge_record_files(catalog, [path], today=TODAY)
    assert report.ok, why
    assert not report.changed and catalog.read_text(encoding="utf-8") == text
    assert report.kept and "as new or newer" in report.kept[0]


def test_a_newer_suite_wins_over_a_newer_version_and_day(tmp_path: Path) -> None:
    """The rank is (suite, version, date), compared in that order."""
    catalog = _catalog(tmp_path)
    current = _entry(catalog, "vad", "webrtc")["validation"]
    newer_version = _validation(suite="0.0.9", version="9.0", date="2026-12-03")
    same_suite = _validation(version=current["version"], date="2026-12-01", passed=99)
    first = _records(tmp_path, "a/records.json", _plugin("webrtc", validation=newer_version))
    second = _records(tmp_path, "b/records.json", _plugin("webrtc", validation=same_suite))
    for order in ([first, second], [second, first]):
        _catalog(tmp_path)
        report = merge_record_files(catalog, order, today=TODAY)
        assert report.ok
        assert _entry(catalog, "vad", "webrtc")["validation"]["passed"] == 99


def test_two_different_records_of_the_same_rank_are_a_conflict_and_neither_is_taken(
    tmp_path: Path,
) -> None:
    catalog = _catalog(tmp_path)
    text = catalog.read_text(encoding="utf-8")
    one = _records(tmp_path, "one.json", _plugin("webrtc", validation=_validation(passed=20)))
    two = _records(tmp_path, "two.json", _plugin("webrtc", validation=_validation(passed=21)))
    report = merge_record_files(catalog, [one, two], today=TODAY)
    assert report.ok and not report.changed
    assert catalog.read_text(encoding="utf-8") == text
    assert len(report.conflicts) == 1
    assert "2 different records of the same rank" in report.conflicts[0]
    assert str(one) in report.conflicts[0] and str(two) in report.conflicts[0]
    # The same record twice (two jobs of one package) is no conflict.
    same = _records(tmp_path, "same.json", _plugin("webrtc", validation=_validation(passed=20)))
    report = merge_record_files(catalog, [one, same], today=TODAY)
    assert not report.conflicts
    assert _entry(catalog, "vad", "webrtc")["validation"]["passed"] == 20


def test_partial_records_keep_what_the_catalog_has(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    before = json.loads(catalog.read_text(encoding="utf-8"))
    # earshot has no bench record yet and ten no validation record, so the partial
    # file's ones fill them in.
    for plugin in before["plugins"]:
        if plugin["name"] == "earshot":
            plugin["bench"] = None
        if plugin["name"] == "ten":
            plugin["validation"] = None
    catalog.write_text(dump_registry(before), encoding="utf-8")
    old = {(p["kind"], p["name"]): p for p in before["plugins"]}
    # Only a bench record, for only one of the package's nine plugins; a null
    # validation and a validation record without its optional counts.
    lean = {k: v for k, v in _validation().items() if k not in ("needs_network", "errors")}
    path = _records(
        tmp_path,
        "partial.json",
        _plugin("earshot", bench=_bench(f1=0.8)),
        _plugin("pysilero", validation=None, bench=None),
        _plugin("ten", validation=lean),
    )
    report = merge_record_files(catalog, [path], today=TODAY)
    assert report.ok
    new = {(p["kind"], p["name"]): p for p in json.loads(catalog.read_text())["plugins"]}
    assert new.keys() == old.keys()
    assert new["vad", "earshot"]["bench"]["f1"] == 0.8
    assert new["vad", "earshot"]["validation"] == old["vad", "earshot"]["validation"]
    assert new["vad", "pysilero"] == old["vad", "pysilero"]
    assert new["vad", "ten"]["validation"] == {**lean, "needs_network": 0, "errors": 0}
    assert new["vad", "ten"]["bench"] == old["vad", "ten"]["bench"]
    untouched = set(old) - {("vad", "earshot"), ("vad", "ten")}
    assert all(new[key] == old[key] for key in untouched)


def test_an_unsupported_python_record_without_a_version_is_merged(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    record = _validation(status="unsupported-python", reason="requires Python >=3.12")
    del record["version"]
    path = _records(
        tmp_path,
        "humaware.json",
        _plugin("humaware", package="humaware-vad", validation=record),
    )
    report = merge_record_files(catalog, [path], today=TODAY)
    assert report.ok and report.changed
    assert _entry(catalog, "vad", "humaware")["validation"] == {**record, "version": None}


def test_records_of_plugins_gone_from_the_catalog_are_dropped_and_reported(
    tmp_path: Path,
) -> None:
    catalog = _catalog(tmp_path)
    doc = json.loads(catalog.read_text(encoding="utf-8"))
    doc["plugins"] = [p for p in doc["plugins"] if p["package"] != "humaware-vad"]
    doc["removed"] = [{"package": "humaware-vad", "reason": "withdrawn by its author"}]
    catalog.write_text(dump_registry(doc), encoding="utf-8")
    text = catalog.read_text(encoding="utf-8")
    gone = _records(tmp_path, "gone.json", _plugin("energy", package="fastrtc-registry"))
    removed = _records(
        tmp_path,
        "removed.json",
        _plugin("humaware", package="humaware-vad", validation=_validation()),
    )
    other = _records(
        tmp_path,
        "other.json",
        _plugin("webrtc", package="webrtc-elsewhere", validation=_validation()),
    )
    report = merge_record_files(catalog, [gone, removed, other], today=TODAY)
    assert report.ok and not report.changed
    assert catalog.read_text(encoding="utf-8") == text
    assert report.dropped == (
        "vad energy (fastrtc-registry): no longer in the catalog",
        "vad webrtc (webrtc-elsewhere): the catalog lists this name for fastrtc-registry",
        "vad humaware (humaware-vad): the package was removed from the catalog",
    )


def _oversize(tmp_path: Path) -> Path:
    path = tmp_path / "big.json"
    filler = "x" * (MAX_RECORDS_BYTES + 10)
    path.write_text(json.dumps({"schema_version": 1, "plugins": [], "removed": [], "f": filler}))
    return path


def _raw(text: bytes) -> Any:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / "raw.json"
        path.write_bytes(text)
        return path

    return make


def _doc(*plugins: dict[str, Any], **top: Any) -> Any:
    def make(tmp_path: Path) -> Path:
        doc = {"schema_version": 1, "plugins": list(plugins), "removed": [], **top}
        path = tmp_path / "doc.json"
        path.write_text(json.dumps(doc))
        return path

    return make


HOSTILE = {
    "oversize": (_oversize, "byte limit for a records file"),
    "missing": (lambda tmp_path: tmp_path / "nowhere.json", "cannot be read"),
    "directory": (lambda tmp_path: tmp_path, "cannot be read"),
    "not-utf8": (_raw(b'{"schema_version": 1, "plugins": ["\xff"]}'), "not UTF-8"),
    "not-json": (_raw(b'{"schema_version": 1, "plugins": ['), "not valid JSON"),
    "nan": (_raw(b'{"schema_version": 1, "plugins": [], "removed": [], "x": NaN}'), "NaN"),
    "a-list": (_raw(b"[]"), "the top level must be a JSON object"),
    "deep": (_raw(b"[" * 100_000 + b"]" * 100_000), "nested too deeply"),
    "newer-schema": (
        _raw(b'{"schema_version": 7, "plugins": [], "removed": []}'),
        "schema_version 7 is newer",
    ),
    "duplicate-key": (
        _raw(
            b'{"schema_version": 1, "removed": [], "plugins": '
            b'[{"name": "webrtc", "name": "ten", "kind": "vad", "package": "fastrtc-registry"}]}'
        ),
        "/plugins/0/name: the key 'name' appears more than once",
    ),
    "bad-status": (
        _doc(_plugin("webrtc", validation=_validation(status="great"))),
        "/plugins/0/validation/status",
    ),
    "control-text": (
        _doc(_plugin("webrtc", validation=_validation(fastrtc="0.0.34\x1b[2J"))),
        "/plugins/0/validation/fastrtc",
    ),
    "bad-name": (_doc(_plugin("web rtc!", validation=_validation())), "/plugins/0/name"),
    "huge-count": (
        _doc(_plugin("webrtc", validation=_validation(passed=10**9))),
        "/plugins/0/validation/passed",
    ),
    "future-suite": (
        _doc(_plugin("webrtc", validation=_validation(suite="99.0"))),
        "/plugins/0/validation/suite: suite '99.0' is not one this tool knows",
    ),
    "future-corpus": (
        _doc(_plugin("webrtc", bench=_bench(corpus="99"))),
        "/plugins/0/bench/corpus: corpus '99' is not one this tool knows",
    ),
    "future-date": (
        _doc(_plugin("webrtc", validation=_validation(date="2031-01-01"))),
        "/plugins/0/validation/date: 2031-01-01 is in the future",
    ),
    "curated-field": (
        _doc(_plugin("webrtc", summary="the best VAD", validation=_validation())),
        "/plugins/0/summary: a records file carries only name, kind, package",
    ),
    "two-packages": (
        _doc(
            _plugin("webrtc", validation=_validation()),
            _plugin("humaware", package="humaware-vad", validation=_validation()),
        ),
        "/plugins: holds records of 2 packages",
    ),
    "removes": (
        _doc(removed=[{"package": "fastrtc-walkie-talkie", "reason": "gone"}]),
        "/removed: a records file removes nothing",
    ),
}


@pytest.mark.parametrize(("make", "message"), list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_bad_file_spoils_only_itself_and_is_reported(
    tmp_path: Path, make: Any, message: str
) -> None:
    catalog = _catalog(tmp_path)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = make(bad_dir)
    good_record = _validation(date="2026-12-03", passed=30)
    good = _records(tmp_path, "good.json", _plugin("webrtc", validation=good_record))
    report = merge_record_files(catalog, [bad, good], today=TODAY)
    assert not report.ok
    assert [r.label for r in report.refused] == [str(bad)]
    assert any(message in problem for problem in report.refused[0].problems), report.refused
    assert report.merged_files == (str(good),)
    assert _entry(catalog, "vad", "webrtc")["validation"] == good_record
    assert lint_bytes(catalog.read_bytes(), schema=False).ok


def test_a_broken_catalog_is_refused_whole(tmp_path: Path) -> None:
    from fastrtc_registry.errors import CatalogError

    catalog = tmp_path / "registry.json"
    catalog.write_text('{"schema_version": 1, "plugins": [{"name": "x"}], "removed": []}')
    good = _records(tmp_path, "good.json", _plugin("webrtc", validation=_validation()))
    with pytest.raises(CatalogError, match="registry check"):
        merge_record_files(catalog, [good], today=TODAY)


def test_records_document_holds_only_what_the_catalog_lists(tmp_path: Path) -> None:
    doc = json.loads((REPO / "registry.json").read_text(encoding="utf-8"))
    record = ValidationRecord(**_validation())
    runs = [
        ValidationRun("WebRTC", "vad", "fastrtc-registry", record),  # canonicalised
        ValidationRun("webrtc", "vad", "someone-else", record),  # not this package's
        ValidationRun("unlisted", "vad", "fastrtc-registry", record),
    ]
    records = records_document(doc, runs)
    assert records == {
        "schema_version": 1,
        "plugins": [
            {
                "name": "webrtc",
                "kind": "vad",
                "package": "fastrtc-registry",
                "validation": record.as_dict(),
            }
        ],
        "removed": [],
    }
    path = tmp_path / "records.json"
    assert write_records(path, doc, runs) == 1
    assert json.loads(path.read_text()) == records
    # What update writes, merge takes.
    catalog = _catalog(tmp_path)
    assert merge_record_files(catalog, [path], today=TODAY).ok


def test_catalog_packages_of_the_repo_catalog() -> None:
    doc = json.loads((REPO / "registry.json").read_text(encoding="utf-8"))
    jobs = {job.package: job for job in catalog_packages(doc)}
    assert set(jobs) == {p["package"] for p in doc["plugins"]}
    own = jobs["fastrtc-registry"]
    assert own.builtin and own.bench and not own.offline  # silero downloads its weights
    assert "vad:webrtc" in own.plugins and "webrtc" in own.extras
    walkie = jobs["fastrtc-walkie-talkie"]
    assert walkie.as_dict() == {
        "package": "fastrtc-walkie-talkie",
        "plugins": ["turn-taking:walkie-talkie"],
        "offline": False,
        "bench": False,
        "builtin": False,
        "extras": [],
    }


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FASTRTC_PLUGINS_OFFLINE": "1", "NO_COLOR": "1"},
    )


def test_cli_merge_exit_codes_and_json(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    good = _records(tmp_path, "good.json", _plugin("webrtc", validation=_validation(passed=30)))
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    text = catalog.read_text(encoding="utf-8")

    checked = _cli("registry", "merge", str(good), "--check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "registry.json: would change (1 file(s) merged, 0 refused)" in checked.stdout
    assert catalog.read_text(encoding="utf-8") == text

    mixed = _cli("registry", "merge", str(bad), str(good), "--into", str(catalog), cwd=tmp_path)
    assert mixed.returncode == 1
    assert f"{bad}: not valid JSON" in mixed.stderr
    assert "updated vad webrtc validation" in mixed.stdout
    assert _entry(catalog, "vad", "webrtc")["validation"]["passed"] == 30

    shown = _cli("registry", "merge", str(good), "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["ok"] is True and data["changed"] is False
    assert data["kept"] == ["vad webrtc validation: unchanged"]
    assert set(data) >= {"into", "files", "updated", "kept", "conflicts", "dropped", "refused"}

    assert _cli("registry", "merge", cwd=tmp_path).returncode == 2


def test_cli_packages_json_is_a_matrix(tmp_path: Path) -> None:
    _catalog(tmp_path)
    result = _cli("registry", "packages", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert "\n" not in result.stdout.strip()  # one line, for $GITHUB_OUTPUT
    assert [row["package"] for row in rows] == sorted(row["package"] for row in rows)
    assert {"package", "plugins", "offline", "bench", "builtin", "extras"} <= set(rows[0])


@pytest.fixture(scope="module")
def energy_env(tmp_path_factory: pytest.TempPathFactory) -> PluginEnv:
    """A venv with the energy fixture plugin installed (a real wheel)."""
    root = tmp_path_factory.mktemp("merge")
    wheel = build_wheel(REPO / "tests" / "plugins" / "energy_vad", root / "wheels")
    return make_env(root / "venv", [wheel])


@pytest.mark.slow
def test_a_jobs_records_merged_into_the_catalog_equal_what_update_wrote(
    tmp_path: Path, energy_env: PluginEnv
) -> None:
    """The refresh workflow's path: update --validate-only P --records F on a job, then merge."""
    doc = json.loads((REPO / "registry.json").read_text(encoding="utf-8"))
    energy = {"name": "energy", "kind": "vad", "package": "fastrtc-energy-vad"}
    doc["plugins"].append(normalise_entry({**energy, "tags": ["vad-model"]}))
    pristine = tmp_path / "registry.json"
    # In the form registry update writes, so the two files can be compared whole.
    pristine.write_text(dump_registry(merge_registry(doc).doc), encoding="utf-8")
    job = tmp_path / "job" / "registry.json"
    job.parent.mkdir()
    shutil.copyfile(pristine, job)
    records = tmp_path / "job" / "records.json"
    ran = energy_env.run(
        "registry", "update", "--offline", "--validate-only", "fastrtc-energy-vad",
        "--records", str(records), str(job), timeout=900,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "1 plugin record(s)" in ran.stderr
    written = json.loads(records.read_text(encoding="utf-8"))
    assert [(p["kind"], p["name"], sorted(p)) for p in written["plugins"]] == [
        ("vad", "energy", ["kind", "name", "package", "validation"])
    ]
    validated = _entry(job, "vad", "energy")["validation"]
    assert validated["status"] == "passed" and validated["version"] == "1.0.0"

    merged = energy_env.run("registry", "merge", str(records), "--into", str(pristine))
    assert merged.returncode == 0, merged.stderr
    assert _entry(pristine, "vad", "energy")["validation"] == validated
    # Only the package's own records changed: the rest of the catalog is as it was.
    assert pristine.read_text(encoding="utf-8") == job.read_text(encoding="utf-8")


def test_cli_packages_of_a_broken_catalog_lists_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "registry.json"
    broken.write_text('{"schema_version": 1, "plugins": [{"name": "x"}], "removed": []}')
    result = _cli("registry", "packages", "--json", str(broken), cwd=tmp_path)
    assert result.returncode == 1
    assert "registry check" in result.stderr
    # --json: the error object on stdout, so a script still reads JSON.
    assert json.loads(result.stdout)["error"]["type"] == "CatalogError"
