"""Resolve a ``validate`` TARGET into plugins to check and the interpreter that has them.

TARGET is one of: an installed plugin name (or ``package:name``, or an
installed package name), a project directory (built into a wheel first: the
pre-publish path), a wheel file, or ``pypi:NAME[==VERSION]``. Anything that
is not already installed goes into a throwaway virtual environment, never the
user's: the venv sees this interpreter's packages (so fastrtc is there), the
wheel goes in with ``--no-deps``, and only when its requirements are not all
met does a full install run. uv is used when present, else venv + pip.

The host is the distribution providing the ``fastrtc`` import package there
(:func:`~fastrtc_registry.packages.fastrtc_host`): a plugin's ``fastrtc``
requirement is met by a fork such as fastrtc-compact, and with a fork host only
the missing requirements themselves are installed, so fastrtc never goes in
over the fork.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PluginNotFoundError, ValidationTargetError
from ..names import GROUPS, KINDS, CanonicalName, canonicalize
from ..packages import (
    PackageMetadata,
    fastrtc_host,
    host_extra_requirements,
    host_provides,
    is_fork,
)
from .distribution import (
    DeclaredPlugin,
    PackageInfo,
    package_from_distribution,
    package_from_wheel,
)

if TYPE_CHECKING:
    from importlib.metadata import Distribution

    from packaging.requirements import Requirement

__all__ = [
    "ResolvedTarget",
    "build_project_wheel",
    "make_overlay_venv",
    "pip_install_command",
    "resolve_target",
]

PYPI_PREFIX = "pypi:"
_Progress = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class ResolvedTarget:
    """The plugins of a target, each with its package, and where they are installed."""

    label: str
    plugins: tuple[tuple[PackageInfo | None, DeclaredPlugin], ...]
    python: str | None = None  # None: this interpreter
    notes: tuple[str, ...] = ()
    host: PackageMetadata | None = None
    """The distribution providing ``fastrtc`` where the plugins are (fastrtc or a fork)."""


class _Deadline:
    """The seconds left of one ``--timeout`` shared by the build and install steps."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self, what: str) -> float:
        remaining = self._end - time.monotonic()
        if remaining <= 0:
            raise ValidationTargetError(f"{what} timed out after {self.seconds:g} s (--timeout)")
        return remaining


_NO_DEADLINE = 3600.0


@contextmanager
def resolve_target(
    target: str,
    *,
    index_url: str | None = None,
    on_progress: _Progress | None = None,
    timeout: float = _NO_DEADLINE,
) -> Iterator[ResolvedTarget]:
    """Resolve ``target`` within ``timeout``; temporary environments are removed on exit."""
    say = on_progress or (lambda _name, _what: None)
    deadline = _Deadline(timeout)
    if target.startswith(PYPI_PREFIX):
        with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
            wheel = _download(
                target[len(PYPI_PREFIX) :], Path(tmp) / "dist", index_url, say, deadline
            )
            yield _in_throwaway_env(target, wheel, Path(tmp), index_url, say, deadline)
        return
    path = Path(target).expanduser()
    if path.is_dir():
        if not (path / "pyproject.toml").is_file() and not (path / "setup.py").is_file():
            raise ValidationTargetError(
                f"{target} is a directory without pyproject.toml; pass a plugin project "
                "directory, a wheel file, an installed plugin name or pypi:NAME"
            )
        with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
            say(target, "building the wheel")
            wheel = build_project_wheel(path, Path(tmp) / "dist", timeout=deadline.left("building"))
            yield _in_throwaway_env(target, wheel, Path(tmp), index_url, say, deadline)
        return
    if path.suffix == ".whl" or path.is_file():
        if not path.is_file():
            raise ValidationTargetError(f"no such wheel file: {target}")
        if path.suffix != ".whl":
            raise ValidationTargetError(f"{target} is not a wheel (.whl) file")
        with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
            yield _in_throwaway_env(target, path, Path(tmp), index_url, say, deadline)
        return
    if os.sep in target or target.startswith("."):
        raise ValidationTargetError(f"no such file or directory: {target}")
    yield _installed(target)


def _installed(target: str) -> ResolvedTarget:
    from ..discovery import installed_distributions
    from ..loading import find_plugin

    found = []
    for kind in KINDS:
        try:
            found.append(find_plugin(target, kind))
        except PluginNotFoundError:
            continue
    dists = installed_distributions()
    if found:
        plugins = []
        for record in found:
            package = package_from_distribution(dists[canonicalize(record.package)])
            plugins.append(
                (
                    package,
                    DeclaredPlugin(
                        record.name, record.kind, record.object, GROUPS[record.kind], record.source
                    ),
                )
            )
        return ResolvedTarget(target, tuple(plugins), host=fastrtc_host())
    dist = dists.get(canonicalize(target.partition(":")[2] or target))
    if dist is None:
        raise PluginNotFoundError(
            f"no installed plugin or package named {target!r}; run 'fastrtc-plugins list' to see "
            "what is installed, or pass a project directory, a wheel file or pypi:NAME",
            name=target,
        )
    package = package_from_distribution(dist)
    return ResolvedTarget(
        target, tuple((package, p) for p in package.plugins()), host=fastrtc_host()
    )


def build_project_wheel(project: Path, outdir: Path, *, timeout: float = _NO_DEADLINE) -> Path:
    """Build ``project`` into a wheel with its own build backend (offline when possible).

    The backend runs supervised: after ``timeout`` seconds it is killed with
    every process it started.
    """
    import importlib.util

    from .process import run_command

    # Absolute: pip reads a bare relative path ("my-vad") as a project name to download.
    project = project.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    if importlib.util.find_spec("build") is not None:
        base = [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(project)]
        attempts = [[*base[:4], "--no-isolation", *base[4:]], base]
    else:
        base = [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(outdir),
            str(project),
        ]
        attempts = [[*base, "--no-build-isolation"], base]
    deadline = _Deadline(timeout)
    error = ""
    for command in attempts:  # the installed backend first: fast and offline
        done = run_command(command, timeout=deadline.left(f"building {project}"))
        if done.returncode is None:
            raise ValidationTargetError(
                f"building {project} into a wheel timed out after {timeout:.0f} s (--timeout); "
                "its build backend did not return"
            )
        wheels = sorted(outdir.glob("*.whl"))
        if done.returncode == 0 and wheels:
            return wheels[-1]
        error = _last_line(done.output)
    raise ValidationTargetError(f"building {project} into a wheel failed: {error}")


def _in_throwaway_env(
    label: str,
    wheel: Path,
    tmp: Path,
    index_url: str | None,
    say: _Progress,
    deadline: _Deadline | None = None,
) -> ResolvedTarget:
    try:
        package = package_from_wheel(wheel)
    except ValueError as exc:
        raise ValidationTargetError(str(exc)) from exc
    say(package.name, "creating a throwaway environment")
    deadline = deadline or _Deadline(_NO_DEADLINE)
    python = make_overlay_venv(tmp / "venv")
    notes = [f"checked {wheel.name} in a throwaway environment"]
    if not _unpack_wheel(wheel, tmp / "venv"):
        _install(python, [str(wheel), "--no-deps"], index_url=None, deadline=deadline)
    path = _venv_path(python)
    host = fastrtc_host(path)
    missing, host_notes = _unmet_requirements(path, package, host)
    notes += host_notes
    if missing:
        say(package.name, f"installing its dependencies ({', '.join(missing)})")
        # Over a fork, the wheel's own resolution would pull fastrtc in: name the rest only.
        wanted = missing if host is not None and is_fork(host) else [str(wheel)]
        try:
            _install(python, wanted, index_url=index_url, deadline=deadline)
        except ValidationTargetError as exc:
            raise ValidationTargetError(
                f"{package.name} needs {', '.join(missing)}, which could not be installed: "
                f"{exc}. Install them here first, or check the index settings"
            ) from exc
        notes.append(f"installed its dependencies: {', '.join(missing)}")
    return ResolvedTarget(
        label,
        tuple((package, p) for p in package.plugins()),
        str(python),
        tuple(notes),
        fastrtc_host(path) if missing else host,
    )


def _unpack_wheel(wheel: Path, root: Path) -> bool:
    """Install a wheel without dependencies into the venv at ``root`` by unpacking it.

    A throwaway environment needs only the files and the ``.dist-info``; this
    skips an installer's start (about a second). Wheels with a ``.data``
    directory, or with a path that would leave site-packages, return False
    and go through the installer.
    """
    import zipfile

    site = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
    if not site.is_dir():
        return False
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            for name in names:
                parts = Path(name).parts
                if name.startswith("/") or ".." in parts or parts[0].endswith(".data"):
                    return False
            archive.extractall(site)
    except (OSError, zipfile.BadZipFile):
        return False
    info = next((n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")), None)
    if info is not None:
        (site / info / "INSTALLER").write_text("fastrtc-plugins\n", encoding="utf-8")
    return True


def make_overlay_venv(root: Path) -> Path:
    """A venv at ``root`` that sees this interpreter's packages; return its python."""
    uv = shutil.which("uv")
    if uv:
        _run(
            [
                uv,
                "venv",
                "--quiet",
                "--system-site-packages",
                "--python",
                sys.executable,
                str(root),
            ],
            "creating a virtual environment",
        )
    else:
        venv.EnvBuilder(system_site_packages=True, with_pip=False).create(root)
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site_dir = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        "inspecting the virtual environment",
    ).strip()
    # When this interpreter is itself a venv, --system-site-packages reaches only the base
    # installation: chain this environment's site directories so fastrtc is visible.
    ours = [
        p
        for p in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
        if Path(p).is_dir()
    ]
    # One statement per line: site.py runs each "import" line on its own, in a
    # namespace that a comprehension could not see.
    Path(site_dir, "_fastrtc_plugins_parent.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in ours), encoding="utf-8"
    )
    return python


def pip_install_command(python: Path) -> list[str]:
    """This interpreter's pip, quiet, installing into the environment of ``python``."""
    return [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--disable-pip-version-check",
    ]


def _install(
    python: Path, args: Sequence[str], *, index_url: str | None, deadline: _Deadline
) -> None:
    uv = shutil.which("uv")
    command = (
        [uv, "pip", "install", "--quiet", "--python", str(python)]
        if uv
        else pip_install_command(python)
    )
    env, extra = _index_settings(index_url)
    if uv and _offline():
        extra.append("--offline")
    elif _offline():
        extra.append("--no-index")
    _supervised(
        [*command, *extra, *args], "installing", env=env, timeout=deadline.left("installing")
    )


def _index_settings(index_url: str | None) -> tuple[dict[str, str], list[str]]:
    env = dict(os.environ)
    location = _index_location(index_url)
    if location is None:
        return env, []
    # An index chosen for this tool replaces pip's own configuration entirely.
    env["PIP_CONFIG_FILE"] = os.devnull
    for name in (
        "PIP_EXTRA_INDEX_URL",
        "PIP_FIND_LINKS",
        "UV_EXTRA_INDEX_URL",
        "UV_FIND_LINKS",
        "PIP_CONSTRAINT",
        "UV_CONSTRAINT",
    ):
        env.pop(name, None)
    env["UV_NO_CONFIG"] = "1"
    return env, ["--index-url", location]


def _index_location(index_url: str | None) -> str | None:
    from ..errors import IndexAccessError
    from ..index.config import resolve_index_url

    try:
        location = resolve_index_url(index_url)
    except IndexAccessError:
        return None
    return location.url if location.explicit else None


def _offline() -> bool:
    from ..index.config import is_offline

    return is_offline()


def _venv_path(python: Path) -> list[str]:
    path = json.loads(
        _run(
            [str(python), "-c", "import json, sys; print(json.dumps(sys.path))"],
            "inspecting the virtual environment",
        )
    )
    return [p for p in path if p]


def _unmet_requirements(
    path: list[str], package: PackageInfo, host: PackageMetadata | None
) -> tuple[list[str], list[str]]:
    """The requirements not met on ``path``, and notes on how the host met fastrtc's."""
    from packaging.requirements import InvalidRequirement, Requirement

    from ..discovery import installed_distributions

    dists = installed_distributions(path)
    hosted = {"fastrtc", canonicalize(host.name)} if host is not None else set()
    missing, notes = [], []
    for line in package.requires_dist:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        if host is not None and canonicalize(requirement.name) in hosted:
            provided, note = host_provides(host, requirement)
            if provided:
                notes += [note] if note else []
                # fastrtc[vad] on a fork: what the fork's own extra asks for.
                extras = host_extra_requirements(host, requirement.extras) if is_fork(host) else []
                missing += [str(r) for r in extras if not _met(r, dists)]
                continue
        if not _met(requirement, dists):
            missing.append(str(requirement))
    return missing, notes


def _met(requirement: Requirement, dists: Mapping[CanonicalName, Distribution]) -> bool:
    dist = dists.get(canonicalize(requirement.name))
    return dist is not None and requirement.specifier.contains(dist.version, prereleases=True)


def _download(
    spec: str, outdir: Path, index_url: str | None, say: _Progress, deadline: _Deadline
) -> Path:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        raise ValidationTargetError(f"pypi:{spec} is not NAME or NAME==VERSION ({exc})") from exc
    if _offline():
        raise ValidationTargetError(
            f"pypi:{spec} needs the package index, but FASTRTC_PLUGINS_OFFLINE is set; unset it, "
            "or validate a wheel file you already have"
        )
    say(requirement.name, "downloading from the index")
    env, extra = _index_settings(index_url)
    outdir.mkdir(parents=True, exist_ok=True)
    _supervised(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "--disable-pip-version-check",
            "-d",
            str(outdir),
            *extra,
            str(requirement),
        ],
        f"downloading {spec}",
        env=env,
        timeout=deadline.left(f"downloading {spec}"),
    )
    files = sorted(outdir.iterdir())
    wheels = [f for f in files if f.suffix == ".whl"]
    if wheels:
        return wheels[0]
    if files:  # an sdist: build it as the installer would
        return build_project_wheel(
            files[0], outdir / "built", timeout=deadline.left(f"building {spec}")
        )
    raise ValidationTargetError(f"the index gave no file for {spec}")


def _supervised(
    command: Sequence[str], what: str, *, env: dict[str, str] | None, timeout: float
) -> None:
    # Installers run build backends: supervised, killed with their descendants on timeout.
    from .process import run_command

    try:
        done = run_command(command, timeout=timeout, env=env)
    except OSError as exc:
        raise ValidationTargetError(f"{what} failed: {exc}") from exc
    if done.returncode is None:
        raise ValidationTargetError(f"{what} timed out (--timeout); it was stopped")
    if done.returncode != 0:
        raise ValidationTargetError(f"{what} failed: {_last_line(done.output)}")


def _run(
    command: Sequence[str],
    what: str,
    env: dict[str, str] | None = None,
    timeout: float = 900.0,
) -> str:
    try:
        proc = subprocess.run(
            list(command), capture_output=True, text=True, env=env, check=False, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ValidationTargetError(f"{what} failed: {exc}") from exc
    if proc.returncode != 0:
        raise ValidationTargetError(f"{what} failed: {_last_line(proc.stderr or proc.stdout)}")
    return proc.stdout


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith(("error", "×", "x "))]
    return (errors or lines or ["no output"])[-1][:300]
