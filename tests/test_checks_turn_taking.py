"""Turn-taking checks on real fixture wheels: each broken one is caught for its own reason,
keyword-triggered plugins on fastrtc's speech-to-text pass offline, and a plugin that
tries the network is skipped as needing it, with the address it tried.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PluginEnv, make_env

from fastrtc_registry.checks import CheckResult
from fastrtc_registry.checks.base import Observations
from fastrtc_registry.suite import judge_plugin, run_plugin_checks
from fastrtc_registry.validation.worker import WorkerSession

FIXTURES = (
    "tt_keyword",
    "tt_roger",
    "tt_bad_tags",
    "tt_shared_words",
    "tt_no_reset",
    "tt_16k",
    "tt_slow",
    "tt_deaf_keyword",
    "net_helper_download",
    "net_tt_download",
    "net_tt_lazy",
)

# (fixture folder, entry point, kind, the check meant to catch it, status, message fragment)
CAUGHT_TT = [
    (
        "tt_bad_tags",
        "fastrtc_tt_bad_tags:MisTagged",
        "TT200",
        "failed",
        "unknown tag 'triger' (did you mean 'trigger'?)",
    ),
    (
        "tt_deaf_keyword",
        "fastrtc_tt_deaf_keyword:DeafKeyword",
        "TT205",
        "failed",
        "which lacks the keyword 'over' at the end",
    ),
    (
        "tt_no_reset",
        "fastrtc_tt_no_reset:OneTurn",
        "TT206",
        "failed",
        "replied to the first turn only",
    ),
    (
        "tt_shared_words",
        "fastrtc_tt_shared_words:SharedWords",
        "TT207",
        "failed",
        "the copies share state",
    ),
    (
        "tt_slow",
        "fastrtc_tt_slow:SlowPause",
        "TT208",
        "failed",
        "slower than real time, so the stream falls behind",
    ),
    (
        "tt_16k",
        "fastrtc_tt_16k:Assumes16k",
        "TT209",
        "failed",
        "replied at 16 kHz but not at 24 kHz, 48 kHz",
    ),
]
# A fixture that is slow on purpose runs only what leads to the check that catches it.
_ONLY = {"tt_slow": ("IMP101", "IMP102", "IMP103", "IMP104", "TT208")}


@pytest.fixture(scope="session")
def tt_env(tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]) -> PluginEnv:
    """A venv with the turn-taking and network fixture plugins."""
    return make_env(tmp_path_factory.mktemp("tt") / "venv", [plugin_wheels[n] for n in FIXTURES])


def _run(
    env: PluginEnv, spec: str, kind: str, only: tuple[str, ...] | None = None
) -> dict[str, CheckResult]:
    if only is None:
        results = run_plugin_checks(spec, kind, python=str(env.python), timeout=240)
    else:
        with WorkerSession(timeout=240, python=str(env.python)) as session:
            results = judge_plugin(Observations(spec, kind), session, only=only)
    return {r.id: r for r in results}


@pytest.mark.parametrize(
    ("folder", "spec", "check_id", "status", "fragment"),
    CAUGHT_TT,
    ids=[f"{c[2]}-{c[0]}" for c in CAUGHT_TT],
)
def test_each_turn_taking_check_catches_its_fixture(
    tt_env: PluginEnv, folder: str, spec: str, check_id: str, status: str, fragment: str
) -> None:
    results = _run(tt_env, spec, "turn-taking", _ONLY.get(folder))
    assert results[check_id].status == status, results[check_id]
    assert fragment in results[check_id].message
    assert all(r.status != "error" for r in results.values())


@pytest.mark.parametrize(
    ("spec", "trigger"),
    [
        ("fastrtc_tt_keyword:KeywordTalkie", "the keyword 'over' at the end, found by trying"),
        ("fastrtc_tt_roger:RogerTalkie", "the keyword 'roger' at the end, declared"),
        (
            "fastrtc_registry.plugins.stopwords:StopWords",
            "the keyword 'computer' at the start, declared",
        ),
    ],
    ids=["untagged-over", "tagged-roger", "builtin-stopwords"],
)
def test_keyword_plugins_on_fastrtc_stt_pass_offline(tt_env: PluginEnv, spec, trigger) -> None:
    results = _run(tt_env, spec, "turn-taking")
    assert [r for r in results.values() if r.status != "passed"] == []
    assert f"(trigger: {trigger})" in results["TT201"].message
    assert results["TT209"].message == "replied at 16 kHz, 24 kHz, 48 kHz"


def test_pause_plugins_skip_the_keyword_check_as_not_applicable(tt_env: PluginEnv) -> None:
    results = _run(tt_env, "fastrtc.reply_on_pause:ReplyOnPause", "turn-taking")
    skipped = {i: r.reason for i, r in results.items() if r.status != "passed"}
    assert skipped == {"TT205": "not-applicable"}
    assert "(trigger: a pause)" in results["TT201"].message


def test_a_download_in_a_helper_is_needs_network_with_the_address(tt_env: PluginEnv) -> None:
    results = _run(tt_env, "fastrtc_net_helper_download:HelperDownloadVAD", "vad")
    build = results["IMP103"]
    assert (build.status, build.reason) == ("skipped", "needs-network")
    assert "(it tried 0.0.0.1:9)" in build.message
    assert results["VAD201"].reason == "after IMP103"


def test_tags_from_pyproject_reach_the_worker_and_the_checks() -> None:
    from conftest import PLUGINS

    from fastrtc_registry.suite import validate

    report = validate(str(PLUGINS / "tt_pyproject_tags"), timeout=240)
    (plugin,) = report.plugins
    results = {c.id: c for c in plugin.checks}
    assert results["TT200"].message.startswith("declared: turns end on the keyword 'roger'")
    assert "(trigger: the keyword 'roger' at the end, declared)" in results["TT201"].message
    assert results["TT205"].status == "passed"


def test_pyproject_tags_are_read_from_a_home_relative_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``validate ~/proj`` reads the same pyproject.toml the build step builds."""
    import shutil

    from conftest import PLUGINS

    from fastrtc_registry.suite import validate

    shutil.copytree(PLUGINS / "tt_pyproject_tags", tmp_path / "proj")
    monkeypatch.setenv("HOME", str(tmp_path))
    report = validate("~/proj", timeout=240)
    (plugin,) = report.plugins
    results = {c.id: c for c in plugin.checks}
    assert results["TT200"].message.startswith("declared: turns end on the keyword 'roger'")


def test_class_checks_run_when_building_needs_the_network(tt_env: PluginEnv) -> None:
    results = _run(tt_env, "fastrtc_net_tt_download:DownloadingPause", "turn-taking")
    assert (results["IMP103"].status, results["IMP103"].reason) == ("skipped", "needs-network")
    assert "(it tried 0.0.0.1:9)" in results["IMP103"].message
    assert results["IMP104"].status == "passed"
    assert results["IMP106"].status == "passed"
    assert results["TT201"].reason == "after IMP103"


def test_a_download_on_first_use_is_needs_network_not_a_failure(tt_env: PluginEnv) -> None:
    results = _run(tt_env, "fastrtc_net_tt_lazy:LazyPause", "turn-taking")
    first = results["TT201"]
    assert (first.status, first.reason) == ("skipped", "needs-network"), first
    assert "calling receive()" in first.message
    assert "(it tried 0.0.0.1:9)" in first.message
    assert not [r for r in results.values() if r.status in ("failed", "error")]
