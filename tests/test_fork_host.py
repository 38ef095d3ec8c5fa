"""A fork as the host: fastrtc-compact ships the ``fastrtc`` package under its own name.

The real fastrtc-compact 0.0.1 wheel goes into a virtual environment in which
the test interpreter's fastrtc is hidden from imports and from
``importlib.metadata`` alike: the site directory holding it is swapped, at
start-up, for a mirror of symbolic links without ``fastrtc/`` and its
``.dist-info``. .ci/run downloads the wheel into build/fork-host/ (or set
FASTRTC_TEST_FORK_WHEELS to a folder holding it).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from _ci import in_ci
from _index_fixtures import index_files, pypi_url  # noqa: F401  (fixtures)
from conftest import PLUGINS, PluginEnv, build_wheel, make_env

from fastrtc_registry.installer import _requirements_beside
from fastrtc_registry.packages import (
    PackageMetadata,
    host_extra_command,
    host_label,
    host_provides,
    is_fork,
    read_wheel,
)
from fastrtc_registry.search_rows import check_compatibility
from fastrtc_registry.suite import judge_package
from fastrtc_registry.validation.distribution import DeclaredPlugin, PackageInfo

ROOT = Path(__file__).resolve().parent.parent
FORK = "fastrtc-compact==0.0.1"
WHEELS = Path(os.environ.get("FASTRTC_TEST_FORK_WHEELS") or ROOT / "build" / "fork-host")

# Runs first at every start-up of the fork's environment (and of the throwaway
# environments validate layers on it): fastrtc's site directories become mirrors
# without fastrtc; FORK_TEST_HIDE names more modules to hide from imports.
_SITECUSTOMIZE = """\
import importlib.machinery as _machinery
import os as _os
import sys as _sys

_SWAP = %r
_sys.path[:] = [_SWAP.get(p, p) for p in _sys.path]
_HIDDEN = frozenset(filter(None, _os.environ.get("FORK_TEST_HIDE", "").split(",")))


class _HidingPathFinder(_machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in _HIDDEN:
            return None
        return _machinery.PathFinder.find_spec(name, path, target)


if _HIDDEN:
    _sys.meta_path[:] = [
        _HidingPathFinder if f is _machinery.PathFinder else f for f in _sys.meta_path
    ]
"""


def _fork_wheel() -> Path:
    found = sorted(WHEELS.glob("fastrtc_compact-0.0.1-*.whl"))
    if found:
        return found[0]
    why = (
        f"the {FORK} wheel is not in {WHEELS}; run "
        f"'pip download --no-deps {FORK} -d {WHEELS}' (as .ci/run does)"
    )
    if in_ci():
        pytest.fail(f"CI=true but {why}")
    pytest.skip(why)


def _is_upstream(entry: str) -> bool:
    return entry == "fastrtc" or (entry.startswith("fastrtc-") and entry.endswith(".dist-info"))


def _mirror_without_fastrtc(site: Path, mirror: Path) -> None:
    mirror.mkdir(parents=True)
    for entry in site.iterdir():
        if not _is_upstream(entry.name):
            (mirror / entry.name).symlink_to(entry)


def make_fork_env(tmp: Path, wheels: list[Path]) -> PluginEnv:
    """A venv with fastrtc-compact and ``wheels`` installed, and no fastrtc distribution."""
    env = make_env(tmp / "venv", [_fork_wheel(), *wheels])
    swap = {}
    for number, entry in enumerate(env.path):
        site = Path(entry)
        if site != env.site_packages and site.is_dir() and any(map(_is_upstream, os.listdir(site))):
            mirror = tmp / f"mirror{number}"
            _mirror_without_fastrtc(site, mirror)
            swap[entry] = str(mirror)
    (env.site_packages / "sitecustomize.py").write_text(_SITECUSTOMIZE % (swap,))
    return env


@pytest.fixture(scope="module")
def fork_env(tmp_path_factory: pytest.TempPathFactory) -> PluginEnv:
    """The fork's venv with the energy VAD fixture installed."""
    tmp = tmp_path_factory.mktemp("fork")
    _fork_wheel()
    return make_fork_env(tmp, [build_wheel(PLUGINS / "energy_vad", tmp / "wheels")])


def _run(
    venv: PluginEnv, *args: str, hide: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # From the repository root, so this checkout's fastrtc_registry is the one imported.
    return subprocess.run(
        [str(venv.python), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "FORK_TEST_HIDE": hide, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
    )


def test_the_fork_is_the_host_and_fastrtc_is_not_installed(fork_env: PluginEnv) -> None:
    done = _run(
        fork_env,
        "-c",
        "import json, fastrtc, importlib.metadata as m\n"
        "from fastrtc_registry.packages import fastrtc_host\n"
        "try:\n    m.version('fastrtc'); upstream = True\n"
        "except m.PackageNotFoundError:\n    upstream = False\n"
        "host = fastrtc_host()\n"
        "print(json.dumps([fastrtc.__file__, upstream, m.packages_distributions()['fastrtc'],"
        " host.name, host.version]))",
    )
    assert done.returncode == 0, done.stderr
    where, upstream, providers, name, version = json.loads(done.stdout)
    assert where.startswith(str(fork_env.site_packages))
    assert upstream is False and providers == ["fastrtc-compact"]
    assert (name, version) == ("fastrtc-compact", "0.0.1")


def test_list_and_load_by_name_on_the_fork(fork_env: PluginEnv) -> None:
    listed = _run(fork_env, "-m", "fastrtc_registry", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    names = {(p["kind"], p["name"]) for p in json.loads(listed.stdout)}
    assert {("vad", "energy"), ("vad", "silero"), ("turn-taking", "pause")} <= names
    loaded = _run(
        fork_env,
        "-c",
        "import fastrtc\n"
        "from fastrtc_registry import reply_on_pause\n"
        "h = reply_on_pause(lambda audio: audio, vad='energy')\n"
        "print(isinstance(h, fastrtc.ReplyOnPause), type(h.model).__module__)",
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["True", "fastrtc_energy_vad"]


def test_validate_a_good_plugin_on_the_fork(fork_env: PluginEnv) -> None:
    done = _run(
        fork_env,
        "-m",
        "fastrtc_registry",
        "validate",
        str(PLUGINS / "energy_vad"),
        "--json",
        "--timeout",
        "300",
    )
    assert "could not be installed" not in done.stderr
    report = json.loads(done.stdout)
    checks = {c["id"]: c for c in report["plugins"][0]["checks"]}
    assert checks["PKG003"]["status"] == "passed"
    assert "fastrtc-compact 0.0.1" in checks["PKG003"]["message"]
    assert any("provided by the fork fastrtc-compact 0.0.1" in n for n in report["notes"])
    assert not any(n.startswith("installed its dependencies") for n in report["notes"])
    broken = {i: c["message"] for i, c in checks.items() if c["status"] in ("failed", "error")}
    assert broken == {} and done.returncode == 0, (broken, done.stderr)


def test_the_install_plan_never_pins_fastrtc_over_the_fork(fork_env: PluginEnv) -> None:
    done = _run(
        fork_env,
        "-c",
        "import json\n"
        "from fastrtc_registry.installer import plan_install\n"
        "plan = plan_install('walkie-talkie', offline=True)\n"
        "print(json.dumps([plan.commands, plan.host, plan.fastrtc, plan.warnings]))",
    )
    assert done.returncode == 0, done.stderr
    commands, host, fastrtc, warnings = json.loads(done.stdout)
    words = [word for command in commands for word in command]
    assert not any(w.startswith("fastrtc==") for w in words)
    assert "--no-deps" in words and "fastrtc-walkie-talkie" in words
    assert (host, fastrtc) == ("fastrtc-compact 0.0.1", None)
    assert any("provided here by the fork fastrtc-compact" in w for w in warnings)
    shown = _run(
        fork_env, "-m", "fastrtc_registry", "install", "walkie-talkie", "--dry-run", "--offline"
    )
    assert shown.returncode == 0, shown.stderr
    assert "fastrtc==" not in shown.stdout
    assert "fastrtc-compact 0.0.1 provides fastrtc here" in shown.stdout


def test_install_from_an_index_keeps_the_fork(
    tmp_path: Path,
    pypi_url: str,  # noqa: F811
) -> None:
    """The plugin goes in without its dependencies, then they do, the fork left alone;
    fastrtc is never installed (it is not on the index: pip would fail if it tried)."""
    env = make_fork_env(tmp_path, [])
    index = {"FASTRTC_PLUGINS_OFFLINE": "", "FASTRTC_PLUGINS_INDEX_URL": pypi_url}
    planned = _run(env, "-m", "fastrtc_registry", "install", "energy", "--dry-run", env=index)
    assert planned.returncode == 0, planned.stderr
    out = " ".join(planned.stdout.split())
    assert "fastrtc==" not in out
    assert "pip install fastrtc-energy-vad==1.0.0 --no-deps --index-url" in out
    assert "&& " in out and "pip install numpy --index-url" in out
    done = _run(env, "-m", "fastrtc_registry", "install", "energy", "--yes", env=index)
    assert done.returncode == 0, done.stderr
    assert "vad:energy now load by name" in " ".join(done.stdout.split())
    host = _run(
        env,
        "-c",
        "import importlib.metadata as m\n"
        "print(m.packages_distributions()['fastrtc'], m.version('fastrtc-energy-vad'))",
    )
    assert host.stdout.split() == ["['fastrtc-compact']", "1.0.0"], host.stderr


def test_the_silero_hint_names_the_forks_extra(fork_env: PluginEnv) -> None:
    done = _run(
        fork_env,
        "-c",
        "from fastrtc_registry import load_vad\n"
        "try:\n    load_vad('silero')\n"
        "except Exception as exc:\n    print(exc)",
        hide="onnxruntime",
    )
    assert done.returncode == 0, done.stderr
    assert 'pip install "fastrtc-compact[vad]"' in done.stdout
    assert "fastrtc[vad]" not in done.stdout


# The judgements themselves, on the fork's real metadata.


@pytest.fixture(scope="module")
def fork() -> PackageMetadata:
    """fastrtc-compact 0.0.1's metadata, read from its wheel."""
    return read_wheel(_fork_wheel())


def test_the_forks_metadata(fork: PackageMetadata) -> None:
    assert is_fork(fork)
    assert {"vad", "stt"} <= set(fork.provides_extra)
    # Validation records and bench results name the fork, not "not installed".
    assert host_label(fork) == "fastrtc-compact 0.0.1"


@pytest.mark.parametrize(
    ("requirement", "provided", "note"),
    [
        ("fastrtc", True, "provided by the fork fastrtc-compact 0.0.1"),
        ("fastrtc<1", True, "provided by the fork"),
        ("fastrtc>=0.0.30", True, "its own version numbers"),
        ("fastrtc-compact>=0.0.1", True, ""),
        ("fastrtc-compact>=0.0.2", False, ""),
    ],
    ids=["bare", "fits", "own-numbering", "the-fork-fits", "the-fork-too-old"],
)
def test_host_provides(fork: PackageMetadata, requirement: str, provided: bool, note: str) -> None:
    from packaging.requirements import Requirement

    ok, said = host_provides(fork, Requirement(requirement))
    assert ok is provided
    assert note in said and bool(said) == bool(note)


def test_hints_never_name_fastrtc_on_a_fork(fork: PackageMetadata) -> None:
    from dataclasses import replace

    assert host_extra_command(fork, "vad", ("onnxruntime",)) == 'pip install "fastrtc-compact[vad]"'
    bare = replace(fork, provides_extra=())
    assert host_extra_command(bare, "vad", ("onnxruntime",)) == "pip install onnxruntime"
    assert host_extra_command(None, "vad", ("onnxruntime",)) == 'pip install "fastrtc[vad]"'


def test_compatibility_and_pkg003_on_a_fork(fork: PackageMetadata) -> None:
    verdict, reasons = check_compatibility(None, ("fastrtc>=0.0.30",), python="3.11.7", host=fork)
    assert verdict is True and "own version numbers" in reasons[0]
    verdict, reasons = check_compatibility(None, ("fastrtc-compact>=1",), host=fork)
    assert verdict is False and "fastrtc-compact 0.0.1 provides fastrtc here" in reasons[0]
    package = PackageInfo(PackageMetadata("fastrtc-x", "1", requires_dist=("fastrtc-compact",)))
    plugin = DeclaredPlugin("x", "vad", "x:X", "fastrtc.vad")
    results = {r.id: r for r in judge_package(package, plugin, host=fork)}
    assert results["PKG003"].status == "passed"
    assert {r.id: r for r in judge_package(package, plugin)}["PKG003"].status == "failed"


def test_the_plugins_requirements_beside_the_fork(fork: PackageMetadata) -> None:
    wanted = _requirements_beside(
        (
            "fastrtc[vad]>=0.0.30",
            "numpy",
            "torch; extra == 'gpu'",
            "pywin32; sys_platform == 'never'",
        ),
        fork,
        None,
    )
    assert wanted == ["onnxruntime>=1.20.1", "numpy"]
    assert "torch" in _requirements_beside(("torch; extra == 'gpu'",), fork, "gpu")
