"""The public surface and the fast start promised in docs/benchmarks.md."""

from __future__ import annotations

import json
import subprocess
import sys

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
        "print(json.dumps([m for m in ('fastrtc', 'gradio', 'numpy', 'httpx') "
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
