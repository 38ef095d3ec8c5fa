"""``registry check``: the catalog's one rule set, all problems at once with JSON pointers,
and the JSON Schema in agreement."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _ci import require_module

from fastrtc_registry.catalog import MAX_CATALOG_BYTES
from fastrtc_registry.catalog.lint import lint_bytes, lint_document, lint_path, schema_path
from fastrtc_registry.errors import RegistryError

REPO = Path(__file__).resolve().parent.parent

GOOD_ENTRY = {
    "name": "energy",
    "kind": "vad",
    "package": "fastrtc-energy-vad",
    "object": None,
    "summary": "An energy VAD.",
    "description": "Loud means speech.",
    "tags": ["vad-model"],
    "repository": "https://example.org/energy",
    "demo": None,
    "requires_python": ">=3.10",
    "offline": True,
    "builtin": False,
    "validation": {
        "version": "1.0.0",
        "suite": "0.1.0",
        "fastrtc": "0.0.34",
        "python": "3.11.7",
        "status": "passed",
        "date": "2025-06-01",
        "passed": 30,
        "failed": 0,
        "warnings": 1,
        "skipped": 2,
        "needs_network": 0,
        "errors": 0,
    },
}


BENCH = {
    "version": "1.0.0",
    "fastrtc": "0.0.34",
    "python": "3.11.7",
    "corpus": "1",
    "date": "2026-01-01",
    "f1": 0.91,
    "precision": 0.95,
    "recall": 0.88,
    "humming_false_speech": 0.4,
    "noise_false_speech": 0.02,
    "silence_false_speech": 0.0,
    "end_of_turn_p50_ms": 640.0,
    "end_of_turn_p95_ms": 1180.0,
    "false_turn_ends": 0,
    "missed_turns": None,
    "p50_ms": 0.42,
    "realtime_factor": 0.0007,
}


def _doc(*plugins: dict[str, Any], removed: list[Any] | None = None) -> dict[str, Any]:
    return {"schema_version": 1, "plugins": list(plugins), "removed": removed or []}


def _pointers(doc: Any) -> list[str]:
    return [p.pointer for p in lint_document(doc).problems]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_the_repo_registry_is_clean() -> None:
    report = lint_path(REPO / "registry.json")
    assert report.problems == () and report.warnings == ()


def test_a_good_document_is_clean() -> None:
    assert lint_document(_doc(GOOD_ENTRY)).problems == ()


def test_all_problems_at_once_each_with_its_pointer() -> None:
    """Six different mistakes in one file: six lines, in document order."""
    doc = _doc(
        GOOD_ENTRY,
        {**GOOD_ENTRY, "name": "Energy", "package": "other-vad"},  # duplicate name
        {**GOOD_ENTRY, "name": "x", "kind": "stt"},  # unknown kind
        {**GOOD_ENTRY, "name": "y", "object": "pkg.mod.Class"},  # not module:attr
        {**GOOD_ENTRY, "name": "z", "requires_python": "=>3.10"},  # bad specifier
        {**GOOD_ENTRY, "name": "w", "demo": "file:///etc/passwd"},  # not http(s)
        removed=[{"package": "fastrtc-energy-vad", "reason": "unsafe"}],  # listed and removed
    )
    report = lint_document(doc, source="r.json")
    assert report.lines() == [
        "r.json:/plugins/1/name: duplicate vad plugin name 'energy': also at /plugins/0; "
        "names are compared canonicalised and must be unique per kind",
        "r.json:/plugins/2/kind: the field 'kind' must be one of vad, turn-taking, not 'stt'",
        "r.json:/plugins/3/object: 'pkg.mod.Class' is not a 'module:attr' reference "
        "(e.g. 'humaware_vad:HumAwareVADModel')",
        "r.json:/plugins/4/requires_python: '=>3.10' is not a valid version specifier "
        "(e.g. '>=3.10' or '>=3.10,<3.14')",
        "r.json:/plugins/5/demo: 'file:///etc/passwd' is not an http(s) URL; links must "
        "start with https:// or http://",
        "r.json:/removed/0/package: 'fastrtc-energy-vad' is also listed at /plugins/0; "
        "a package is either listed or removed, not both",
    ]


@pytest.mark.parametrize(
    ("change", "pointer", "text"),
    [
        ({"name": "../evil"}, "/plugins/0/name", "PEP 508"),
        ({"name": "C:\\x"}, "/plugins/0/name", "PEP 508"),
        ({"name": ".hidden"}, "/plugins/0/name", "PEP 508"),
        ({"name": "a b"}, "/plugins/0/name", "PEP 508"),
        ({"name": "bad\nname"}, "/plugins/0/name", "control characters"),
        ({"name": ""}, "/plugins/0/name", "empty"),
        ({"package": "pkg; curl x | sh"}, "/plugins/0/package", "PEP 508"),
        ({"summary": "x\x1b[2J"}, "/plugins/0/summary", "control characters"),
        ({"description": "a\u202eb"}, "/plugins/0/description", "control characters"),
        ({"name": 5}, "/plugins/0/name", "must be a string"),
        ({"tags": "vad-model"}, "/plugins/0/tags", "must be a list"),
        ({"tags": ["VAD Model"]}, "/plugins/0/tags/0", "lower-case words"),
        ({"tags": ["vad-model", "vad-model"]}, "/plugins/0/tags/1", "repeats an earlier tag"),
        ({"offline": "yes"}, "/plugins/0/offline", "true, false or null"),
        ({"builtin": True}, "/plugins/0/builtin", "only plugins of the package"),
        ({"summary": "x" * 201}, "/plugins/0/summary", "longer than 200"),
        ({"colour": "red"}, "/plugins/0/colour", "unknown field 'colour'"),
        ({"repository": "javascript:alert(1)"}, "/plugins/0/repository", "not an http(s) URL"),
        (
            {"validation": {**GOOD_ENTRY["validation"], "status": "great"}},
            "/plugins/0/validation/status",
            "must be one of passed, warning, failed, needs-network, unsupported-python",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "date": "2025-13-45"}},
            "/plugins/0/validation/date",
            "YYYY-MM-DD",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "passed": -1}},
            "/plugins/0/validation/passed",
            "count",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "version": "not a version"}},
            "/plugins/0/validation/version",
            "PEP 440",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "version": "1" * 5000}},
            "/plugins/0/validation/version",
            "longer than 100",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "failed": 10**4000}},
            "/plugins/0/validation/failed",
            "count",
        ),
        (
            {"validation": {**GOOD_ENTRY["validation"], "version": None}},
            "/plugins/0/validation/version",
            "must be a string",
        ),
        ({"validation": "passed"}, "/plugins/0/validation", "object or null"),
        ({"bench": {**BENCH, "f1": 7}}, "/plugins/0/bench/f1", "from 0 to 1"),
        ({"bench": {**BENCH, "p50_ms": True}}, "/plugins/0/bench/p50_ms", "number"),
        ({"bench": {**BENCH, "version": "1" * 5000}}, "/plugins/0/bench/version", "longer"),
        ({"bench": []}, "/plugins/0/bench", "object or null"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("/") else None,
)
def test_entry_problems(change: dict[str, Any], pointer: str, text: str) -> None:
    report = lint_document(_doc({**GOOD_ENTRY, **change}))
    messages = [p.message for p in report.problems if p.pointer == pointer]
    assert messages, report.lines()
    assert any(text in m for m in messages), messages


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            {"plugins": [], "removed": []},
            ["/schema_version:the field 'schema_version' is missing; add \"schema_version\": 1"],
        ),
        ({**_doc(), "schema_version": "1"}, ["/schema_version:must be a positive integer"]),
        (
            {**_doc(), "plugins": {}},
            ["/plugins:the field 'plugins' must be a list of plugin objects"],
        ),
        (_doc("energy"), ["/plugins/0:each plugin must be a JSON object"]),
        (_doc(removed=[{"package": "x"}]), ["/removed/0/reason:give the reason"]),
        (
            _doc(removed=[{"package": "a", "reason": "r"}, {"package": "A", "reason": "r"}]),
            ["/removed/1/package:'A' is already removed at /removed/0"],
        ),
        ([], ["/:the top level must be a JSON object"]),
    ],
    ids=[
        "no-version",
        "string-version",
        "plugins-object",
        "entry-string",
        "no-reason",
        "removed-twice",
        "top-level-list",
    ],
)
def test_document_problems(doc: Any, expected: list[str]) -> None:
    found = [f"{p.pointer or '/'}:{p.message}" for p in lint_document(doc).problems]
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), found


def test_repeated_keys_are_reported() -> None:
    data = (
        b'{"schema_version": 1, "removed": [], "plugins": [{"name": "a", "name": "b", '
        b'"kind": "vad", "package": "p"}]}'
    )
    (problem,) = lint_bytes(data).problems
    assert problem.pointer == "/plugins/0/name"
    assert "appears more than once" in problem.message


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xff\xfe\x00", "not UTF-8 (bad byte 0xff at offset 0)"),
        (b'{"schema_version": 1,', "not valid JSON"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
        (b'{"schema_version": Infinity}', "Infinity is not valid JSON"),
        (b'{"a": "' + b"x" * MAX_CATALOG_BYTES + b'"}', "limit for a catalog"),
    ],
    ids=["invalid-utf8", "truncated", "deep", "infinity", "huge"],
)
def test_unreadable_bytes_are_one_problem(data: bytes, text: str) -> None:
    (problem,) = lint_bytes(data).problems
    assert text in problem.message
    assert problem.pointer == ""


def test_newer_schema_version_warns_and_tolerates_new_fields() -> None:
    doc = {**_doc({**GOOD_ENTRY, "colour": "red"}), "schema_version": 2}
    report = lint_document(doc)
    assert report.problems == ()
    assert "schema_version 2 is newer than this tool knows (1)" in report.warnings[0]
    broken = {**_doc({**GOOD_ENTRY, "name": "../x"}), "schema_version": 2}
    assert _pointers(broken) == ["/plugins/0/name"]


# --- the rules and registry.schema.json agree --------------------------------------------


def _schema_errors(doc: Any) -> list[str]:
    jsonschema = require_module("jsonschema")
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    return sorted("".join(f"/{p}" for p in e.absolute_path) for e in validator.iter_errors(doc))


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema = require_module("jsonschema")
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_path().read_text()))


def _variants() -> dict[str, Any]:
    base = _doc(GOOD_ENTRY)
    cases: dict[str, Any] = {"good": base, "repo": json.loads((REPO / "registry.json").read_text())}
    record = GOOD_ENTRY["validation"]
    edits = {
        "name-int": ("name", 3),
        "name-path": ("name", "../x"),
        "package-shell": ("package", "x; curl y | sh"),
        "kind": ("kind", "stt"),
        "object": ("object", "a.b"),
        "object-null": ("object", None),
        "tags-dup": ("tags", ["a", "a"]),
        "tags-case": ("tags", ["A"]),
        "url": ("repository", "ftp://x"),
        "url-bidi": ("repository", "https://example.org/\u202egnp.exe"),
        "url-null": ("demo", None),
        "offline": ("offline", 1),
        "builtin-null": ("builtin", None),
        "summary-escape": ("summary", "clear\x1b[2J"),
        "description-bel": ("description", "ding\x07"),
        "summary-long": ("summary", "é" * 201),
        "validation-null": ("validation", None),
        "validation-float": ("validation", {**record, "passed": 1.5}),
        "validation-bool": ("validation", {**record, "passed": True}),
        "validation-huge-count": ("validation", {**record, "passed": 10**30}),
        "validation-huge-version": ("validation", {**record, "version": "1" * 5000}),
        "validation-missing": ("validation", {"version": "1"}),
        "validation-no-suite": ("validation", {k: v for k, v in record.items() if k != "suite"}),
        "validation-status": ("validation", {**record, "status": "great"}),
        "validation-unsupported": (
            "validation",
            {**record, "version": None, "status": "unsupported-python", "reason": "py"},
        ),
        "extra": ("extra", 1),
        "bench-good": ("bench", BENCH),
        "bench-f1-over-one": ("bench", {**BENCH, "f1": 1.5}),
        "bench-negative-delay": ("bench", {**BENCH, "end_of_turn_p50_ms": -3}),
        "bench-string-figure": ("bench", {**BENCH, "f1": "0.9"}),
        "bench-huge-count": ("bench", {**BENCH, "missed_turns": 10**9}),
        "bench-unknown": ("bench", {**BENCH, "score": 1}),
        "bench-no-corpus": ("bench", {k: v for k, v in BENCH.items() if k != "corpus"}),
        "bench-escape": ("bench", {**BENCH, "fastrtc": "0.0.34\x1b[2J"}),
    }
    for label, (key, value) in edits.items():
        doc = copy.deepcopy(base)
        doc["plugins"][0][key] = value
        cases[label] = doc
    cases["version-float"] = {**base, "schema_version": 1.0}
    cases["version-zero"] = {**base, "schema_version": 0}
    cases["removed-bad"] = {**base, "removed": [{"package": "x", "reason": ""}]}
    cases["removed-escape"] = {**base, "removed": [{"package": "x", "reason": "\x1b]0;x\x07"}]}
    cases["no-plugins"] = {"schema_version": 1, "removed": []}
    cases["list"] = []
    return cases


VARIANTS = _variants()
# Where the rules are stricter than a JSON Schema can say (PEP 440 versions, real dates, ...).
# JSON Schema's "integer" also accepts 1.0; the rules want a JSON integer.
STRICTER = {"validation-huge-version", "version-float"}
assert all(label in VARIANTS for label in STRICTER)


@pytest.mark.parametrize("label", VARIANTS)
def test_rules_and_schema_agree(label: str) -> None:
    doc = VARIANTS[label]
    schema_says = bool(_schema_errors(doc))
    rules_say = not lint_document(doc, schema=False).ok
    assert rules_say == (schema_says or label in STRICTER), (label, schema_says, rules_say)


def test_check_runs_the_schema_on_what_the_rules_accept() -> None:
    require_module("jsonschema")
    assert lint_document(_doc(GOOD_ENTRY)).ok
    assert lint_path(REPO / "registry.json").ok


def test_check_without_jsonschema_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)
    with pytest.raises(RegistryError, match="needs the jsonschema package"):
        lint_document(_doc(GOOD_ENTRY))
    assert lint_document(_doc(GOOD_ENTRY), schema=False).ok


# --- through the CLI ------------------------------------------------------------------


def test_cli_check_on_the_repo_file_exits_0() -> None:
    proc = _cli("registry", "check", str(REPO / "registry.json"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("registry.json: ok")


def test_cli_check_defaults_to_registry_json_here(tmp_path: Path) -> None:
    (tmp_path / "registry.json").write_text(json.dumps(_doc({**GOOD_ENTRY, "name": "a/b"})))
    proc = _cli("registry", "check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith("registry.json:/plugins/0/name: 'a/b' is not a valid plugin")


def test_cli_check_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            _doc(
                GOOD_ENTRY, {**GOOD_ENTRY, "name": "ENERGY"}, {**GOOD_ENTRY, "name": "q", "kind": 3}
            )
        )
    )
    proc = _cli("registry", "check", str(path))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:/plugins/1/name: duplicate vad plugin name 'energy'")
    assert lines[1].startswith(f"{path}:/plugins/2/kind: ")
    assert lines[-1] == f"2 problem(s) in {path}"
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xc3\x28", "not UTF-8"),
        (b"", "not valid JSON"),
        (b" " * (MAX_CATALOG_BYTES + 1), "limit for a catalog"),
    ],
    ids=["invalid-utf8", "empty", "huge"],
)
def test_cli_check_unreadable_file_is_one_line(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "registry.json"
    path.write_bytes(data)
    proc = _cli("registry", "check", str(path))
    assert proc.returncode == 1
    first, summary = proc.stderr.strip().splitlines()
    assert text in first and summary == f"1 problem(s) in {path}"


def test_cli_check_missing_file(tmp_path: Path) -> None:
    proc = _cli("registry", "check", str(tmp_path / "nope.json"))
    assert proc.returncode == 2  # a bad argument, as a directory is (docs/cli.md, "Exit codes")
    assert "Invalid value for 'path'" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_check_json(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({**_doc({**GOOD_ENTRY, "name": "../x"}), "schema_version": 9}))
    proc = _cli("registry", "check", "--json", str(path))
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["ok"] is False
    assert out["problems"] == [
        {
            "pointer": "/plugins/0/name",
            "message": "'../x' is not a valid plugin name (PEP 508: letters, digits and '-', "
            "'_' or '.' between them, e.g. 'walkie-talkie')",
        }
    ]
    assert "schema_version 9 is newer" in out["warnings"][0]
    assert "warning:" in proc.stderr
