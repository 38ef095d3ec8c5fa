"""``fastrtc-plugins registry check|update``: lint and regenerate registry.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..deadlines import VALIDATE_TIMEOUT
from ._app import JsonOption, app, check_index_url, check_output_path, console, emit_json, warn

registry_app = typer.Typer(
    name="registry",
    help="Check or regenerate the curated catalog (registry.json).",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")

PathArgument = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs Optional on 3.10
    typer.Argument(
        help="The registry.json to use (default: ./registry.json, else the one shipped "
        "with this package).",
        dir_okay=False,
        exists=True,  # a path that is not there is a bad argument (exit 2), as a directory is
    ),
]

UpdatePathArgument = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Argument(
        help="The registry.json to rewrite (default: ./registry.json).",
        dir_okay=False,
        exists=True,  # as for check: a named file that is not there is a bad argument
    ),
]


def _check_path(path: Path | None) -> Path:
    if path is not None:
        return path
    here = Path("registry.json")
    if here.is_file():
        return here
    from ..catalog.sources import embedded_catalog_path

    return embedded_catalog_path()


@registry_app.command("check")
def check_command(
    path: PathArgument = None,
    as_json: JsonOption = False,
    schema: Annotated[
        bool,
        typer.Option(
            "--schema/--no-schema",
            help="Also validate against registry.schema.json (needs the jsonschema package).",
        ),
    ] = True,
) -> None:
    """Check registry.json against the catalog's rules and its JSON Schema; list every problem."""
    from ..catalog.lint import lint_path

    report = lint_path(_check_path(path), schema=schema)
    for message in report.warnings:
        warn(message)
    if as_json:
        emit_json(report.as_dict())
    elif report.ok:
        sys.stdout.write(f"{report.source}: ok\n")
    else:
        sys.stderr.write("\n".join(report.lines()) + "\n")
        sys.stderr.write(f"{len(report.problems)} problem(s) in {report.source}\n")
    if not report.ok:
        raise typer.Exit(1)


@registry_app.command("update")
def update_command(
    path: UpdatePathArgument = None,
    index_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--index-url",
            help="The package index to scan (default: as for search).",
            callback=check_index_url,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Scan nothing; validate the catalog's plugins installed here, in place.",
        ),
    ] = False,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Run 'validate' on plugins whose record is not for their current "
            "version and this suite, and record the results.",
        ),
    ] = True,
    validate_only: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--validate-only",
            metavar="PACKAGE",
            help="Validate (and bench) only this package (repeatable).",
        ),
    ] = None,
    bench: Annotated[
        bool,
        typer.Option(
            "--bench",
            help="Also measure the installed plugins with 'bench' and record the figures.",
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=1.0, help="Seconds each plugin's checks may take."),
    ] = VALIDATE_TIMEOUT,
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; exit 1 when the file would change."),
    ] = False,
    records: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--records",
            metavar="FILE",
            help="Also write this run's validation and bench records to FILE, "
            "for 'registry merge'.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Regenerate registry.json (default: ./registry.json) from an index scan and validate runs."""
    from ..catalog.update import update_registry

    check_output_path(records, "--records")

    what = "Validating" if offline else "Scanning the index and validating"
    with console(stderr=True).status(f"{what}...") as status:
        result = update_registry(
            path or Path("registry.json"),  # never the copy inside an installed package
            index_url=index_url,
            offline=offline,
            validate=validate,
            validate_only=validate_only or (),
            bench=bench,
            timeout=timeout,
            write=not check,
            on_progress=lambda name, what: status.update(f"{name}: {what}"),
        )
    from .._text import clean_text, mask_secrets

    for note in result.notes:
        warn(clean_text(mask_secrets(note), 500))
    if records is not None:
        from ..catalog.refresh import write_records

        count = write_records(records, json.loads(result.text), result.runs, result.benches)
        sys.stderr.write(f"{records}: {count} plugin record(s)\n")
    lines = [f"added {label}" for label in result.added]
    lines += [f"validated {label}" for label in result.validated]
    lines += [f"benchmarked {label}" for label in result.benchmarked]
    lines += [f"skipped {label}" for label in result.skipped]
    if not result.changed:
        lines.append(f"{result.path}: up to date")
    elif check:
        lines.append(f"{result.path}: would change; run 'fastrtc-plugins registry update'")
    else:
        lines.append(f"{result.path}: updated")
    sys.stdout.write("\n".join(lines) + "\n")
    if result.changed and check:
        raise typer.Exit(1)


@registry_app.command("packages")
def packages_command(
    path: PathArgument = None,
    as_json: JsonOption = False,
) -> None:
    """List the catalog's packages, one refresh job each (--json: a workflow matrix)."""
    from ..catalog.refresh import read_packages

    jobs = read_packages(_check_path(path))
    if as_json:
        sys.stdout.write(json.dumps([job.as_dict() for job in jobs]) + "\n")
        return
    for job in jobs:
        flags = [flag for flag, on in (("offline", job.offline), ("bench", job.bench)) if on]
        extras = f" [{','.join(job.extras)}]" if job.extras else ""
        sys.stdout.write(
            f"{job.package}{extras}: {', '.join(job.plugins)}"
            + (f" ({', '.join(flags)})" if flags else "")
            + "\n"
        )


@registry_app.command("merge")
def merge_command(
    records: Annotated[
        list[Path],
        typer.Argument(
            metavar="RECORDS",
            help="Records files written by 'registry update --records'.",
            show_default=False,
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into", help="The registry.json to merge into.", exists=True, dir_okay=False
        ),
    ] = Path("registry.json"),
    check: Annotated[
        bool,
        typer.Option("--check", help="Write nothing; report what the merge would do."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Merge per-package records files into registry.json: the newest record of each plugin wins."""
    from .._text import clean_text
    from ..catalog.refresh import merge_record_files

    report = merge_record_files(into, records, write=not check)
    if as_json:
        emit_json({"into": str(into), **report.as_dict()})
    else:
        lines = [f"updated {line}" for line in report.updated]
        lines += [f"kept {line}" for line in report.kept]
        lines += [f"dropped {line}" for line in report.dropped]
        sys.stdout.write("".join(f"{clean_text(line, 500)}\n" for line in lines))
        for line in report.conflicts:
            warn(clean_text(line, 500))
        for refused in report.refused:
            for problem in refused.problems:
                sys.stderr.write(f"{refused.label}: {clean_text(problem, 500)}\n")
        verb = "would change" if check else "updated"
        state = verb if report.changed else "up to date"
        sys.stdout.write(
            f"{into}: {state} ({len(report.merged_files)} file(s) merged, "
            f"{len(report.refused)} refused)\n"
        )
    if not report.ok:
        raise typer.Exit(1)
