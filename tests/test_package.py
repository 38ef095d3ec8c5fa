"""The public surface and the fast start promised in docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import fastrtc_registry

HEAVY = ("fastrtc", "gradio", "numpy", "httpx", "rich")


def test_public_api() -> None:
    assert set(fastrtc_registry.__all__) == {
        "AmbiguousPluginError",
        "PluginCopyWarning",
        "PluginKindError",
        "PluginLoadError",
        "PluginNotFoundError",
        "PluginNotInstalledError",
        "PluginRecord",
        "PluginNameTypeError",
        "PluginRuntimeError",
        "RegistryError",
        "__version__",
        "installed_plugins",
        "load_turn_taking",
        "load_vad",
        "reply_on_pause",
    }
    for name in fastrtc_registry.__all__:
        assert getattr(fastrtc_registry, name) is not None


def _imported_after(statement: str) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_cli_import_is_light() -> None:
    modules = set(_imported_after("import fastrtc_registry.cli"))
    assert not [m for m in HEAVY if m in modules]


def test_package_import_is_light() -> None:
    modules = set(_imported_after("import fastrtc_registry"))
    assert not [m for m in HEAVY if m in modules]


def test_list_does_not_import_fastrtc() -> None:
    code = (
        "import sys, json\n"
        "from fastrtc_registry.cli import main\n"
        "main(['list', '--json'])\n"
        "print(json.dumps([m for m in ('fastrtc', 'gradio', 'numpy', 'httpx', "
        "'fastrtc_registry.index') "
        "if m in sys.modules]), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []


def test_cli_import_defers_discovery_and_the_catalog() -> None:
    # The package's names load on first use, so --help pays for none of this.
    modules = set(_imported_after("import fastrtc_registry.cli"))
    deferred = ("discovery", "loading", "catalog", "packages", "search", "index")
    assert not [m for m in deferred if f"fastrtc_registry.{m}" in modules]


def test_public_names_resolve_lazily_and_are_listed() -> None:
    assert set(fastrtc_registry.__all__) <= set(dir(fastrtc_registry))
    from fastrtc_registry import loading

    assert fastrtc_registry.load_vad is loading.load_vad
    try:
        fastrtc_registry.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_the_command_line_skips_httpx_cli_and_trio() -> None:
    code = (
        "import sys, json\n"
        "from fastrtc_registry.cli import main\n"
        "main(['--version'])\n"
        "import httpx, httpcore\n"
        "print(json.dumps([m for m in ('httpx._main', 'trio', 'pygments') "
        "if sys.modules.get(m) is not None]), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []


# What --help must not load: typer.rich_utils' markdown and traceback support
# (cli/_lean_rich.py), and nothing of the network, the audio or the metadata.
NOT_FOR_HELP = (
    "rich.markdown",
    "rich.syntax",
    "rich.traceback",
    "rich.pretty",
    "markdown_it",
    "pygments",
    "httpx",
    "numpy",
    "fastrtc",
    "email.parser",
    "fastrtc_registry.catalog",
    "fastrtc_registry.discovery",
    "fastrtc_registry.index",  # not even to ask whether a search may start early
)


def _modules_after_main(argv: list[str]) -> dict[str, list[str]]:
    code = (
        "import sys, json\n"
        "from fastrtc_registry.cli import main\n"
        f"code = main({argv!r})\n"
        "found = {'code': [str(code)], 'modules': sorted(sys.modules)}\n"
        "print(json.dumps(found), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    result: dict[str, list[str]] = json.loads(out.stderr.strip().splitlines()[-1])
    result["stdout"] = [out.stdout]
    return result


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["search", "--help"], ["list", "--kind", "nope"]],
    ids=["help", "command-help", "usage-error"],
)
def test_help_and_usage_errors_load_no_heavy_module(argv: list[str]) -> None:
    result = _modules_after_main(argv)
    modules = set(result["modules"])
    assert "typer.rich_utils" in modules  # the panels were drawn by typer's rich help
    loaded = [m for m in NOT_FOR_HELP if m in modules]
    assert loaded == [], f"{argv} loaded {loaded}; import them inside the functions that need them"
    if argv[-1] == "--help":
        assert result["code"] == ["0"] and "Usage:" in result["stdout"][0]
    else:
        assert result["code"] == ["2"]


def test_the_deferred_rich_classes_are_the_real_ones_on_use() -> None:
    # After typer.rich_utils loaded with the stand-ins, nothing else sees them:
    # rich.markdown imports for real, and typer's markdown mode still renders.
    code = (
        "import sys\n"
        "from fastrtc_registry.cli import main\n"
        "main(['--help'])\n"
        "assert 'rich.markdown' not in sys.modules and 'rich.traceback' not in sys.modules\n"
        "from typer import rich_utils\n"
        "from rich.markdown import Markdown\n"
        "from rich.traceback import Traceback\n"
        "assert Markdown.__module__ == 'rich.markdown' and sys.modules['rich.markdown'].__file__\n"
        "made = rich_utils._make_rich_text(text='**bold**', markup_mode='markdown')\n"
        "assert type(made) is Markdown, type(made)\n"
        "try:\n"
        "    raise ValueError('x')\n"
        "except ValueError as exc:\n"
        "    tb = rich_utils.Traceback.from_exception(type(exc), exc, exc.__traceback__)\n"
        "assert type(tb) is Traceback, type(tb)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "ok"


def _progress_consoles(monkeypatch: pytest.MonkeyPatch, *, tty: bool, env: dict[str, str]) -> int:
    import io

    from fastrtc_registry.cli import _app, search_cmd
    from fastrtc_registry.index.scan import ScanProgress

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    for name in ("TTY_COMPATIBLE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "stderr", Stream())
    monkeypatch.setattr(_app, "_consoles", {})
    with search_cmd._progress() as update:
        update(ScanProgress(stage="root", bytes=10, found=0, done=0, total=0))
        update(ScanProgress(stage="projects", bytes=10, found=1, done=1, total=1))
    return len(_app._consoles)


@pytest.mark.parametrize(
    ("tty", "env", "consoles"),
    [
        (False, {}, 0),
        (True, {}, 1),
        (False, {"FORCE_COLOR": "1"}, 1),
        (False, {"TTY_COMPATIBLE": "1"}, 1),
    ],
    ids=["pipe", "terminal", "force-color", "tty-compatible"],
)
def test_the_search_spinner_loads_rich_only_where_it_can_be_seen(
    monkeypatch: pytest.MonkeyPatch, tty: bool, env: dict[str, str], consoles: int
) -> None:
    # In a pipe rich draws no spinner, so the scan does not stop to import it.
    assert _progress_consoles(monkeypatch, tty=tty, env=env) == consoles


def test_a_typer_that_needs_more_of_rich_markdown_still_loads() -> None:
    # If typer.rich_utils asks the stand-in for a name it lacks, it is loaded with the real one.
    import sys
    from importlib.abc import Loader
    from types import ModuleType

    from fastrtc_registry.cli._lean_rich import _Loader

    class Wants(Loader):
        def exec_module(self, module: ModuleType) -> None:
            from rich.markdown import Heading  # not in the stand-in

            module.Heading = Heading  # type: ignore[attr-defined]

    saved = {name: sys.modules.pop(name, None) for name in ("rich.markdown", "rich.traceback")}
    try:
        module = ModuleType("typer_rich_utils_like")
        _Loader(Wants()).exec_module(module)
        assert module.Heading.__module__ == "rich.markdown"  # type: ignore[attr-defined]
        assert getattr(sys.modules.get("rich.markdown"), "__file__", None)  # the real module
    finally:
        for name, real in saved.items():
            if real is not None:
                sys.modules[name] = real
