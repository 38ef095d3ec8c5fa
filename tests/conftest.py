"""Shared fixtures: real wheels of the fixture plugins in real virtual environments.

The fixture plugins under ``tests/plugins/`` are real projects. They are built
into wheels once per session and installed, without dependencies and from
local files only, into virtual environments created with
``--system-site-packages`` on top of the test interpreter (which has fastrtc
and this package installed).

Discovery never sees the plugins the machine happens to have: for every test,
the machine's own path entries are shown to :mod:`importlib.metadata` as one
folder holding the machine's distributions minus every plugin (see
``machine_view``), so only the fixture plugins a test installs or declares,
and the built-ins, are found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from fastrtc_registry.catalog.sources import embedded_catalog_path
from fastrtc_registry.discovery import SELF_DISTRIBUTION
from fastrtc_registry.names import canonicalize, kind_for_group
from fastrtc_registry.validation.venv import make_overlay_venv, pip_install_command

TESTS = Path(__file__).resolve().parent
PLUGINS = TESTS / "plugins"
DATA = TESTS / "data"

# What the test interpreter itself can see, before any test adds a fixture environment.
MACHINE_PATH = tuple(dict.fromkeys(os.path.realpath(p or os.curdir) for p in sys.path))

GOOD_PLUGINS = ("energy_vad", "webrtc_vad", "patient_pause", "forgetful", "legacy_vad")
BROKEN_PLUGINS = ("energy_vad", "energy_fork", "broken_import", "wrong_kind")


@dataclass(frozen=True)
class PluginEnv:
    """A virtual environment with some fixture plugins installed."""

    root: Path
    python: Path
    site_packages: Path
    path: tuple[str, ...]

    def run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 300,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``python -m fastrtc_registry ARGS`` in this environment."""
        return self.python_run(
            "-m", "fastrtc_registry", *args, env=env, timeout=timeout, input=input
        )

    def python_run(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 300,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run this environment's interpreter."""
        return subprocess.run(
            [str(self.python), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            input=input,
            check=False,
        )


_HIDING_SITECUSTOMIZE = """\
import importlib.machinery as _machinery
import sys as _sys

_HIDDEN = frozenset(%r)


class _HidingPathFinder(_machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in _HIDDEN:
            return None
        return _machinery.PathFinder.find_spec(name, path, target)


_sys.meta_path[:] = [
    _HidingPathFinder if f is _machinery.PathFinder else f for f in _sys.meta_path
]
"""


def hiding_pythonpath(tmp_path: Path, *modules: str) -> str:
    """A PYTHONPATH on which MODULES look uninstalled, to ``find_spec`` and ``import`` alike."""
    where = tmp_path / "hiding"
    where.mkdir(parents=True, exist_ok=True)
    (where / "sitecustomize.py").write_text(_HIDING_SITECUSTOMIZE % (sorted(modules),))
    return str(where)


def terminal_output(
    argv: list[str],
    env: dict[str, str],
    *,
    columns: int = 80,
    stderr_too: bool = False,
    exit_code: int = 0,
) -> bytes:
    """What ``argv`` writes to a pseudo-terminal ``columns`` wide (``exit_code`` asserted).

    A terminal folds a long line on the screen but copies it as one; the bytes
    here are the ones the program wrote.
    """
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv,
        stdout=follower,
        stderr=follower if stderr_too else subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": str(columns), **env},
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the follower side closed
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == exit_code, output
    return output


def terminal_lines(argv: list[str], env: dict[str, str], *, columns: int = 80) -> list[str]:
    """The lines ``argv`` writes on its stdout, a pseudo-terminal ``columns`` wide."""
    return terminal_output(argv, env, columns=columns).decode().replace("\r\n", "\n").splitlines()


def build_wheel(project: Path, outdir: Path) -> Path:
    """Build ``project`` into a wheel in ``outdir`` with its real build backend."""
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(outdir),
            str(project),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = set(outdir.glob("*.whl")) - before
    return wheel


def make_env(root: Path, wheels: Sequence[Path]) -> PluginEnv:
    """A venv on top of this interpreter's packages, with ``wheels`` installed."""
    # Layered on this interpreter's packages even when it is itself a venv.
    python = make_overlay_venv(root)
    if wheels:
        subprocess.run(
            [
                *pip_install_command(python),
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                # Into this venv even when the machine has the same release installed.
                "--ignore-installed",
                *map(str, wheels),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import json, site, sys; print(json.dumps([site.getsitepackages()[0], sys.path]))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    site_packages, path = json.loads(out.stdout)
    return PluginEnv(root, python, Path(site_packages), tuple(p for p in path if p))


@pytest.fixture(scope="session")
def plugin_wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every fixture plugin under tests/plugins, built into a wheel."""
    outdir = tmp_path_factory.mktemp("wheels")
    projects = sorted(p for p in PLUGINS.iterdir() if (p / "pyproject.toml").is_file())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        built = pool.map(lambda p: (p.name, build_wheel(p, outdir / p.name)), projects)
        return dict(built)


@pytest.fixture(scope="session")
def good_env(tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]) -> PluginEnv:
    """A venv with the working fixture plugins (two VADs, two turn-taking, one legacy)."""
    return make_env(
        tmp_path_factory.mktemp("good") / "venv", [plugin_wheels[n] for n in GOOD_PLUGINS]
    )


@pytest.fixture(scope="session")
def broken_env(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> PluginEnv:
    """A venv with broken fixture plugins: import error, wrong kinds, a duplicate name."""
    return make_env(
        tmp_path_factory.mktemp("broken") / "venv", [plugin_wheels[n] for n in BROKEN_PLUGINS]
    )


def _plugin_packages(catalogs: Sequence[Path]) -> set[str]:
    """Packages the catalogs name as plugins: these load by name without entry points."""
    from fastrtc_registry.catalog.sources import parse_catalog, read_catalog_file

    return {
        canonicalize(entry.package)
        for path in catalogs
        for entry in parse_catalog(read_catalog_file(path), source=str(path)).entries
    }


def _declares_plugins(dist: metadata.Distribution) -> bool:
    return any(kind_for_group(ep.group) is not None for ep in dist.entry_points)


def build_machine_view(root: Path, path: Sequence[str], catalogs: Sequence[Path]) -> Path:
    """A folder of links to the distributions on ``path``, every plugin left out.

    The first distribution of a name on ``path`` wins, as for discovery itself.
    This package stays (its entry points are the built-ins), and so does every
    library the plugins need; a plugin is a distribution that declares a
    plugin entry point or that a catalog names.
    """
    root.mkdir(parents=True, exist_ok=True)
    catalogued = _plugin_packages(catalogs)
    seen: set[str] = set()
    for dist in metadata.distributions(path=list(path)):
        where = getattr(dist, "_path", None)
        name = dist.metadata["Name"] if dist.metadata else None
        if where is None or not name or canonicalize(name) in seen:
            continue
        key = canonicalize(name)
        seen.add(key)
        if key != SELF_DISTRIBUTION and (key in catalogued or _declares_plugins(dist)):
            continue
        (root / Path(where).name).symlink_to(where)
    return root


def discovery_path(path: Sequence[str], view: Path) -> list[str]:
    """``path`` with the machine's own entries replaced, once, by ``view``."""
    out: list[str] = []
    for entry in path:
        shown = str(view) if os.path.realpath(entry or os.curdir) in MACHINE_PATH else entry
        if shown not in out:
            out.append(shown)
    return out


@pytest.fixture(scope="session")
def machine_view(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test interpreter's distributions without any plugin, as one folder."""
    return build_machine_view(
        tmp_path_factory.mktemp("machine") / "site",
        MACHINE_PATH,
        [embedded_catalog_path(), DATA / "legacy-registry.json"],
    )


@pytest.fixture(autouse=True)
def _isolate(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    machine_view: Path,
) -> None:
    """Keep tests off the network, away from the user's cache and settings, and
    blind to the plugins installed on the machine."""
    for name in list(os.environ):
        if name.startswith("FASTRTC_PLUGINS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FASTRTC_PLUGINS_OFFLINE", "1")
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    # Every metadata lookup on the default path or a given one goes through this finder.
    find = metadata.MetadataPathFinder.find_distributions

    def find_distributions(
        context: metadata.DistributionFinder.Context | None = None,
    ) -> Iterator[metadata.Distribution]:
        context = context or metadata.DistributionFinder.Context()
        shown = {**vars(context), "path": discovery_path(context.path, machine_view)}
        return iter(find(metadata.DistributionFinder.Context(**shown)))

    monkeypatch.setattr(
        metadata.MetadataPathFinder, "find_distributions", staticmethod(find_distributions)
    )


@pytest.fixture
def legacy_catalog(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the catalog at tests/data/legacy-registry.json."""
    path = DATA / "legacy-registry.json"
    monkeypatch.setenv("FASTRTC_PLUGINS_REGISTRY_URL", str(path))
    return path


def _use_env(monkeypatch: pytest.MonkeyPatch, env: PluginEnv) -> Iterator[PluginEnv]:
    monkeypatch.syspath_prepend(str(env.site_packages))
    before = set(sys.modules)
    yield env
    for name in set(sys.modules) - before:
        if name.startswith("fastrtc_") and not name.startswith("fastrtc_registry"):
            del sys.modules[name]


@pytest.fixture
def in_env(monkeypatch: pytest.MonkeyPatch, good_env: PluginEnv) -> Iterator[PluginEnv]:
    """Make the good environment's plugins importable (and discoverable) in this process."""
    yield from _use_env(monkeypatch, good_env)


@pytest.fixture
def in_broken_env(monkeypatch: pytest.MonkeyPatch, broken_env: PluginEnv) -> Iterator[PluginEnv]:
    """Make the broken environment's plugins importable (and discoverable) in this process."""
    yield from _use_env(monkeypatch, broken_env)


@pytest.fixture(scope="session")
def speech_wav() -> tuple[int, Any]:
    """fastrtc's own speech recording: (24000, int16 mono array), 20.75 s."""
    from fastrtc_registry.simulate import fastrtc_speech

    return fastrtc_speech()
