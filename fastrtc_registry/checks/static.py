"""Tier 0: what a package declares, read from its metadata and source; no plugin code runs.

:class:`PackageInfo` is read from a wheel file or an installed distribution
(a project directory is built into a wheel first, so the checks see exactly
what would be published). :func:`run_static_checks` gives PKG001-PKG007 for
one declared plugin.
"""

from __future__ import annotations

import ast
import configparser
import re
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from ..names import GROUPS, Kind, canonicalize, kind_for_group
from .ids import check_info
from .results import CheckResult, Status

__all__ = [
    "DOWNLOAD_CALLS",
    "DeclaredPlugin",
    "PackageInfo",
    "find_downloads",
    "package_from_distribution",
    "package_from_wheel",
    "run_static_checks",
]

# Calls that fetch files over the network when a model is built.
DOWNLOAD_CALLS = frozenset(
    {
        "hf_hub_download",
        "snapshot_download",
        "urlopen",
        "urlretrieve",
        "get_silero_model",
        "get_stt_model",
        "get_tts_model",
        "from_pretrained",
        "load_state_dict_from_url",
        "download_url_to_file",
        "hub.load",
        "requests.get",
        "httpx.get",
        "wget.download",
    }
)
_REFERENCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass(frozen=True, slots=True)
class DeclaredPlugin:
    """One entry point of a package (or the package itself when it declares none)."""

    name: str
    kind: Kind | None
    object: str | None
    group: str | None = None
    source: str = "entry-point"


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """The static facts about one distribution that tier 0 needs."""

    name: str
    version: str
    summary: str = ""
    has_readme: bool = False
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    entry_points: tuple[tuple[str, str, str], ...] = ()  # (group, name, value)
    sources: Mapping[str, str] = field(default_factory=dict)  # "pkg/mod.py" -> text

    def plugins(self) -> list[DeclaredPlugin]:
        """The plugins this package declares, or one placeholder when it declares none."""
        found = [
            DeclaredPlugin(canonicalize(n), kind_for_group(g), v, g)
            for g, n, v in self.entry_points
            if kind_for_group(g) is not None
        ]
        return found or [DeclaredPlugin(canonicalize(self.name), None, None, None, "undeclared")]


def _from_metadata(text: str, entry_points: str, sources: Mapping[str, str]) -> PackageInfo:
    message: Message = Parser().parsestr(text)
    body = message.get_payload()
    description = message.get("Description") or (body if isinstance(body, str) else "")
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(entry_points or "")
    eps = tuple(
        (group, name.strip(), value.strip())
        for group in parser.sections()
        for name, value in parser.items(group)
    )
    return PackageInfo(
        name=message.get("Name", ""),
        version=message.get("Version", ""),
        summary=(message.get("Summary") or "").strip(),
        has_readme=bool(description.strip()),
        requires_python=message.get("Requires-Python"),
        requires_dist=tuple(message.get_all("Requires-Dist") or ()),
        entry_points=eps,
        sources=sources,
    )


def package_from_wheel(path: Path) -> PackageInfo:
    """Read a wheel's METADATA, entry_points.txt and Python sources (ValueError if not a wheel)."""
    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
            info_dir = next(
                (
                    n.split("/")[0]
                    for n in names
                    if n.endswith(".dist-info/METADATA") and n.count("/") == 1
                ),
                None,
            )
            if info_dir is None:
                raise ValueError(f"{path.name} has no .dist-info/METADATA; is it a wheel?")
            read = lambda name: wheel.read(name).decode("utf-8", "replace")  # noqa: E731
            eps = f"{info_dir}/entry_points.txt"
            sources = {
                n: read(n) for n in names if n.endswith(".py") and not n.startswith(info_dir)
            }
            return _from_metadata(
                read(f"{info_dir}/METADATA"), read(eps) if eps in names else "", sources
            )
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValueError(f"cannot read the wheel {path}: {exc}") from exc


def package_from_distribution(
    dist: metadata.Distribution, path: list[str] | None = None
) -> PackageInfo:
    """Read an installed distribution's metadata and the sources of its entry-point modules."""
    sources: dict[str, str] = {}
    for file in dist.files or ():
        if file.suffix == ".py" and ".dist-info" not in str(file):
            try:
                sources[str(file).replace("\\", "/")] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    info = _from_metadata(
        dist.read_text("METADATA") or "", dist.read_text("entry_points.txt") or "", sources
    )
    missing = {v.partition(":")[0].split(".")[0] for _, _, v in info.entry_points}
    missing -= {name.split("/")[0] for name in sources}
    if missing:  # editable installs list no sources: find them without importing
        from dataclasses import replace

        info = replace(info, sources={**sources, **_sources_on_path(missing, path)})
    return info


def _sources_on_path(tops: set[str], path: list[str] | None) -> dict[str, str]:
    from importlib.machinery import PathFinder

    found: dict[str, str] = {}
    for top in tops:
        spec = PathFinder.find_spec(top, path)
        if spec is None:
            continue
        roots = list(spec.submodule_search_locations or ())
        files = [Path(r) for root in roots for r in Path(root).rglob("*.py")]
        if spec.origin and spec.origin.endswith(".py") and not roots:
            files = [Path(spec.origin)]
        for file in files:
            base = Path(roots[0]).parent if roots else file.parent
            try:
                found[file.relative_to(base).as_posix()] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError, ValueError):
                continue
    return found


def find_downloads(sources: Mapping[str, str], reference: str) -> list[str]:
    """Network downloads that run when ``reference`` is imported or built: ``file:line call``."""
    module, _, attr = reference.partition(":")
    parts = module.split(".")
    files = [
        name for i in range(1, len(parts) + 1) for name in ("/".join(parts[:i]) + "/__init__.py",)
    ] + ["/".join(parts) + ".py"]
    hits = []
    for name in files:
        text = sources.get(name)
        if text is None:
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        target = (
            attr.split(".")[0]
            if name.endswith(("/".join(parts) + ".py", "/".join(parts) + "/__init__.py"))
            else ""
        )
        for node in _run_at_build(tree, target):
            called = _call_name(node)
            if called:
                hits.append(f"{name}:{node.lineno} {called}()")
    return hits


def _run_at_build(tree: ast.Module, target: str) -> list[ast.Call]:
    """Calls made at import time, in any ``__init__``, or in the factory ``target``."""
    bodies: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bodies += [
                m for m in node.body if isinstance(m, ast.FunctionDef) and m.name == "__init__"
            ]
            bodies += [
                s for s in node.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
            ]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == target:
                bodies.append(node)
        else:
            bodies.append(node)
    return [n for body in bodies for n in ast.walk(body) if isinstance(n, ast.Call)]


def _call_name(node: ast.Call) -> str | None:
    func, chain = node.func, []
    while isinstance(func, ast.Attribute):
        chain.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        chain.append(func.id)
    chain.reverse()
    for size in (2, 1):
        name = ".".join(chain[-size:])
        if name in DOWNLOAD_CALLS:
            return ".".join(chain)
    return None


Check = Callable[[PackageInfo, DeclaredPlugin], tuple[Status, str]]


def run_static_checks(package: PackageInfo, plugin: DeclaredPlugin) -> list[CheckResult]:
    """PKG001-PKG007 for ``plugin`` of ``package``."""
    results = []
    for check_id, check in _CHECKS:
        started = time.perf_counter()
        status, message = check(package, plugin)
        results.append(
            CheckResult(
                check_id, check_info(check_id).title, status, message, time.perf_counter() - started
            )
        )
    return results


def _entry_points(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.source == "catalog":
        return "warning", (
            f"{package.name} declares no entry point for {plugin.name!r}; it loads by name only "
            'through the catalog. Add [project.entry-points."fastrtc.vad"] (or '
            '"fastrtc.turn_taking") to pyproject.toml'
        )
    if plugin.kind is not None:
        return "passed", f"{plugin.group}: {plugin.name} = {plugin.object}"
    near = sorted({g for g, _, _ in package.entry_points if g.startswith("fastrtc")})
    found = (
        f" (it declares {', '.join(near)}, which fastrtc-registry does not read)" if near else ""
    )
    return "failed", (
        f"{package.name} declares no entry point in {' or '.join(GROUPS.values())}{found}; "
        'add one, e.g. [project.entry-points."fastrtc.vad"] my-vad = "my_pkg:MyVAD"'
    )


def _reference(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.object is None:
        return "skipped", "no entry point to check (PKG001)"
    if not _REFERENCE.match(plugin.object):
        return "failed", (
            f"entry point {plugin.name!r} = {plugin.object!r} is not a "
            "'module:attr' reference; write it as 'package.module:ClassName'"
        )
    return "passed", plugin.object


def _requires_fastrtc(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    from packaging.requirements import InvalidRequirement, Requirement

    for line in package.requires_dist:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize(requirement.name) == "fastrtc" and requirement.marker is None:
            return "passed", str(requirement)
    return "failed", (
        f'{package.name} does not require fastrtc; add "fastrtc" (with the '
        'versions you tested, e.g. "fastrtc>=0.0.30") to [project] dependencies '
        "so installers check compatibility"
    )


def _requires_python(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if package.requires_python:
        return "passed", f"Requires-Python {package.requires_python}"
    return "failed", (
        f"{package.name} declares no Requires-Python; add requires-python = "
        '">=3.10" (or what you support) to [project]'
    )


def _described(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    missing = [
        what
        for what, ok in (
            ("summary (description = ...)", package.summary),
            ('README (readme = "README.md")', package.has_readme),
        )
        if not ok
    ]
    if missing:
        return "warning", (
            f"{package.name} has no {' and no '.join(missing)} in [project]; "
            "search and the gallery show these to users"
        )
    return "passed", package.summary


def _prefix(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if canonicalize(package.name).startswith("fastrtc-"):
        return "passed", package.name
    return "warning", (
        f"project name {package.name!r} does not start with 'fastrtc-'; "
        "the prefix helps users find it (only a convention)"
    )


def _downloads(package: PackageInfo, plugin: DeclaredPlugin) -> tuple[Status, str]:
    if plugin.object is None:
        return "skipped", "no entry point to scan (PKG001)"
    hits = find_downloads(package.sources, plugin.object)
    if hits:
        return "warning", (
            f"needs network: {', '.join(hits[:3])} downloads files when the "
            "plugin is imported or built, so it fails offline; ship the files "
            "in the wheel or document the download"
        )
    module = plugin.object.partition(":")[0]
    if not any(n.startswith(module.replace(".", "/")) for n in package.sources):
        return "skipped", f"the source of {module} is not in {package.name}; nothing to scan"
    return "passed", "no download calls at import or construction (offline)"


_CHECKS: tuple[tuple[str, Check], ...] = (
    ("PKG001", _entry_points),
    ("PKG002", _reference),
    ("PKG003", _requires_fastrtc),
    ("PKG004", _requires_python),
    ("PKG005", _described),
    ("PKG006", _prefix),
    ("PKG007", _downloads),
)
