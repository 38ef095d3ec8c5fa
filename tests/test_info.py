"""info: everything known about one plugin or package, from the library, offline."""

from __future__ import annotations

import pytest
from _cached_facts import INDEX, cache_facts

from fastrtc_registry.errors import AmbiguousPluginError, PluginNotFoundError
from fastrtc_registry.info import package_info


def test_a_catalog_plugin_is_found_offline_with_its_install_command():
    report = package_info("walkie-talkie", offline=True)
    assert report.package == "fastrtc-walkie-talkie"
    (plugin,) = report.plugins
    assert plugin.object == "fastrtc_walkie_talkie:WalkieTalkie"
    assert plugin.install == "pip install fastrtc-walkie-talkie"
    assert report.facts is None and report.report.offline


def test_an_unknown_name_suggests_close_ones():
    with pytest.raises(PluginNotFoundError) as caught:
        package_info("walkie-talky", offline=True)
    assert "walkie-talkie" in caught.value.suggestions
    assert "fastrtc-plugins search" in str(caught.value)


def test_a_package_name_shows_every_plugin_it_provides(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts(
        "fastrtc-pair", ("fastrtc.vad", "pair-vad", "m:V"), ("fastrtc.turn_taking", "pair", "m:T")
    )
    report = package_info("fastrtc-pair", offline=True)
    assert {(p.kind, p.name) for p in report.plugins} == {
        ("vad", "pair-vad"),
        ("turn-taking", "pair"),
    }
    assert report.facts is not None and report.facts.version == "1.0"


def test_one_plugin_name_in_two_packages_is_ambiguous_until_qualified(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-twin-a", ("fastrtc.vad", "twin", "m:A"))
    cache_facts("fastrtc-twin-b", ("fastrtc.vad", "twin", "m:B"))
    with pytest.raises(AmbiguousPluginError) as caught:
        package_info("twin", offline=True)
    assert tuple(caught.value.packages) == ("fastrtc-twin-a", "fastrtc-twin-b")
    assert package_info("fastrtc-twin-b:twin", offline=True).plugins[0].object == "m:B"


def test_a_same_named_project_without_plugins_does_not_make_a_plugin_ambiguous(
    monkeypatch: pytest.MonkeyPatch,
):
    """``info patient``: the plugin ``patient``, not the project ``patient`` that declares none."""
    from fastrtc_registry.installer import plan_install

    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", INDEX)
    cache_facts("fastrtc-patient-turns", ("fastrtc.turn_taking", "patient", "m:Patient"))
    cache_facts("patient")  # on the index, no entry points
    report = package_info("patient", offline=True)
    assert report.package == "fastrtc-patient-turns"
    assert [(p.kind, p.name) for p in report.plugins] == [("turn-taking", "patient")]
    assert plan_install("patient", offline=True).package == "fastrtc-patient-turns"
    # The project is still found when asked for as a package.
    assert package_info("patient:patient", offline=True).package == "patient"


def test_an_installed_plugin_the_catalog_does_not_know_is_found(in_env) -> None:
    report = package_info("energy", offline=True)
    assert report.package == "fastrtc-energy-vad"
    (plugin,) = report.plugins
    assert plugin.installed and plugin.sources == ("installed",)


def test_a_built_in_describes_its_own_entry_not_the_first_of_the_package():
    report = package_info("webrtc", offline=True)
    assert [e.name for e in report.described_entries] == ["webrtc"]
    assert report.as_dict()["installed"] is True
