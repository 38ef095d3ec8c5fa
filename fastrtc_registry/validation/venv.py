"""Throwaway virtual environments for ``validate``: made, filled, and inspected.

Two kinds. The overlay venv (:func:`make_overlay_venv`) runs on this
interpreter and sees its packages, so fastrtc and fastrtc-registry are there
at no cost; the plugin's wheel goes in on top. A venv on another Python
(:func:`make_python_venv`, for ``validate --python X.Y``) cannot share them
(compiled packages differ by version), so the host distribution of fastrtc and
fastrtc-registry are installed in full, through pip with the index the user
configured. uv is used when present, else this interpreter's pip.

:func:`find_python` finds the interpreter of a version on ``PATH``
(``pythonX.Y``) or under pyenv.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import sysconfig
import venv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PackageMetadataError, PythonNotFoundError, ValidationTargetError
from ..index.config import isolated_pip_environment
from ..names import CanonicalName, canonicalize
from ..packages import (
    PackageMetadata,
    applies_here,
    host_extra_requirements,
    host_provides,
    is_fork,
    parsed_requirements,
)
from ._subprocess import Deadline, run, supervised

if TYPE_CHECKING:
    from importlib.metadata import Distribution

    from packaging.requirements import Requirement

    from .distribution import PackageInfo

__all__ = [
    "PYTHON_VERSION",
    "find_python",
    "index_settings",
    "install",
    "make_overlay_venv",
    "make_python_venv",
    "offline",
    "pip_install_command",
    "python_version",
    "unmet_requirements",
    "unpack_wheel",
    "venv_path",
    "venv_site",
]

PYTHON_VERSION = re.compile(r"3\.\d{1,2}")
"""What ``--python`` takes: a minor version of Python 3, ``X.Y``."""

_VERSION_CODE = "import platform; print(platform.python_version())"


def python_version(python: str | Path) -> str:
    """The full version (``3.12.1``) of the interpreter ``python``."""
    return run([str(python), "-c", _VERSION_CODE], "asking the interpreter its version", timeout=30)


def find_python(version: str) -> Path:
    """An interpreter of Python ``version`` (``X.Y``) that really runs: PATH, then pyenv.

    On ``PATH`` it is ``pythonX.Y``; under pyenv, ``versions/X.Y*/bin/python``
    below ``$PYENV_ROOT``, ``~/.pyenv`` or what ``pyenv root`` says (newest
    patch release first). Each candidate is asked its version: a pyenv shim
    for a version that is not installed does not count.
    """
    if not PYTHON_VERSION.fullmatch(version):
        raise ValidationTargetError(f"{version!r} is not a Python version X.Y, e.g. 3.12")
    looked = [f"python{version} on PATH"]
    candidates = [shutil.which(f"python{version}")]
    roots = _pyenv_roots()
    if not roots:
        looked.append("pyenv's versions/ (no pyenv root: $PYENV_ROOT, ~/.pyenv, 'pyenv root')")
    for root in roots:
        looked.append(f"{root}/versions/{version}.*/bin/python")
        found = [
            *root.glob(f"versions/{version}/bin/python"),
            *root.glob(f"versions/{version}.*/bin/python"),
        ]
        candidates += [str(p) for p in sorted(found, key=_patch, reverse=True)]
    for candidate in dict.fromkeys(c for c in candidates if c):
        if os.access(candidate, os.X_OK) and _minor_of(candidate) == version:
            return Path(candidate)
    raise PythonNotFoundError(
        f"no Python {version} interpreter found (looked for {'; '.join(looked)}); install it, "
        f"e.g. 'pyenv install {version}' or your system's python{version} package, or put "
        f"python{version} on PATH",
        version=version,
    )


def _pyenv_roots() -> list[Path]:
    roots = [os.environ.get("PYENV_ROOT"), str(Path("~/.pyenv").expanduser())]
    pyenv = shutil.which("pyenv")
    if pyenv:
        with contextlib.suppress(ValidationTargetError):  # a broken pyenv: others still count
            roots.append(run([pyenv, "root"], "asking pyenv its root", timeout=10).strip())
    return [Path(r) for r in dict.fromkeys(r for r in roots if r) if Path(r).is_dir()]


def _patch(python: Path) -> tuple[int, ...]:
    name = python.parents[1].name  # versions/3.12.1/bin/python
    return tuple(int(p) for p in re.findall(r"\d+", name))


def _minor_of(python: str) -> str | None:
    try:
        full = python_version(python).strip()
    except ValidationTargetError:  # not an interpreter that runs: not a candidate
        return None
    return ".".join(full.split(".")[:2])


def make_overlay_venv(root: Path) -> Path:
    """A venv at ``root`` that sees this interpreter's packages; return its python."""
    uv = shutil.which("uv")
    if uv:
        run(
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
    python = _venv_python(root)
    site_dir = venv_site(python)
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


def make_python_venv(
    root: Path,
    interpreter: Path,
    registry: Sequence[str],
    *,
    host: PackageMetadata | None,
    index_url: str | None,
    deadline: Deadline,
) -> Path:
    """A venv at ``root`` on ``interpreter`` with fastrtc's host and fastrtc-registry; its python.

    ``host`` is this environment's distribution of ``fastrtc`` (fastrtc or a
    fork): the same release goes in. ``registry`` names fastrtc-registry for
    pip: a wheel built from this checkout, or ``fastrtc-registry==VERSION``.
    Over a fork, fastrtc-registry goes in without its dependencies and its
    other requirements are named, so fastrtc never goes in over the fork.
    """
    uv = shutil.which("uv")
    if uv:
        command = [uv, "venv", "--quiet", "--python", str(interpreter), str(root)]
    else:
        command = [str(interpreter), "-m", "venv", "--without-pip", str(root)]
    run(
        command,
        f"creating a virtual environment on {interpreter}",
        timeout=deadline.left("creating a virtual environment"),
    )
    python = _venv_python(root)
    pinned = [f"{host.name}=={host.version}"] if host is not None else []
    if host is None or not is_fork(host):
        install(python, [*pinned, *registry], index_url=index_url, deadline=deadline)
        return python
    install(python, [*pinned, *_registry_requirements()], index_url=index_url, deadline=deadline)
    install(python, [*registry, "--no-deps"], index_url=None, deadline=deadline)
    return python


def _registry_requirements() -> list[str]:
    """fastrtc-registry's own requirements but fastrtc (markers left for pip to judge)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    wanted = []
    for line in metadata.requires("fastrtc-registry") or ():
        requirement = Requirement(line)
        if canonicalize(requirement.name) == "fastrtc" or "extra" in str(requirement.marker):
            continue
        wanted.append(line)
    return wanted


def _venv_python(root: Path) -> Path:
    return root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_site(python: Path) -> Path:
    """The site-packages directory of the venv whose interpreter is ``python``."""
    return Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            "inspecting the virtual environment",
        ).strip()
    )


def unpack_wheel(wheel: Path, site: Path) -> bool:
    """Install a wheel without dependencies into the site-packages ``site`` by unpacking it.

    A throwaway environment needs only the files and the ``.dist-info``; this
    skips an installer's start (about a second). Wheels with a ``.data``
    directory, or with a path that would leave site-packages, return False
    and go through the installer.
    """
    import zipfile

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


def install(
    python: Path, args: Sequence[str], *, index_url: str | None, deadline: Deadline
) -> None:
    """``pip install args`` (or uv's) into the venv of ``python``, supervised, by ``deadline``."""
    uv = shutil.which("uv")
    command = (
        [uv, "pip", "install", "--quiet", "--python", str(python)]
        if uv
        else pip_install_command(python)
    )
    env, extra = index_settings(index_url)
    if uv and offline():
        extra.append("--offline")
    elif offline():
        extra.append("--no-index")
    supervised(
        [*command, *extra, *args], "installing", env=env, timeout=deadline.left("installing")
    )


def index_settings(index_url: str | None) -> tuple[dict[str, str], list[str]]:
    """The environment and options that point pip (and uv) at ``index_url``, if one was chosen."""
    location = _index_location(index_url)
    if location is None:
        return dict(os.environ), []
    # An index chosen for this tool replaces pip's own configuration entirely.
    return isolated_pip_environment(), ["--index-url", location]


def _index_location(index_url: str | None) -> str | None:
    from ..errors import IndexAccessError
    from ..index.config import resolve_index_url

    try:
        location = resolve_index_url(index_url)
    except IndexAccessError:
        return None
    return location.url if location.explicit else None


def offline() -> bool:
    """Whether the index is off limits (FASTRTC_PLUGINS_OFFLINE)."""
    from ..index.config import is_offline

    return is_offline()


def venv_path(python: Path) -> list[str]:
    """``sys.path`` of the interpreter ``python``, for reading what is installed there."""
    path = json.loads(
        run(
            [str(python), "-c", "import json, sys; print(json.dumps(sys.path))"],
            "inspecting the virtual environment",
        )
    )
    return [p for p in path if p]


def unmet_requirements(
    path: list[str], package: PackageInfo, host: PackageMetadata | None
) -> tuple[list[str], list[str]]:
    """The requirements not met on ``path``, and notes on how the host met fastrtc's."""
    from ..discovery import installed_distributions

    dists = installed_distributions(path)
    hosted = {"fastrtc", canonicalize(host.name)} if host is not None else set()
    missing, notes = [], []
    for requirement in parsed_requirements(package.requires_dist):
        try:
            if not applies_here(requirement):
                continue
        except PackageMetadataError:
            continue  # PKG003 reports a marker that cannot be evaluated
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
