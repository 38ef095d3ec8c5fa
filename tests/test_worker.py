"""The worker isolates plugin code: hangs, exits, crashes and noise never reach the caller."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from fastrtc_registry._worker import run_worker

MODULES = {
    "hangs": "while True:\n    pass\n",
    "exits": "import os\nos._exit(3)\n",
    "segfaults": "import ctypes\nctypes.string_at(0)\n",
    "raises": "raise RuntimeError('model file is corrupt')\n",
    "noisy": textwrap.dedent(
        """
        import sys
        print("hello from the plugin")
        sys.stdout.write("{not json")

        class Model:
            def vad(self, audio, options):
                return 0.0, []

            def warmup(self):
                pass
        """
    ),
}


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("worker_modules")
    for name, source in MODULES.items():
        (root / f"worker_{name}.py").write_text(source)
    return root


def _import(module_dir: Path, module: str, timeout: float = 30.0):
    env = {**os.environ, "PYTHONPATH": str(module_dir)}
    return run_worker(
        {"action": "import", "object": f"worker_{module}:Model", "kind": "vad"},
        timeout=timeout,
        env=env,
    )


def test_hang_times_out(module_dir: Path) -> None:
    outcome = _import(module_dir, "hangs", timeout=2.0)
    assert outcome.answer is None
    assert outcome.error == "timed out after 2 s (the plugin hung or is too slow)"


def test_exit_is_reported(module_dir: Path) -> None:
    outcome = _import(module_dir, "exits")
    assert outcome.answer is None
    assert outcome.returncode == 3
    assert outcome.error is not None
    assert outcome.error.startswith("the worker exited with code 3 without answering")


def test_segfault_is_reported(module_dir: Path) -> None:
    outcome = _import(module_dir, "segfaults")
    assert outcome.answer is None
    assert outcome.error == "the plugin crashed the interpreter (SIGSEGV)"


def test_exception_becomes_an_answer(module_dir: Path) -> None:
    outcome = _import(module_dir, "raises")
    assert outcome.answer == {"ok": False, "error": "RuntimeError: model file is corrupt"}


def test_plugin_output_does_not_corrupt_the_answer(module_dir: Path) -> None:
    outcome = _import(module_dir, "noisy")
    assert outcome.answer == {"ok": True, "error": None}
    assert "hello from the plugin" in outcome.stderr


def test_unknown_action_is_an_error_answer() -> None:
    outcome = run_worker({"action": "nope"}, timeout=30)
    assert outcome.answer is not None
    assert outcome.answer["ok"] is False
    assert "KeyError" in outcome.answer["error"]
