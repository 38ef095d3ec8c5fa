"""Hostile plugins: forged verdicts, processes that outlive the run, floods, memory, hung builds.

Each fixture under tests/plugins/hostile_* attacks one rule of the
validator; each test shows the rule holds. A process counts as gone when it
no longer exists or is a zombie (dead, waiting to be reaped by init).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PLUGINS, PluginEnv, make_env

HOSTILE = ("hostile_forgery", "hostile_out_of_order", "hostile_grandchild", "hostile_memory")


@pytest.fixture(scope="session")
def hostile_env(
    tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]
) -> PluginEnv:
    """A venv with the hostile fixture plugins installed."""
    root = tmp_path_factory.mktemp("hostile") / "venv"
    return make_env(root, [plugin_wheels[n] for n in HOSTILE])


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _pids(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()]


def _checks(proc: subprocess.CompletedProcess[str]) -> dict[str, dict[str, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    return {c["id"]: c for p in data["plugins"] for c in p["checks"]}


@pytest.mark.parametrize("name", ["hostile-forgery", "hostile-out-of-order"])
def test_a_forged_or_out_of_order_reply_fails_validate(hostile_env: PluginEnv, name: str) -> None:
    proc = hostile_env.run("validate", name, "--json")
    assert proc.returncode == 1
    checks = _checks(proc)
    assert checks["IMP103"]["status"] == "failed"
    assert "the plugin interfered with the validator" in checks["IMP103"]["message"]
    # vad() raises: nothing after the forgery may pass.
    assert all(c["status"] == "skipped" for i, c in checks.items() if i.startswith("VAD"))
    assert all(c["reason"] == "after IMP103" for i, c in checks.items() if i.startswith("VAD"))


def test_a_forged_reply_marks_the_plugin_broken_in_list_check(hostile_env: PluginEnv) -> None:
    proc = hostile_env.run("list", "--check", "--json")
    assert proc.returncode == 1
    status = {r["name"]: (r["status"], r["error"]) for r in json.loads(proc.stdout)}
    for name in ("hostile-forgery", "hostile-out-of-order"):
        assert status[name][0] == "broken", status[name]
        assert "interfered with the validator" in status[name][1]


def test_no_descendant_outlives_validate(hostile_env: PluginEnv, tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    # A generous --timeout: a run that waited for the grandchild to close the
    # output pipe would hit the subprocess timeout below instead.
    proc = hostile_env.run(
        "validate",
        "hostile-grandchild",
        "--json",
        "--timeout",
        "600",
        env={"FASTRTC_HOSTILE_PIDFILE": str(pidfile)},
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    worker, child, escaped = _pids(pidfile)
    assert [pid for pid in (worker, child, escaped) if _running(pid)] == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_validate_kills_the_worker_and_removes_the_venv(
    good_env: PluginEnv, tmp_path: Path, signum: int, code: int
) -> None:
    pidfile, tmp = tmp_path / "pids", tmp_path / "tmp"
    tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(tmp),
        "FASTRTC_HOSTILE_PIDFILE": str(pidfile),
        "FASTRTC_HOSTILE_SPIN": "1",
    }
    target = str(PLUGINS / "hostile_grandchild")
    proc = subprocess.Popen(
        [str(good_env.python), "-m", "fastrtc_registry", "validate", target, "--timeout", "600"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):
            if pidfile.is_file() and pidfile.read_text().count(" ") == 2:
                break
            time.sleep(0.1)
        assert any(tmp.iterdir()), "the throwaway environment was not created"
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == code
    finally:
        proc.kill()
    assert [pid for pid in _pids(pidfile) if _running(pid)] == []
    assert [p.name for p in tmp.iterdir() if p.name.startswith("fastrtc-validate-")] == []


_FLOOD = """
import json
from fastrtc_registry.validation.protocol import LoadReply, LoadRequest
from fastrtc_registry.suite import run_plugin_checks
from fastrtc_registry.validation.worker import WorkerSession

spec = "fastrtc_hostile_flood:HostileVAD"
results = run_plugin_checks(spec, "vad", "flood", timeout=300)
with WorkerSession(timeout=300) as session:
    session.request(LoadRequest(spec, "vad"), LoadReply)
    printed, kept = session.output_bytes, len(session.output.encode())
print(json.dumps({
    "statuses": sorted({r.status for r in results}),
    "printed": printed,
    "kept": kept,
    # VmHWM, not ru_maxrss: ru_maxrss survives execve, so it would show the test runner's peak.
    "max_rss_mb": next(
        int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")
    ) / 1024,
}))
"""


def test_a_gigabyte_of_output_does_not_grow_the_parent() -> None:
    env = {**os.environ, "PYTHONPATH": str(PLUGINS / "hostile_flood")}
    proc = subprocess.run(
        [sys.executable, "-c", _FLOOD], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert figures["statuses"] == ["passed"]
    assert figures["printed"] >= 1024**3  # the plugin did print a gigabyte...
    assert figures["kept"] <= 64 * 1024 + 100  # ...of which the last 64 KB were kept
    assert figures["max_rss_mb"] < 200  # and the parent never held it


def test_a_memory_bomb_is_an_error_naming_the_limit(hostile_env: PluginEnv) -> None:
    proc = hostile_env.run("validate", "hostile-memory", "--json")
    assert proc.returncode == 1
    build = _checks(proc)["IMP103"]
    assert build["status"] == "error"
    assert "MemoryError" in build["message"] and "memory limit is 3 GiB" in build["message"]
    # Without the limit the same allocation succeeds: the limit is what stops it.
    proc = hostile_env.run("validate", "hostile-memory", "--json", "--memory-limit", "0")
    assert _checks(proc)["IMP103"]["status"] == "passed"


def test_a_build_backend_that_never_returns_is_stopped_by_the_timeout(
    good_env: PluginEnv, tmp_path: Path
) -> None:
    project, pidfile = tmp_path / "hung", tmp_path / "pids"
    shutil.copytree(PLUGINS / "hostile_hung_build", project)
    (project / "pyproject.toml.in").rename(project / "pyproject.toml")
    proc = good_env.run(
        "validate",
        str(project),
        "--timeout",
        "5",
        env={"FASTRTC_HOSTILE_PIDFILE": str(pidfile)},
        timeout=120,
    )
    assert proc.returncode == 1
    assert "timed out after 5 s" in proc.stderr
    assert _pids(pidfile), "the backend never ran"
    assert [pid for pid in _pids(pidfile) if _running(pid)] == []


def test_memory_limit_option_is_checked(good_env: PluginEnv) -> None:
    proc = good_env.run("validate", "energy", "--memory-limit", "lots", env={"COLUMNS": "300"})
    assert proc.returncode == 2
    assert "'lots' is not a size" in proc.stderr


def test_the_worker_dies_with_a_killed_validate(good_env: PluginEnv, tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the kernel must take the worker down with its parent."""
    pidfile = tmp_path / "pids"
    env = {
        **os.environ,
        "PYTHONPATH": str(PLUGINS / "hostile_grandchild"),
        "FASTRTC_HOSTILE_PIDFILE": str(pidfile),
        "FASTRTC_HOSTILE_SPIN": "1",
    }
    script = (
        "from fastrtc_registry.suite import run_plugin_checks\n"
        "run_plugin_checks('fastrtc_hostile_grandchild:HostileVAD', 'vad', timeout=600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        for _ in range(1200):
            if pidfile.is_file() and pidfile.read_text().count(" ") == 2:
                break
            time.sleep(0.1)
        worker = _pids(pidfile)[0]
        assert _running(worker)
        proc.kill()
        proc.wait(timeout=60)
        for _ in range(100):  # the kernel delivers the signal; give it a moment
            if not _running(worker):
                break
            time.sleep(0.05)
        assert not _running(worker)
    finally:
        proc.kill()
        for pid in _pids(pidfile) if pidfile.is_file() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
