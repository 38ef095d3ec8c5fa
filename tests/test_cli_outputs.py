"""Output files that cannot be written: refused before the work, or one line after the results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from fastrtc_registry.cli._app import check_output_path, write_output

ROOT = Path(__file__).resolve().parents[1]
# Places where nothing can be created, even by root (os.access says yes there as root).
UNWRITABLE = [Path("/sys/kernel/out.xml"), Path("/proc/out.xml")]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FASTRTC_PLUGINS_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "fastrtc_registry", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("path", UNWRITABLE, ids=["sys", "proc"])
def test_an_unwritable_place_is_refused_by_trying(path: Path) -> None:
    with pytest.raises(typer.BadParameter, match="cannot be written"):
        check_output_path(path, "--junit")


def test_a_writable_path_is_left_as_it_was(tmp_path: Path) -> None:
    check_output_path(tmp_path / "new.xml", "--junit")
    assert not (tmp_path / "new.xml").exists()  # the trial file is removed
    kept = tmp_path / "kept.xml"
    kept.write_text("old")
    check_output_path(kept, "--junit")
    assert kept.read_text() == "old"


def test_a_write_that_fails_at_the_end_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def write() -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "x.svg"))

    with pytest.raises(typer.Exit) as exit_:
        write_output(write, tmp_path / "x.svg")
    assert exit_.value.exit_code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert err == f"error: could not write {tmp_path / 'x.svg'}: Permission denied"


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "energy", "--junit", "/sys/kernel/r.xml"),
        ("bench", "energy", "--plot", "/sys/kernel/x.svg"),
        ("replay", "nothing.wav", "--plot", "/sys/kernel/x.svg"),
    ],
    ids=["validate-junit", "bench-plot", "replay-plot"],
)
def test_commands_refuse_an_unwritable_output_before_running(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    proc = _cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "cannot be written" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("where", ["/proc/nope", "/sys/kernel/newplug"], ids=["proc", "sys"])
def test_new_into_an_unwritable_directory_is_one_error(tmp_path: Path, where: str) -> None:
    proc = _cli("new", "quiet-room", "--kind", "vad", "--dir", where, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: cannot write {where}")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
