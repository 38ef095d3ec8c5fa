"""``fastrtc-plugins install``: resolve a plugin, check it fits, install it with fastrtc pinned.

pip is asked to install the plugin's package together with ``fastrtc==X``
(the fastrtc installed now), so installing a plugin never upgrades or
downgrades fastrtc behind the application's back; a plugin that cannot work
with it makes pip fail instead, with its own explanation.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from .discovery import PluginRecord, installed_distributions, installed_plugins
from .errors import IncompatiblePluginError, RegistryError
from .names import canonicalize

__all__ = ["InstallError", "InstallPlan", "install", "plan_install"]


class InstallError(RegistryError):
    """pip failed to install the plugin's package."""


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

    @property
    def up_to_date(self) -> bool:
        """The wanted version (or any, when unknown) is installed already."""
        return self.installed_version is not None and (
            self.version is None or self.installed_version == self.version
        )


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
    if first.compatible is False:
        raise IncompatiblePluginError(
            f"{info.package} cannot be installed here: {'; '.join(first.reasons)}."
        )
    # Only fastrtc's version is needed: reading every distribution's METADATA is slow.
    fastrtc_dist = installed_distributions().get(canonicalize("fastrtc"))
    fastrtc = fastrtc_dist.version if fastrtc_dist is not None else None
    version = first.version
    requirement = f"{info.package}=={version}" if version else info.package
    command = [python or sys.executable, "-m", "pip", "install", requirement]
    if fastrtc:
        command.append(f"fastrtc=={fastrtc}")
    location = resolve_index_url(index_url)
    if location.explicit:
        command += ["--index-url", location.url]
    return InstallPlan(
        name=name,
        package=info.package,
        version=version,
        plugins=tuple(f"{p.kind}:{p.name}" for p in info.plugins if p.kind),
        fastrtc=fastrtc,
        installed_version=first.installed_version,
        command=tuple(command),
        warnings=info.report.warnings
        + tuple(reason for reason in first.reasons if first.compatible is None),
    )


def install(plan: InstallPlan, *, timeout: float = 1800.0) -> list[PluginRecord]:
    """Run the plan's pip command; return the package's plugins as now installed."""
    try:
        proc = subprocess.run(
            list(plan.command), capture_output=True, text=True, timeout=timeout, check=False
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
        raise InstallError(f"installing {plan.package} failed: {reason.strip()}")
    wanted = canonicalize(plan.package)
    return [p for p in installed_plugins() if canonicalize(p.package) == wanted]
