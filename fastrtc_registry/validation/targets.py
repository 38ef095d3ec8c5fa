"""Resolve a ``validate`` TARGET into plugins to check and the interpreter that has them.

TARGET is one of: an installed plugin name (or ``package:name``, or an
installed package name), a project directory (built into a wheel first: the
pre-publish path), a wheel file, or ``pypi:NAME[==VERSION]``. Anything that
is not already installed goes into a throwaway virtual environment, never the
user's (:mod:`.venv` makes it): the venv sees this interpreter's packages (so
fastrtc is there), the wheel goes in with ``--no-deps``, and only when its
requirements are not all met does a full install run.

With ``python`` (``validate --python X.Y``) of another version than this
interpreter's, the venv is made on that interpreter and gets full installs of
fastrtc's host distribution and of fastrtc-registry (a wheel built from this
checkout, else the same release from the index) before the plugin's wheel.

The host is the distribution providing the ``fastrtc`` import package there
(:func:`~fastrtc_registry.packages.fastrtc_host`): a plugin's ``fastrtc``
requirement is met by a fork such as fastrtc-compact, and with a fork host only
the missing requirements themselves are installed, so fastrtc never goes in
over the fork.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import PluginNotFoundError, ValidationTargetError
from ..names import GROUPS, KINDS, canonicalize
from ..packages import (
    PackageMetadata,
    fastrtc_host,
    is_fork,
)
from ._subprocess import NO_DEADLINE, Deadline, last_line, supervised
from .distribution import (
    DeclaredPlugin,
    PackageInfo,
    package_from_distribution,
    package_from_wheel,
)
from .venv import (
    find_python,
    index_settings,
    install,
    make_overlay_venv,
    make_python_venv,
    offline,
    python_version,
    unmet_requirements,
    unpack_wheel,
    venv_path,
    venv_site,
)

__all__ = [
    "ResolvedTarget",
    "build_project_wheel",
    "resolve_target",
]

PYPI_PREFIX = "pypi:"
FULL_INSTALL_TIMEOUT = 900.0
"""The least time the installs on another Python (``--python``) get: a full install of fastrtc."""
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
    python_version: str = platform.python_version()
    """The full version of the interpreter the plugins run on (``3.12.1``)."""


@contextmanager
def resolve_target(
    target: str,
    *,
    index_url: str | None = None,
    on_progress: _Progress | None = None,
    timeout: float = NO_DEADLINE,
    python: str | None = None,
) -> Iterator[ResolvedTarget]:
    """Resolve ``target`` within ``timeout``; temporary environments are removed on exit.

    ``python`` (``X.Y``) names the Python to check the plugins on (default:
    this interpreter's); PythonNotFoundError when no such interpreter is found.
    """
    say = on_progress or (lambda _name, _what: None)
    deadline = Deadline(timeout)
    interpreter = _other_python(python)
    if interpreter is not None and _is_installed_name(target):
        raise ValidationTargetError(
            f"--python {python} checks a plugin in a fresh environment: pass its project "
            f"directory, a wheel file or pypi:NAME, not the installed name {target!r}"
        )
    if target.startswith(PYPI_PREFIX):
        with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
            wheel = _download(
                target[len(PYPI_PREFIX) :], Path(tmp) / "dist", index_url, say, deadline
            )
            yield _in_throwaway_env(target, wheel, Path(tmp), index_url, say, deadline, interpreter)
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
            yield _in_throwaway_env(target, wheel, Path(tmp), index_url, say, deadline, interpreter)
        return
    if path.suffix == ".whl" or path.is_file():
        if not path.is_file():
            raise ValidationTargetError(f"no such wheel file: {target}")
        if path.suffix != ".whl":
            raise ValidationTargetError(f"{target} is not a wheel (.whl) file")
        with tempfile.TemporaryDirectory(prefix="fastrtc-validate-") as tmp:
            yield _in_throwaway_env(target, path, Path(tmp), index_url, say, deadline, interpreter)
        return
    if os.sep in target or target.startswith("."):
        raise ValidationTargetError(f"no such file or directory: {target}")
    yield _installed(target)


def _other_python(version: str | None) -> Path | None:
    """The interpreter of ``version`` when it is not this one's; None for this one."""
    from importlib import metadata

    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if version is None or version == "{}.{}".format(*sys.version_info[:2]):
        return None
    try:
        claimed = SpecifierSet(metadata.metadata("fastrtc-registry")["Requires-Python"] or "")
    except (metadata.PackageNotFoundError, InvalidSpecifier):
        claimed = SpecifierSet()
    if f"{version}.0" not in claimed:
        raise ValidationTargetError(
            f"fastrtc-registry runs on Python {claimed}, so it cannot check a plugin on "
            f"{version}; pick a --python in that range"
        )
    return find_python(version)


def _is_installed_name(target: str) -> bool:
    # Mirrors resolve_target's reading: what is not pypi:, a directory or a file is a name.
    path = Path(target).expanduser()
    return not (
        target.startswith(PYPI_PREFIX)
        or path.exists()
        or path.suffix == ".whl"
        or os.sep in target
        or target.startswith(".")
    )


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


def build_project_wheel(project: Path, outdir: Path, *, timeout: float = NO_DEADLINE) -> Path:
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
    deadline = Deadline(timeout)
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
        error = last_line(done.output)
    raise ValidationTargetError(f"building {project} into a wheel failed: {error}")


def _in_throwaway_env(
    label: str,
    wheel: Path,
    tmp: Path,
    index_url: str | None,
    say: _Progress,
    deadline: Deadline | None = None,
    interpreter: Path | None = None,
) -> ResolvedTarget:
    try:
        package = package_from_wheel(wheel)
    except ValueError as exc:
        raise ValidationTargetError(str(exc)) from exc
    deadline = deadline or Deadline(NO_DEADLINE)
    notes = [f"checked {wheel.name} in a throwaway environment"]
    version = platform.python_version()
    if interpreter is None:
        say(package.name, "creating a throwaway environment")
        python = make_overlay_venv(tmp / "venv")
    else:
        version = python_version(interpreter).strip()
        say(package.name, f"installing fastrtc and fastrtc-registry on Python {version}")
        # fastrtc brings Gradio: minutes of downloads that the checks' --timeout cannot foresee.
        deadline = Deadline(max(deadline.left("installing"), FULL_INSTALL_TIMEOUT))
        python = make_python_venv(
            tmp / "venv",
            interpreter,
            _registry_requirement(tmp / "registry", deadline),
            host=fastrtc_host(),
            index_url=index_url,
            deadline=deadline,
        )
        notes.append(f"on Python {version} ({interpreter}), with fastrtc installed there")
    if not unpack_wheel(wheel, venv_site(python)):
        install(python, [str(wheel), "--no-deps"], index_url=None, deadline=deadline)
    path = venv_path(python)
    host = fastrtc_host(path)
    missing, host_notes = unmet_requirements(path, package, host)
    notes += host_notes
    if missing:
        say(package.name, f"installing its dependencies ({', '.join(missing)})")
        # Over a fork, the wheel's own resolution would pull fastrtc in: name the rest only.
        wanted = missing if host is not None and is_fork(host) else [str(wheel)]
        try:
            install(python, wanted, index_url=index_url, deadline=deadline)
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
        version,
    )


def _registry_requirement(outdir: Path, deadline: Deadline) -> list[str]:
    """fastrtc-registry for pip: a wheel of this checkout, else this release by name."""
    from importlib import metadata

    source = Path(__file__).resolve().parents[2]  # the checkout holding fastrtc_registry/
    if _project_name(source / "pyproject.toml") == "fastrtc-registry":
        return [str(build_project_wheel(source, outdir, timeout=deadline.left("building")))]
    return [f"fastrtc-registry=={metadata.version('fastrtc-registry')}"]


def _project_name(pyproject: Path) -> str | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # a dependency on 3.10 (pyproject.toml)
        import tomli as tomllib
    try:
        name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        return None
    return canonicalize(name) if isinstance(name, str) else None


def _download(
    spec: str, outdir: Path, index_url: str | None, say: _Progress, deadline: Deadline
) -> Path:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(spec)
    except InvalidRequirement as exc:
        raise ValidationTargetError(f"pypi:{spec} is not NAME or NAME==VERSION ({exc})") from exc
    if offline():
        raise ValidationTargetError(
            f"pypi:{spec} needs the package index, but FASTRTC_PLUGINS_OFFLINE is set; unset it, "
            "or validate a wheel file you already have"
        )
    say(requirement.name, "downloading from the index")
    env, extra = index_settings(index_url)
    outdir.mkdir(parents=True, exist_ok=True)
    supervised(
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
