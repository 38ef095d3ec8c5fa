"""search_rows: one row per plugin from index facts, the catalog and this environment, on values."""

from __future__ import annotations

from dataclasses import replace
from importlib import metadata

import pytest
from _cached_facts import project_facts

from fastrtc_registry.catalog import Catalog, CatalogEntry, Removed, default_catalog
from fastrtc_registry.discovery import PluginRecord
from fastrtc_registry.names import canonicalize
from fastrtc_registry.search_rows import check_compatibility, installed_versions, plugin_rows

NO_CATALOG = Catalog(schema_version=1, entries=())
INDEX_URL = "http://127.0.0.1:9/simple/"


def _catalog(*entries: CatalogEntry, removed: tuple[Removed, ...] = ()) -> Catalog:
    return Catalog(schema_version=1, entries=entries, removed=removed)


def _entry(name: str, package: str, **kw: object) -> CatalogEntry:
    return CatalogEntry(name=canonicalize(name), kind="vad", package=package, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("requires_python", "requires", "fastrtc", "expected"),
    [
        (">=3.8", ("fastrtc>=0.0.20",), "0.0.34", True),
        (">=3.99", ("fastrtc",), "0.0.34", False),
        (None, ("fastrtc<0.0.30",), "0.0.34", False),
        (None, ("fastrtc[vad]>=0.0.30; python_version >= '3.8'",), "0.0.34", True),
        (None, ("fastrtc>=9; extra == 'gpu'",), "0.0.34", None),
        (None, ("fastrtc>=0.0.30",), None, None),
        (None, (), "0.0.34", None),
    ],
    ids=["ok", "python", "old-fastrtc", "marker", "extra-only", "no-fastrtc", "unknown"],
)
def test_compatibility(
    requires_python: str | None,
    requires: tuple[str, ...],
    fastrtc: str | None,
    expected: bool | None,
):
    verdict, reasons = check_compatibility(
        requires_python, requires, python="3.11.7", fastrtc=fastrtc
    )
    assert verdict is expected
    assert bool(reasons) == (expected is False or (fastrtc is None and bool(requires)))


def test_an_unreadable_requires_python_is_a_reason_not_a_verdict():
    verdict, reasons = check_compatibility("not a specifier", (), python="3.11.7")
    assert verdict is None
    assert reasons == ("unreadable Requires-Python 'not a specifier'",)


def test_each_declared_entry_point_is_a_row_and_other_groups_are_not():
    facts = project_facts(
        "fastrtc-two",
        ("fastrtc.vad", "One_VAD", "m:One"),
        ("fastrtc.turn_taking", "two", "m:Two"),
        ("console_scripts", "two-cli", "m:main"),
    )
    rows = plugin_rows([facts], NO_CATALOG, installed={})
    assert [(r.kind, r.name, r.object, r.declared) for r in rows] == [
        ("vad", "one-vad", "m:One", True),
        ("turn-taking", "two", "m:Two", True),
    ]


def test_a_project_without_plugin_entry_points_is_one_undeclared_row_without_kind():
    facts = project_facts("fastrtc-app", ("console_scripts", "app", "m:main"))
    (row,) = plugin_rows([facts], NO_CATALOG, installed={})
    assert (row.kind, row.name, row.declared, row.sources) == (
        None,
        "fastrtc-app",
        False,
        ("index",),
    )


def test_catalog_and_index_facts_of_one_plugin_merge_into_one_row():
    facts = project_facts("fastrtc-one", ("fastrtc.vad", "one", "m:One"))
    catalog = _catalog(_entry("one", "fastrtc-one", summary="curated words"))
    (row,) = plugin_rows([facts], catalog, installed={})
    assert row.sources == ("catalog", "index")
    assert row.summary == "curated words"  # the catalog's summary wins over the index's


def test_a_catalog_entry_that_the_project_does_not_declare_is_declared_false():
    facts = project_facts("fastrtc-one")
    (row,) = plugin_rows([facts], _catalog(_entry("one", "fastrtc-one")), installed={})
    assert (row.name, row.declared) == ("one", False)


def test_removed_packages_make_no_row():
    facts = project_facts("fastrtc-gone", ("fastrtc.vad", "gone", "m:G"))
    catalog = _catalog(removed=(Removed("fastrtc-gone", "withdrawn"),))
    assert plugin_rows([facts], catalog, installed={}) == []


def test_a_name_that_is_not_pep508_makes_no_row():
    catalog = _catalog(_entry("odd", "not a name; rm -rf"))
    assert plugin_rows([], catalog, installed={}) == []


def test_control_characters_are_stripped_from_row_text():
    facts = project_facts("fastrtc-esc", ("fastrtc.vad", "esc", "m:E\x1b[31m"))
    facts = replace(facts, summary="red\x1b[31m text\x07")
    (row,) = plugin_rows([facts], NO_CATALOG, installed={})
    assert "\x1b" not in row.summary and "\x07" not in row.summary
    assert row.object is not None and "\x1b" not in row.object


def test_an_installed_release_is_compatible_whatever_its_requires_python():
    facts = project_facts("fastrtc-here", ("fastrtc.vad", "here", "m:H"))
    facts = replace(facts, requires_python=">=3.99")
    (here,) = plugin_rows([facts], NO_CATALOG, installed={"fastrtc-here": "1.0"})
    assert (here.installed, here.compatible, here.reasons) == (True, True, ())
    (elsewhere,) = plugin_rows([facts], NO_CATALOG, installed={})
    assert (elsewhere.installed, elsewhere.compatible) == (False, False)


def test_an_older_installed_release_is_judged_as_the_index_release():
    facts = project_facts(
        "fastrtc-old", ("fastrtc.vad", "old", "m:O"), requires=("fastrtc<0.0.30",)
    )
    (row,) = plugin_rows([facts], NO_CATALOG, installed={"fastrtc-old": "0.9", "fastrtc": "0.0.34"})
    assert row.installed and row.installed_version == "0.9"
    assert row.compatible is False and "fastrtc 0.0.34 is installed" in row.reasons[0]


def test_the_chosen_index_is_named_in_install_commands_of_index_rows_only():
    facts = project_facts("fastrtc-indexed", ("fastrtc.vad", "indexed", "m:I"))
    catalog = _catalog(_entry("curated", "fastrtc-curated"))
    rows = {r.name: r for r in plugin_rows([facts], catalog, installed={}, index_url=INDEX_URL)}
    assert rows["indexed"].install == f"pip install fastrtc-indexed --index-url {INDEX_URL}"
    assert rows["curated"].install == "pip install fastrtc-curated"


def test_a_local_plugin_nothing_else_knows_is_an_installed_row():
    record = PluginRecord(
        name=canonicalize("mine"),
        kind="vad",
        package="fastrtc-mine",
        version="0.1",
        object="mine:Mine",
        source="entry-point",
    )
    (row,) = plugin_rows([], NO_CATALOG, installed={"fastrtc-mine": "0.1"}, local=[record])
    assert row.sources == ("installed",)
    assert (row.installed, row.declared, row.version) == (True, True, "0.1")


def test_a_catalog_plugin_without_entry_points_installed_here_is_not_declared():
    record = PluginRecord(
        name=canonicalize("legacy"),
        kind="vad",
        package="fastrtc-legacy-vad",
        version="1.0",
        object="legacy:L",
        source="catalog",
    )
    catalog = _catalog(_entry("legacy", "fastrtc-legacy-vad", object="legacy:L"))
    rows = plugin_rows([], catalog, installed={"fastrtc-legacy-vad": "1.0"}, local=[record])
    (row,) = rows  # the catalog's row and the local one are the same plugin
    assert row.installed and row.declared is False


def test_installed_plugins_are_not_suggested_and_uninstalled_ones_are():
    catalog = _catalog(_entry("a", "fastrtc-a"), _entry("b", "fastrtc-b"))
    rows = {r.name: r for r in plugin_rows([], catalog, installed={"fastrtc-a": "1"})}
    assert not rows["a"].suggestable
    assert rows["b"].suggestable


def test_a_confusable_name_is_flagged_and_never_suggested():
    catalog = _catalog(_entry("\u0455ilero", "fastrtc-fake"))
    (row,) = plugin_rows([], catalog, installed={})
    assert row.confusable and not row.suggestable
    assert row.as_dict()["confusable"] is True


def test_installed_versions_are_keyed_by_canonical_name():
    versions = installed_versions()
    assert "FastRTC" in versions and "Fast_RTC" not in versions
    assert versions["FastRTC"] == metadata.version("fastrtc")
    assert canonicalize("fastrtc") in set(versions)


def test_the_embedded_catalog_builtins_are_installed_rows():
    rows = plugin_rows([], default_catalog(), installed={})
    silero = next(r for r in rows if r.name == "silero")
    assert silero.installed  # a built-in is here whatever ``installed`` says
