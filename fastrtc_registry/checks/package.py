"""Tier 0 entries of the registry: package metadata, judged in :mod:`.static` (no plugin code)."""

from __future__ import annotations

from .registry import declare

__all__: list[str] = []

declare(
    "PKG001",
    "declares entry points in the fastrtc plugin groups",
    doc="The wheel's `entry_points.txt` names the plugin in `fastrtc.vad` or "
    "`fastrtc.turn_taking`. *Why:* that is how `fastrtc-plugins` and `load_vad()` find it "
    "without importing anything. A plugin the catalog names by object path gets a warning.",
    fix='add `[project.entry-points."fastrtc.vad"] my-vad = "my_pkg:MyVAD"` (check the '
    "group's spelling).",
)
declare(
    "PKG002",
    "entry point values are module:attr references",
    after=("PKG001",),
    doc="*Why:* the loader imports the module and looks the attribute up; `my_pkg.MyVAD` "
    "(a dot for the colon) cannot be loaded.",
    fix='write `"my_pkg.module:MyVAD"`.',
)
declare(
    "PKG003",
    "requires fastrtc",
    doc="*Why:* installers and `search` check compatibility with the user's fastrtc from "
    "this requirement.",
    fix='add `"fastrtc>=X"` (the versions you tested) to `[project] dependencies`.',
)
declare(
    "PKG004",
    "declares Requires-Python",
    doc="*Why:* without it, users on an unsupported Python get a broken install instead of "
    "a clear message.",
    fix='`requires-python = ">=3.10"`.',
)
declare(
    "PKG005",
    "has a summary and a README",
    doc="A warning. *Why:* `search` and the gallery show them.",
    fix='set `description` and `readme = "README.md"` in `[project]`.',
)
declare(
    "PKG006",
    "project name starts with fastrtc-",
    doc="A warning. *Why:* the index scan finds plugins by this prefix; other names are "
    "found only through the catalog.",
    fix="rename the distribution, or ask for a catalog entry.",
)
declare(
    "PKG007",
    "no network downloads at import or construction",
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
