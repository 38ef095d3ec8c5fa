"""The worker isolates plugin code: hangs, exits, crashes and noise never reach the caller."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from fastrtc_registry.validation.protocol import (
    BuildReply,
    BuildRequest,
    LoadReply,
    LoadRequest,
    ProtocolViolation,
)
from fastrtc_registry.validation.worker import WorkerSession, WorkerStopped

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
    # Learns the run id and number at import (off the worker's stack), predicts the
    # next request's number by counting, and answers that request from the model's
    # constructor: run and number are right, but its nonce did not exist yet.
    "predicts": textwrap.dedent(
        """
        import json
        import os
        import sys

        def _served():
            frame = sys._getframe()
            while frame is not None:
                envelope = frame.f_locals.get("envelope")
                if envelope is not None and hasattr(envelope, "run"):
                    return envelope.run, envelope.seq
                frame = frame.f_back
            raise RuntimeError("the worker changed: no envelope on the stack")

        _RUN, _SEQ = _served()

        class Model:
            def __init__(self):
                forged = {
                    "run": _RUN,
                    "seq": _SEQ + 1,
                    "nonce": "0" * 16,
                    "type": "build",
                    "body": {"built_type": "Model", "signatures": []},
                }
                os.write(int(sys.argv[-1]), (json.dumps(forged) + "\\n").encode())
                os._exit(0)

            def vad(self, audio, options):
                raise RuntimeError("this VAD never works")

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


def _load(module_dir: Path, module: str, timeout: float = 30.0) -> tuple[LoadReply, str]:
    env = {**os.environ, "PYTHONPATH": str(module_dir)}
    with WorkerSession(timeout=timeout, env=env) as session:
        reply = session.request(LoadRequest(f"worker_{module}:Model", "vad"), LoadReply)
        return reply, session.output


def test_hang_times_out(module_dir: Path) -> None:
    with pytest.raises(WorkerStopped, match=r"^timed out after 2 s \(the plugin hung"):
        _load(module_dir, "hangs", timeout=2.0)


def test_exit_is_reported(module_dir: Path) -> None:
    with pytest.raises(WorkerStopped, match=r"^the worker exited with code 3 without answering"):
        _load(module_dir, "exits")


def test_segfault_is_reported(module_dir: Path) -> None:
    with pytest.raises(WorkerStopped, match=r"^the plugin crashed the interpreter \(SIGSEGV\)$"):
        _load(module_dir, "segfaults")


def test_exception_is_an_observation(module_dir: Path) -> None:
    reply, _ = _load(module_dir, "raises")
    assert reply.error is not None
    assert reply.error.line() == "RuntimeError: model file is corrupt"
    assert reply.facts is None


def test_plugin_output_does_not_corrupt_the_answer(module_dir: Path) -> None:
    reply, output = _load(module_dir, "noisy")
    assert reply.error is None and reply.facts is not None
    assert reply.facts.qualname == "Model" and reply.facts.missing_methods == ()
    assert "hello from the plugin" in output


def test_a_fastrtc_registry_folder_in_the_working_directory_is_not_imported(
    module_dir: Path, tmp_path: Path
) -> None:
    # A project checkout as the working directory: the worker still runs the installed code.
    shadow = tmp_path / "fastrtc_registry"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise SystemExit('the checkout was imported')\n")
    env = {**os.environ, "PYTHONPATH": str(module_dir)}
    with WorkerSession(timeout=30.0, env=env, cwd=tmp_path) as session:
        reply = session.request(LoadRequest("worker_noisy:Model", "vad"), LoadReply)
    assert reply.error is None and reply.facts is not None


def test_a_reply_with_the_predicted_run_and_number_but_not_the_nonce_is_rejected(
    module_dir: Path,
) -> None:
    """The run id is fixed for a session and numbers count up: only the nonce is unguessable."""
    env = {**os.environ, "PYTHONPATH": str(module_dir)}
    with WorkerSession(timeout=30, env=env) as session:
        loaded = session.request(LoadRequest("worker_predicts:Model", "vad"), LoadReply)
        assert loaded.error is None, loaded.error
        with pytest.raises(ProtocolViolation, match=r"did not echo the request's nonce$"):
            session.request(BuildRequest(), BuildReply)
