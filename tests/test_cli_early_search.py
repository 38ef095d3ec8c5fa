"""A plain ``search`` starts its index read before typer parses, and only then.

The early start is scheduling, not a second parser: for every plain command
line the options it starts with must be exactly the ones the command builds,
or the command would search twice. Each test here fails if the two drift.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from fastrtc_registry import search as search_module
from fastrtc_registry.cli import _early_search, main
from fastrtc_registry.search import SearchReport

PLAIN = [
    ["search"],
    ["search", "--json"],
    ["search", "vad"],
    ["search", "walkie", "--json"],
    ["search", "--kind", "vad"],
    ["search", "--kind=turn_taking", "--json"],
    ["search", "-k", "turn-taking", "pause"],
    ["search", "--all", "--refresh"],
    ["search", "--index-url", "http://127.0.0.1:9/simple/", "--json"],
    ["search", "--index-url=https://user:pw@127.0.0.1:9/simple/"],
    ["search", "--deadline", "2.5", "energy"],
    ["search", "--deadline=30", "--all", "--kind", "vad", "--refresh", "--json", "silero"],
    ["search", "query"],  # words that name options are still queries
    ["search", "json", "--json"],
]

NOT_PLAIN = [
    [],
    ["list"],
    ["info", "energy"],
    ["search", "--offline"],  # nothing to start early
    ["search", "--help"],
    ["search", "--debug"],
    ["search", "-kvad"],  # click's joined short option: a spelling left to typer
    ["search", "one", "two"],
    ["search", "--", "vad"],
    ["search", "--json", "--json"],
    ["search", "--kind", "vad", "-k", "vad"],
    ["search", "--kind"],
    ["search", "--kind", "--json"],
    ["search", "--kind", "audio"],
    ["search", "--index-url", "ftp://127.0.0.1/simple/"],
    ["search", "--deadline", "0"],
    ["search", "--deadline", "-1"],
    ["search", "--deadline", "nan"],
    ["search", "--deadline", "soon"],
    ["search", "--json=yes"],
    ["search", "--unknown"],
    ["search", "-"],
]


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the library's search: record each call's options, answer from the catalog."""
    real = search_module.search
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def recorded(query: str | None = None, **options: Any) -> SearchReport:
        options.pop("progress", None)
        with lock:
            calls.append({"query": query, **options})
        return real(None, offline=True)

    monkeypatch.setattr(search_module, "search", recorded)
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    return calls


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_search_is_started_early_with_the_commands_own_options(
    argv: list[str], searches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
):
    expected = _early_search.plain_options(argv)
    assert expected is not None
    assert main(argv) == 0, capsys.readouterr().err
    # One search, the early one: the command took its answer instead of searching again.
    assert searches == [expected]


def test_the_early_options_are_read_as_the_command_reads_them():
    options = _early_search.plain_options(
        ["search", "pause", "-k", "turn_taking", "--deadline=2", "--all", "--json"]
    )
    assert options == {
        "query": "pause",
        "kind": "turn-taking",
        "include_all": True,
        "offline": None,
        "refresh": False,
        "index_url": None,
        "deadline": 2.0,
    }


@pytest.mark.parametrize("argv", NOT_PLAIN, ids=lambda argv: " ".join(argv) or "(none)")
def test_anything_else_starts_nothing(argv: list[str]):
    assert _early_search.plain_options(argv) is None


def test_a_search_that_is_not_plain_still_searches_once(
    searches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
):
    assert main(["search", "-kvad", "--json"]) == 0, capsys.readouterr().err
    assert [call["kind"] for call in searches] == ["vad"]


def test_offline_starts_nothing(searches: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    assert _early_search.start(["search", "--json"]) is None
    assert searches == []


def test_an_early_search_started_with_other_options_is_not_taken(
    searches: list[dict[str, Any]],
):
    early = _early_search.start(["search", "vad"])
    assert early is not None
    other = {**early.options, "query": "pause"}
    assert _early_search.take(other, None) is None
    # Nothing is left to be taken by a later command.
    assert _early_search.take(early.options, None) is None


def test_the_early_searchs_error_reaches_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    from fastrtc_registry.errors import IndexUnreachableError

    def failing(query: str | None = None, **options: Any) -> SearchReport:
        raise IndexUnreachableError("the index at http://127.0.0.1:9/simple/ did not answer")

    monkeypatch.setattr(search_module, "search", failing)
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    code = main(["search", "--json"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "did not answer" in err and "Traceback" not in err
