"""``fastrtc-plugins validate``: run the conformance suite on a plugin."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..deadlines import VALIDATE_TIMEOUT
from ..errors import PluginNotFoundError, PythonNotFoundError
from ._app import (
    JsonOption,
    app,
    check_index_url,
    check_output_path,
    console,
    emit_json,
    memory_option,
    write_output,
)

if TYPE_CHECKING:
    from ..checks import CheckResult, ValidationReport

_STYLES = {
    "passed": "green",
    "failed": "red",
    "error": "red bold",
    "warning": "yellow",
    "skipped": "dim",
}
_FORMATS = ("text", "json", "github", "markdown")


@app.command("validate")
def validate_command(
    target: Annotated[
        str,
        typer.Argument(
            help="An installed plugin or package name, a project directory (e.g. '.'), "
            "a wheel file, or pypi:NAME[==VERSION]."
        ),
    ],
    as_json: JsonOption = False,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="text (default), json (as --json), github (workflow-command annotations) "
            "or markdown (a summary table for $GITHUB_STEP_SUMMARY).",
        ),
    ] = None,
    junit: Annotated[
        Path | None,
        typer.Option(
            "--junit",
            help="Also write JUnit XML (one testcase per check) to this file.",
            dir_okay=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="A check id to ignore (repeatable), e.g. --ignore PKG006."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=1.0,
            help="Seconds the build and install of the target, and the checks of each "
            "plugin, may take.",
        ),
    ] = VALIDATE_TIMEOUT,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            help="Address space the plugin's worker may use, e.g. 3G (default: "
            "FASTRTC_PLUGINS_MEMORY_LIMIT or 3G; 0: no limit).",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every check, not only those to fix.")
    ] = False,
    index_url: Annotated[
        str | None,
        typer.Option(
            "--index-url",
            help="Package index for pypi: targets and missing dependencies.",
            callback=check_index_url,
        ),
    ] = None,
    python: Annotated[
        str | None,
        typer.Option(
            "--python",
            metavar="X.Y",
            help="Check the plugin on this Python (pythonX.Y on PATH, or under pyenv): a "
            "fresh environment there gets fastrtc, fastrtc-registry and the plugin.",
            callback=_check_python,
        ),
    ] = None,
) -> None:
    """Check that a plugin follows fastrtc's protocols; exit 1 when a check fails."""
    import time

    from ..checks import CHECKS
    from ..suite import validate
    from ..validation.process import terminate_on_signals

    unknown = [i for i in ignore or () if i.upper() not in CHECKS]
    if unknown:
        raise typer.BadParameter(
            f"unknown check id(s) {', '.join(unknown)}; see 'docs/checks.md' for the list",
            param_hint="--ignore",
        )
    check_output_path(junit, "--junit")
    fmt = (output_format or ("json" if as_json else "text")).lower()
    if fmt not in _FORMATS:
        raise typer.BadParameter(
            f"unknown format {output_format!r}; use one of {', '.join(_FORMATS)}",
            param_hint="--format",
        )
    memory = memory_option(memory_limit)
    err = console(stderr=True)
    started = time.monotonic()
    with terminate_on_signals(), err.status(f"Validating {target}...") as status:

        def progress(name: str, what: str) -> None:
            status.update(f"Validating {name}: {what}")

        try:
            report = validate(
                target,
                timeout=timeout,
                ignore=ignore or (),
                index_url=index_url,
                on_progress=progress,
                memory=memory,
                python=python,
            )
        except PythonNotFoundError as exc:  # the option names what is missing: a usage error
            raise typer.BadParameter(str(exc), param_hint="--python") from None
        except PluginNotFoundError as exc:
            if exc.name != target:
                raise
            raise _unknown_target(target, exc) from None
    if fmt == "json":
        emit_json(report.as_dict())
    elif fmt in ("github", "markdown"):
        emit_ci(report, fmt, target, verbose=verbose)
    else:
        render(report, verbose=verbose, seconds=time.monotonic() - started)
    if junit is not None:  # after the report: a file that cannot be written loses nothing
        write_output(lambda: junit.write_text(report.to_junit(), encoding="utf-8"), junit)
    code = report.exit_code(strict=strict)
    if code:
        raise typer.Exit(code)


def _check_python(value: str | None) -> str | None:
    from ..validation.venv import PYTHON_VERSION

    if value is not None and not PYTHON_VERSION.fullmatch(value):
        raise typer.BadParameter(f"{value!r} is not a Python version; use X.Y, e.g. 3.12")
    return value


def _unknown_target(target: str, exc: PluginNotFoundError) -> PluginNotFoundError:
    """The error for a name nothing installed has, saying what to validate instead."""
    from ..catalog import default_catalog
    from ..discovery import installed_plugins
    from ..errors import PluginNotInstalledError
    from ..names import canonicalize, close_names, did_you_mean

    catalog = default_catalog()
    known = [e for e in catalog.find(target) or catalog.for_package(target) if not e.builtin]
    if known:
        entry = known[0]
        return PluginNotInstalledError(
            f"{target!r} is in the catalog (package {entry.package!r}) but not installed; "
            f"validate the published release with 'fastrtc-plugins validate "
            f"pypi:{canonicalize(entry.package)}', or install it first "
            f"('{entry.install_command}') and run 'fastrtc-plugins validate {target}' again",
            name=target,
            kind=entry.kind,
            install=entry.install_command,
        )
    installed = installed_plugins(catalog=catalog)
    names = {r.name for r in installed} | {canonicalize(r.package) for r in installed}
    close = close_names(target, names)
    if not close:
        return exc
    return PluginNotFoundError(f"{exc}; {did_you_mean(close)}", name=target, suggestions=close)


def emit_ci(report: ValidationReport, fmt: str, target: str, *, verbose: bool) -> None:
    """Write the github or markdown form of ``report`` on stdout."""
    import sys

    from ..checks.report import github_annotations, markdown_summary

    if fmt == "markdown":
        sys.stdout.write(markdown_summary(report, verbose=verbose))
    else:
        root = Path(target) if Path(target).is_dir() else None
        workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
        sys.stdout.write(github_annotations(report, root=root, workspace=workspace))
    sys.stdout.flush()


def _needs_attention(result: CheckResult) -> bool:
    return result.status in ("failed", "error", "warning") or result.reason == "needs-network"


def render(report: ValidationReport, *, verbose: bool = False, seconds: float = 0.0) -> None:
    """What needs attention (or, ``verbose``, every check), then one summary line."""
    from rich.markup import escape

    from ..checks import check_info

    out = console()
    for plugin in report.plugins:
        shown = [r for r in plugin.checks if verbose or _needs_attention(r)]
        kind = plugin.kind or "package"
        source = f" from {plugin.package} {plugin.version}" if plugin.package else ""
        if shown or verbose:
            out.print(f"[bold]{escape(plugin.name)}[/] ({kind} plugin{escape(source)})")
        for result in shown:
            style = _STYLES[result.status]
            label = "NEEDS NETWORK" if result.reason == "needs-network" else result.status.upper()
            if verbose and result.status == "passed":
                out.print(
                    f"  [{style}]{label:<8}[/] {result.id} {escape(result.title)} "
                    f"[dim]({result.duration_s:.2f}s) {escape(result.message)}[/]"
                )
                continue
            out.print(f"  [{style}]{label}[/] {result.id} {escape(result.title)}")
            out.print(f"    {escape(result.message)}", soft_wrap=True)
            if result.status in ("failed", "error", "warning"):
                spec = check_info(result.id)
                fix = result.fix or spec.fix
                fix = f"fix: {fix} " if fix else ""
                out.print(f"    [dim]{escape(fix)}see {spec.anchor}[/]", soft_wrap=True)
    for note in report.notes:
        out.print(f"[dim]{escape(note)}[/]")
    summary = report.summary
    colour = (
        "red" if summary.failed or summary.errors else ("yellow" if summary.warnings else "green")
    )
    timing = f" in {seconds:.2f}s" if seconds else ""
    out.print(f"[{colour} bold]{escape(report.target)}: {summary.line()}{timing}[/]")
