from __future__ import annotations

import sys

from conftest import PluginEnv

from fastrtc_registry.catalog import default_catalog
from fastrtc_registry.discovery import installed_plugins


def _names(records) -> set[tuple[str, str, str]]:
    return {(r.kind, r.name, r.source) for r in records}


def test_lists_fixture_plugins_and_builtins(good_env: PluginEnv) -> None:
    records = installed_plugins(path=good_env.path)
    found = _names(records)
    assert {
        ("vad", "energy", "entry-point"),
        ("vad", "webrtc-gmm", "entry-point"),
        ("vad", "webrtc", "builtin"),
        ("turn-taking", "patient", "entry-point"),
        ("turn-taking", "forgetful", "entry-point"),
        ("vad", "silero", "builtin"),
        ("turn-taking", "pause", "builtin"),
        ("turn-taking", "stopwords", "builtin"),
    } <= found
    energy = next(r for r in records if r.name == "energy")
    assert energy.package == "fastrtc-energy-vad"
    assert energy.version == "1.0.0"
    assert energy.object == "fastrtc_energy_vad:EnergyVAD"
    assert energy.status == "unchecked"
    assert all(r.status == "unchecked" for r in records)


def test_kind_filter(good_env: PluginEnv) -> None:
    records = installed_plugins("turn-taking", path=good_env.path)
    assert records
    assert {r.kind for r in records} == {"turn-taking"}


def test_listing_imports_no_plugin_code(good_env: PluginEnv) -> None:
    before = set(sys.modules)
    installed_plugins(path=good_env.path)
    new = set(sys.modules) - before
    assert not {m for m in new if m.startswith(("fastrtc_energy", "fastrtc_webrtc", "fastrtc."))}
    assert "fastrtc" not in new


def test_plugins_absent_from_other_environments(good_env: PluginEnv) -> None:
    # The test interpreter itself has none of the fixture plugins installed.
    assert "energy" not in {r.name for r in installed_plugins()}


def test_duplicate_names_are_flagged(broken_env: PluginEnv) -> None:
    energy = [r for r in installed_plugins("vad", path=broken_env.path) if r.name == "energy"]
    assert {r.package for r in energy} == {"fastrtc-energy-vad", "fastrtc-energy-fork"}
    by_package = {r.package: r for r in energy}
    assert by_package["fastrtc-energy-vad"].conflicts == ("fastrtc-energy-fork",)
    assert by_package["fastrtc-energy-fork"].qualified_name == "fastrtc-energy-fork:energy"


def test_catalog_names_plugins_without_entry_points(good_env: PluginEnv, legacy_catalog) -> None:
    records = installed_plugins("vad", path=good_env.path, catalog=default_catalog())
    legacy = next(r for r in records if r.name == "legacy")
    assert legacy.source == "catalog"
    assert legacy.package == "fastrtc-legacy-vad"
    assert legacy.object == "fastrtc_legacy_vad:LegacyVAD"
    # Known to the catalog but not installed: not listed.
    assert "uninstalled" not in {r.name for r in records}


def test_as_dict_has_the_documented_keys(good_env: PluginEnv) -> None:
    record = installed_plugins("vad", path=good_env.path)[0]
    assert set(record.as_dict()) >= {
        "name",
        "kind",
        "package",
        "version",
        "object",
        "source",
        "status",
        "error",
    }


def test_test_environments_start_cleanly(good_env: PluginEnv) -> None:
    # The venv is layered on this interpreter's packages by a .pth file; a broken
    # one prints a traceback at every start and hides the parent's packages.
    result = good_env.python_run("-c", "import fastrtc_registry, fastrtc_energy_vad")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
