"""Tier 0 checks: what a package declares, judged from its metadata and sources.

No plugin code runs: the facts are :class:`~fastrtc_registry.validation.distribution.PackageInfo`
(the metadata and the Python sources of the wheel or installed distribution),
the :class:`~fastrtc_registry.validation.distribution.DeclaredPlugin` being
validated, and the distribution that provides fastrtc where it runs.
"""

from __future__ import annotations

from ..errors import PackageMetadataError
from ..names import GROUPS, canonicalize
from ..packages import fastrtc_requirement, host_provides, is_fork, is_reference
from ..validation.download_scan import scan_downloads
from .base import CheckFailed, CheckSkipped, CheckWarning, Observations, check

__all__ = [
    "check_described",
    "check_downloads",
    "check_entry_points",
    "check_prefix",
    "check_reference",
    "check_requires_fastrtc",
    "check_requires_python",
]

_PACKAGE = ("package",)


@check(
    "PKG001",
    "declares entry points in the fastrtc plugin groups",
    needs=_PACKAGE,
    doc="The wheel's `entry_points.txt` names the plugin in `fastrtc.vad` or "
    "`fastrtc.turn_taking`. *Why:* that is how `fastrtc-plugins` and `load_vad()` find it "
    "without importing anything. A plugin the catalog names by object path gets a warning.",
    fix='add `[project.entry-points."fastrtc.vad"] my-vad = "my_pkg:MyVAD"` (check the '
    "group's spelling).",
)
def check_entry_points(obs: Observations) -> str:
    package, plugin = obs.declared
    if plugin.source == "catalog":
        raise CheckWarning(
            f"{package.name} declares no entry point for {plugin.name!r}; it loads by name only "
            'through the catalog. Add [project.entry-points."fastrtc.vad"] (or '
            '"fastrtc.turn_taking") to pyproject.toml'
        )
    if plugin.kind is not None:
        return f"{plugin.group}: {plugin.name} = {plugin.object}"
    near = sorted({e.group for e in package.metadata.entry_points if e.group.startswith("fastrtc")})
    found = (
        f" (it declares {', '.join(near)}, which fastrtc-registry does not read)" if near else ""
    )
    raise CheckFailed(
        f"{package.name} declares no entry point in {' or '.join(GROUPS.values())}{found}; "
        'add one, e.g. [project.entry-points."fastrtc.vad"] my-vad = "my_pkg:MyVAD"'
    )


@check(
    "PKG002",
    "entry point values are module:attr references",
    needs=_PACKAGE,
    after=("PKG001",),
    doc="*Why:* the loader imports the module and looks the attribute up; `my_pkg.MyVAD` "
    "(a dot for the colon) cannot be loaded.",
    fix='write `"my_pkg.module:MyVAD"`.',
)
def check_reference(obs: Observations) -> str:
    _, plugin = obs.declared
    reference = plugin.object or ""
    if not is_reference(reference):
        raise CheckFailed(
            f"entry point {plugin.name!r} = {reference!r} is not a "
            "'module:attr' reference; write it as 'package.module:ClassName'"
        )
    return reference


@check(
    "PKG003",
    "requires fastrtc",
    needs=_PACKAGE,
    doc="*Why:* installers and `search` check compatibility with the user's fastrtc from "
    "this requirement.",
    fix='add `"fastrtc>=X"` (the versions you tested) to `[project] dependencies`.',
)
def check_requires_fastrtc(obs: Observations) -> str:
    # The same rule as search: a marker counts when true here with no extra. On a fork
    # host, a requirement on the fork itself counts as well.
    package, _ = obs.declared
    host = obs.host
    fork = host.name if host is not None and is_fork(host) else None
    try:
        requirement = fastrtc_requirement(package.requires_dist, host=fork)
    except PackageMetadataError as exc:
        raise CheckFailed(f"{exc}; write the fastrtc requirement without a broken marker") from None
    if requirement is None:
        raise CheckFailed(
            f'{package.name} does not require fastrtc; add "fastrtc" (with the '
            'versions you tested, e.g. "fastrtc>=0.0.30") to [project] dependencies '
            "so installers check compatibility"
        )
    if host is None or fork is None:
        return str(requirement)
    provided, note = host_provides(host, requirement)
    if not provided:
        raise CheckFailed(
            f"{package.name} needs {requirement}, but fastrtc here is provided by "
            f"{host.name} {host.version}; install a release of it that fits"
        )
    return f"{requirement}; {note}" if note else str(requirement)


@check(
    "PKG004",
    "declares Requires-Python",
    needs=_PACKAGE,
    doc="*Why:* without it, users on an unsupported Python get a broken install instead of "
    "a clear message.",
    fix='`requires-python = ">=3.10"`.',
)
def check_requires_python(obs: Observations) -> str:
    package, _ = obs.declared
    if not package.metadata.requires_python:
        raise CheckFailed(
            f"{package.name} declares no Requires-Python; add requires-python = "
            '">=3.10" (or what you support) to [project]'
        )
    return f"Requires-Python {package.metadata.requires_python}"


@check(
    "PKG005",
    "has a summary and a README",
    needs=_PACKAGE,
    doc="A warning. *Why:* `search` and the gallery show them.",
    fix='set `description` and `readme = "README.md"` in `[project]`.',
)
def check_described(obs: Observations) -> str:
    package, _ = obs.declared
    missing = [
        what
        for what, ok in (
            ("summary (description = ...)", package.metadata.summary),
            ('README (readme = "README.md")', package.metadata.has_readme),
        )
        if not ok
    ]
    if missing:
        raise CheckWarning(
            f"{package.name} has no {' and no '.join(missing)} in [project]; "
            "search and the gallery show these to users"
        )
    return package.metadata.summary


@check(
    "PKG006",
    "project name starts with fastrtc-",
    needs=_PACKAGE,
    doc="A warning. *Why:* the index scan finds plugins by this prefix; other names are "
    "found only through the catalog.",
    fix="rename the distribution, or ask for a catalog entry.",
)
def check_prefix(obs: Observations) -> str:
    package, _ = obs.declared
    if not canonicalize(package.name).startswith("fastrtc-"):
        raise CheckWarning(
            f"project name {package.name!r} does not start with 'fastrtc-'; "
            "the prefix helps users find it (only a convention)"
        )
    return package.name


@check(
    "PKG007",
    "no network downloads at import or construction",
    needs=_PACKAGE,
    after=("PKG001",),
    doc='A warning (the "offline" badge). An AST scan of the entry point\'s module for '
    "calls such as `hf_hub_download`, `snapshot_download`, `urlopen`, `torch.hub.load`, "
    "`from_pretrained`, `get_silero_model`, starting where code runs on import or "
    "construction (module level, class bodies, `__init__`, the factory function) and "
    "following the calls it can resolve: `self.`/`cls.` methods, module functions and "
    "classes, helpers imported from the same package. The message names the chain of "
    "calls. A download call that is not reached that way is a hint in the pass message "
    "(it may run on first use). The worker's network guard decides at run time: a "
    "plugin that tries the network is skipped as needs-network, naming the host. "
    "*Why:* such a plugin fails on machines without network access or behind a firewall.",
    fix="ship the weights inside the wheel, or document the download and let users pre-fetch it.",
)
def check_downloads(obs: Observations) -> str:
    package, plugin = obs.declared
    reference = plugin.object or ""
    found = scan_downloads(package.sources, reference)
    if found.at_build:
        hits = ", ".join(d.describe() for d in found.at_build[:3])
        raise CheckWarning(
            f"needs network: {hits} downloads files when the plugin is imported or "
            "built, so it fails offline; ship the files in the wheel or document the download"
        )
    module = reference.partition(":")[0]
    if not found.scanned:
        raise CheckSkipped(f"the source of {module} is not in {package.name}; nothing to scan")
    if found.later:
        # Not reached from construction as far as the scan can tell: a hint, not a verdict.
        hits = ", ".join(d.describe() for d in found.later[:3])
        return f"no download at import or construction; hint: {hits} may download on first use"
    return "no download calls at import or construction (offline)"
