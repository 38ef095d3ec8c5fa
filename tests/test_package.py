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
