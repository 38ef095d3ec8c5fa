"""``fastrtc-plugins install``: resolve a plugin, check it fits, install it with fastrtc pinned.

pip is asked to install the plugin's package together with ``fastrtc==X``
(the fastrtc installed now), so installing a plugin never upgrades or
downgrades fastrtc behind the application's back; a plugin that cannot work
with it makes pip fail instead, with its own explanation.

pip gets exactly ``name==version`` (a PEP 508 name the index listed, a PEP 440
version), the index chosen here as ``--index-url``, and its own configuration
switched off (``PIP_CONFIG_FILE`` is the null device, extra indexes and find
links dropped), so nothing a package or a config file says can send pip to
another host.

When fastrtc is provided by a fork (fastrtc-compact ships the ``fastrtc``
package under its own name), pinning ``fastrtc==X`` would install fastrtc over
it. Then the plugin goes in with ``--no-deps`` and a second pip command
installs its other requirements by name, ``fastrtc[extra]`` read as the fork's
own extra: fastrtc is never installed over a fork. The fork is not named in
that command: pip would then re-resolve the fork's own requirements, which
the application installed as it saw fit.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._text import clean_text, mask_secrets, mask_url
from .discovery import PluginRecord, installed_plugins
from .errors import IncompatiblePluginError, IndexAccessError, InstallError, PackageMetadataError
from .index.config import isolated_pip_environment
from .names import canonicalize, requirement, split_qualified
from .packages import (
    PackageMetadata,
    applies_here,
    fastrtc_host,
    host_extra_requirements,
    is_fork,
    is_project_name,
    parsed_requirements,
    safe_version,
)

if TYPE_CHECKING:
    from .catalog import CatalogEntry

__all__ = ["InstallError", "InstallPlan", "install", "plan_install"]


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """What ``install`` would do."""

    name: str
    package: str
    version: str | None
    plugins: tuple[str, ...]
    """``kind:name`` of each plugin the package provides."""
    fastrtc: str | None
    installed_version: str | None
    command: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    extra: str | None = None
    """The package's extra the plugin needs (a built-in back-end's), if any."""
    extra_missing: tuple[str, ...] = ()
    """The extra's requirements that are not installed here."""
    env: dict[str, str] = field(default_factory=dict, repr=False)
    """Environment changes for pip (its own configuration switched off)."""
    unreachable: bool = False
    """The index could not be read and nothing of it is cached: planned from the catalog only."""
    host: str | None = None
    """``name version`` of the fork that provides fastrtc here (None: fastrtc itself)."""
    deps_command: tuple[str, ...] = ()
    """With a fork host: pip installing the plugin's requirements other than fastrtc."""

    @property
    def commands(self) -> tuple[tuple[str, ...], ...]:
        """Every pip command the plan runs, in order."""
        return (self.command, self.deps_command) if self.deps_command else (self.command,)

    @property
    def shown_command(self) -> str:
        """The command as printed: credentials in the index URL masked."""
        return " && ".join(" ".join(mask_url(part) for part in c) for c in self.commands)

    @property
    def up_to_date(self) -> bool:
        """The wanted version (or any, when unknown) is installed already, with its extra."""
        return (
            self.installed_version is not None
            and (self.version is None or self.installed_version == self.version)
            and not self.extra_missing
        )


def _extra_for(name: str, entries: Sequence[CatalogEntry]) -> str | None:
    """The catalog's extra for the plugin asked for by name (none for a bare package)."""
    _, plugin = split_qualified(name)
    return next((e.extra for e in entries if e.name == plugin and e.extra), None)


def _missing_for_extra(package: str, extra: str) -> tuple[str, ...]:
    """The requirements ``package[extra]`` adds that are not installed (all, if it is not)."""
    from importlib.metadata import PackageNotFoundError, requires, version

    try:
        declared = requires(package) or []
    except PackageNotFoundError:
        return (extra,)
    missing = []
    for wanted in parsed_requirements(declared):
        try:
            # Tied to this extra: true with it, false without (not a platform marker only).
            if wanted.marker is None or applies_here(wanted) or not applies_here(wanted, [extra]):
                continue
        except PackageMetadataError:
            continue
        try:
            have = version(wanted.name)
        except PackageNotFoundError:
            missing.append(wanted.name)
            continue
        if not wanted.specifier.contains(have, prereleases=True):
            missing.append(f"{wanted.name}{wanted.specifier}")
    return tuple(missing)


def plan_install(
    name: str,
    *,
    offline: bool | None = None,
    index_url: str | None = None,
    python: str | None = None,
) -> InstallPlan:
    """Resolve ``name`` (plugin, package, or ``package:name``) to a pip command."""
    from .index.config import resolve_index_url
    from .info import package_info

    info = package_info(name, offline=offline, index_url=index_url)
    first = info.plugins[0]
    package = canonicalize(info.package)
    if not is_project_name(info.package):
        raise InstallError(f"{clean_text(info.package, 60)!r} is not a valid project name")
    if first.error is not None:
        raise InstallError(f"{package} could not be checked: {first.error}")
    if first.compatible is False:
        raise IncompatiblePluginError(
            f"{package} cannot be installed here: {'; '.join(first.reasons)}."
        )
    host = fastrtc_host()
    fork = host if host is not None and is_fork(host) else None
    fastrtc = safe_version(host.version) if host is not None and fork is None else None
    version = safe_version(first.version)
    try:
        location = resolve_index_url(index_url)
    except IndexAccessError as exc:
        raise InstallError(f"cannot install {package}: {exc}") from exc
    extra = _extra_for(name, info.entries)
    wanted = requirement(package, extra)
    command = [python or sys.executable, "-m", "pip", "install"]
    command.append(f"{wanted}=={version}" if version else wanted)
    warnings = info.report.warnings + tuple(
        reason for reason in first.reasons if first.compatible is None
    )
    deps: tuple[str, ...] = ()
    if fastrtc:
        command.append(f"fastrtc=={fastrtc}")
    elif fork is not None:
        command.append("--no-deps")
        known = info.facts.requires_dist if info.facts is not None else None
        wanted_deps = _requirements_beside(known, fork, extra) if known is not None else []
        if known is None:
            warnings += (
                f"fastrtc is provided here by the fork {fork.name} {fork.version}, so "
                f"{package} is installed without its dependencies (they could not be read "
                "offline); install its requirements other than fastrtc yourself",
            )
        if wanted_deps:
            deps = (*command[:4], *wanted_deps, "--index-url", location.url)
    command += ["--index-url", location.url]
    return InstallPlan(
        name=name,
        package=package,
        version=version,
        plugins=tuple(f"{p.kind}:{p.name}" for p in info.plugins if p.kind),
        fastrtc=fastrtc,
        installed_version=first.installed_version,
        command=tuple(command),
        extra=extra,
        extra_missing=_missing_for_extra(package, extra) if extra else (),
        warnings=warnings,
        env=isolated_pip_environment(),
        unreachable=info.report.unreachable,
        host=f"{fork.name} {fork.version}" if fork is not None else None,
        deps_command=deps,
    )


def _requirements_beside(
    requires_dist: Sequence[str], host: PackageMetadata, extra: str | None
) -> list[str]:
    """A plugin's requirements (with its ``extra``) for pip, with fastrtc's met by the fork
    ``host``: ``fastrtc[vad]`` becomes what the fork's own ``vad`` extra asks for."""
    hosted = {canonicalize("fastrtc"), canonicalize(host.name)}
    wanted: list[str] = []
    for req in parsed_requirements(requires_dist):
        try:
            if not applies_here(req, [extra] if extra else []):
                continue
        except PackageMetadataError:
            continue  # pip cannot evaluate it either
        if canonicalize(req.name) in hosted:
            wanted += [str(r) for r in host_extra_requirements(host, req.extras)]
        elif is_project_name(req.name):
            req.marker = None  # already evaluated here
            wanted.append(str(req))
    return list(dict.fromkeys(wanted))


def install(plan: InstallPlan, *, timeout: float = 1800.0) -> list[PluginRecord]:
    """Run the plan's pip command; return the package's plugins as now installed."""
    for command in plan.commands:
        try:
            proc = subprocess.run(
                list(command),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                env=plan.env or isolated_pip_environment(),
            )
        except subprocess.TimeoutExpired as exc:
            raise InstallError(
                f"pip did not finish installing {plan.package} in {timeout:g} s"
            ) from exc
        if proc.returncode != 0:
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            reason = next(
                (line for line in reversed(lines) if "ERROR" in line),
                lines[-1] if lines else f"pip exited with code {proc.returncode}",
            )
            what = "the dependencies of " if command is plan.deps_command else ""
            raise InstallError(
                f"installing {what}{plan.package} failed: {clean_text(mask_secrets(reason), 300)}"
            )
    wanted = canonicalize(plan.package)
    return [p for p in installed_plugins() if canonicalize(p.package) == wanted]
