"""CI forms of a validation report: GitHub workflow commands and a Markdown table.

``github_annotations`` gives one ``::error``/``::warning`` line per check to fix,
placed on the source line where it can be found: the entry point's line in
``pyproject.toml`` for the packaging and import checks (``PKG``/``IMP``), the
plugin class or method definition for the behaviour checks. Sources are read
and parsed (``ast``), never imported. ``markdown_summary`` gives the table for
``$GITHUB_STEP_SUMMARY``. Every message is untrusted: control characters are
stripped and the workflow-command escapes are applied.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .results import CheckResult, PluginReport, ValidationReport

__all__ = [
    "Location",
    "escape_data",
    "escape_property",
    "github_annotations",
    "locate",
    "markdown_summary",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_MESSAGE = 2000
_LEVELS = {"failed": "error", "error": "error", "warning": "warning"}
_METHODS = {
    "VAD": ("__call__", "vad", "warmup"),
    "TT": ("__call__", "receive", "emit", "copy", "reset"),
}


@dataclass(frozen=True, slots=True)
class Location:
    """A file (relative to the workspace, ``/`` separated) and a 1-based line."""

    file: str
    line: int


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)[:_MAX_MESSAGE]


def escape_data(text: str) -> str:
    """A workflow-command message: control characters dropped, ``%``, CR, LF escaped."""
    return _clean(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow-command property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(path.resolve(), workspace.resolve())).as_posix()


def _entry_point_line(pyproject: Path, name: str) -> int | None:
    try:
        lines = pyproject.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(r"^\s*[\"']?" + re.escape(name) + r"[\"']?\s*=")
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return number
    for number, line in enumerate(lines, 1):
        if line.strip().startswith("[project.entry-points"):
            return number
    return None


def _module_file(root: Path, module: str) -> Path | None:
    parts = module.split(".")
    for base in (root, root / "src"):
        for candidate in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if candidate.is_file():
                return candidate
    return None


def _definition_line(source: Path, qualname: str, check_id: str) -> int | None:
    try:
        tree = ast.parse(source.read_bytes(), filename=str(source))
    except (OSError, SyntaxError, ValueError):
        return None
    body: list[ast.stmt] = tree.body
    found: ast.stmt | None = None
    for part in qualname.split("."):
        found = next(
            (
                node
                for node in body
                if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name == part
            ),
            None,
        )
        if found is None:
            return None
        body = found.body if isinstance(found, ast.ClassDef) else []
    if isinstance(found, ast.ClassDef):
        prefix = re.match(r"[A-Z]+", check_id)
        for method in _METHODS.get(prefix.group(0) if prefix else "", ()):
            for node in found.body:
                if (
                    isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.name == method
                ):
                    return node.lineno
    return found.lineno if found is not None else None


def locate(
    plugin: PluginReport, result: CheckResult, *, root: Path, workspace: Path
) -> Location | None:
    """Where ``result`` of ``plugin`` belongs in the project at ``root``, if it can be found."""
    pyproject = root / "pyproject.toml"
    if result.id.startswith(("PKG", "IMP")) or not plugin.object:
        if not pyproject.is_file():
            return None
        line = _entry_point_line(pyproject, plugin.name)
        return Location(_relative(pyproject, workspace), line or 1)
    module, _, qualname = plugin.object.partition(":")
    source = _module_file(root, module)
    if source is None:
        return None
    line = _definition_line(source, qualname, result.id) if qualname else None
    return Location(_relative(source, workspace), line or 1)


def _to_fix(report: ValidationReport, strict: bool) -> list[tuple[PluginReport, CheckResult]]:
    del strict  # warnings are always shown; --strict only changes the exit code
    return [
        (plugin, result)
        for plugin in report.plugins
        for result in plugin.checks
        if result.status in _LEVELS
    ]


def github_annotations(
    report: ValidationReport,
    *,
    root: Path | None = None,
    workspace: Path | None = None,
) -> str:
    """One workflow command per failed, errored or warning check, then a summary notice.

    ``root`` is the project directory (where ``pyproject.toml`` is), ``workspace``
    the directory paths are given relative to (``$GITHUB_WORKSPACE``).
    """
    workspace = workspace or Path.cwd()
    lines = []
    for plugin, result in _to_fix(report, False):
        props = []
        where = locate(plugin, result, root=root, workspace=workspace) if root else None
        if where is not None:
            props += [f"file={escape_property(where.file)}", f"line={where.line}"]
        props.append(f"title={escape_property(f'{result.id} {result.title} ({plugin.name})')}")
        message = result.message or result.status
        lines.append(f"::{_LEVELS[result.status]} {','.join(props)}::{escape_data(message)}")
    lines.append(f"::notice title=fastrtc-plugins validate::{escape_data(report.summary.line())}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    flat = " ".join(_clean(text).split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


_ICONS = {
    "passed": "✅ passed",
    "failed": "❌ failed",
    "error": "❌ error",
    "warning": "⚠️ warning",
    "skipped": "⏭️ skipped",
}


def markdown_summary(report: ValidationReport, *, verbose: bool = False) -> str:
    """A Markdown table (plugin, check, status, message) for ``$GITHUB_STEP_SUMMARY``.

    Only the checks to fix are listed unless ``verbose``; an all-green report
    says so in one row.
    """
    out = [
        f"### fastrtc-plugins validate {_cell(report.target)}",
        "",
        _cell(report.summary.line()),
        "",
        "| Plugin | Check | Status | Message |",
        "| --- | --- | --- | --- |",
    ]
    rows = 0
    for plugin in report.plugins:
        for result in plugin.checks:
            if not verbose and result.status not in _LEVELS:
                continue
            rows += 1
            out.append(
                f"| {_cell(plugin.name)} | {_cell(result.id)} {_cell(result.title)} "
                f"| {_ICONS.get(result.status, result.status)} | {_cell(result.message)} |"
            )
    if not rows:
        out.append("| (all) | (all) | ✅ passed | every check passed |")
    return "\n".join(out) + "\n"
