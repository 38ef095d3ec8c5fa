"""Exit codes, the JSON error object and the error messages of every command (docs/cli.md).

Most cases run ``main()`` in this process: bad arguments, missing files and
``--offline`` lookups, so no index is read and no plugin code runs. What needs
a real process (a terminal, a signal) or the fixture plugins runs in one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import _index_fixtures
import pytest
from conftest import PluginEnv, terminal_output

from fastrtc_registry.cli import main

ROOT = Path(__file__).resolve().parents[1]

index_files = _index_fixtures.index_files
pypi_url = _index_fixtures.pypi_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``fastrtc-plugins ARGS`` in this process: exit code, stdout, stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a bad registry.json, an empty recording and a non-empty dir."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file.txt").write_text("x")
    return tmp_path


# (command, its main error situations as (args, exit code)); docs/cli.md, "Exit codes".
CASES = {
    "top-level": [(("no-such-command",), 2)],
    "list": [(("list", "--kind", "asr"), 2), (("list", "--timeout", "0"), 2)],
    "search": [
        (("search", "--kind", "asr"), 2),
        (("search", "--index-url", "ftp://x"), 2),
        (("search", "zzzz", "--offline"), 1),
    ],
    "info": [
        (("info", "nosuch", "--offline"), 1),
        (("info", "nosuch", "--index-url", "ftp://x"), 2),
        (("info",), 2),
    ],
    "install": [
        (("install", "nosuch", "--offline", "--dry-run"), 1),
        (("install", "nosuch", "--index-url", "ftp://x"), 2),
    ],
    "validate": [
        (("validate", "nosuch"), 1),
        (("validate", "./no/such/project"), 1),
        (("validate", "nosuch", "--index-url", "ftp://x"), 2),
        (("validate", "nosuch", "--ignore", "NOPE1"), 2),
        (("validate", "nosuch", "--format", "xml"), 2),
    ],
    "bench": [
        (("bench", "nosuch", "--plot", "chart.txt"), 2),
        (("bench", "nosuch", "--memory-limit", "lots"), 2),
    ],
    "replay": [
        (("replay", "missing.wav"), 2),
        (("replay", "empty.wav"), 2),
        (("replay", "missing.wav", "--memory-limit", "lots"), 2),
    ],
    "try": [
        (("try", "--vad", "nosuch", "--no-browser"), 1),
        (("try", "--port", "70000"), 2),
    ],
    "new": [
        (("new", "Bad Name!", "--kind", "vad"), 2),
        (("new", "quiet-room", "--kind", "asr"), 2),
        (("new", "quiet-room", "--kind", "vad", "--dir", "taken"), 1),
    ],
    "gallery": [
        (("gallery", "--out", "no/such/dir/gallery.md"), 2),
        (("gallery", "--format", "pdf"), 2),
    ],
    "registry-check": [
        (("registry", "check", "/no/such/registry.json"), 2),
        (("registry", "check", "."), 2),
        (("registry", "check", "bad.json"), 1),
    ],
    "registry-update": [
        (("registry", "update", "/no/such/registry.json", "--offline"), 2),
        (("registry", "update", "bad.json", "--offline", "--no-validate"), 1),
        (("registry", "update", "--index-url", "ftp://x"), 2),
    ],
    "registry-merge": [
        (("registry", "merge"), 2),
        (("registry", "merge", "bad.json", "--into", "/no/such/registry.json"), 2),
    ],
    "registry-packages": [
        (("registry", "packages", "/no/such/registry.json"), 2),
        (("registry", "packages", "bad.json"), 1),
    ],
}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(args, code, id=" ".join(args))
        for cases in CASES.values()
        for args, code in cases
    ],
)
def test_exit_code_of_each_error(
    files: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int
) -> None:
    got, out, err = run(capsys, *args)
    assert got == code, err
    assert "Traceback" not in err and "internal error" not in err
    assert err.strip(), "an error says why on stderr"
    assert out == "", "without --json nothing goes to stdout on an error"


def test_every_command_has_its_error_cases() -> None:
    from fastrtc_registry.cli import app
    from fastrtc_registry.cli.registry_cmd import registry_app

    commands = {c.name for c in app.registered_commands}
    commands |= {f"registry-{c.name}" for c in registry_app.registered_commands}
    assert commands <= set(CASES)


def test_the_json_error_object_keeps_the_exit_code(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, code, kind, words in [
        (("search", "zzzz", "--offline"), 1, "PluginNotFoundError", "matches 'zzzz'"),
        (("info", "nosuch", "--offline"), 1, "PluginNotFoundError", "'nosuch'"),
        (("list", "--kind", "asr"), 2, "UsageError", "unknown plugin kind 'asr'"),
        (("replay", "missing.wav"), 2, "AudioFileError", "no such file"),
        (("registry", "check", "/no/such.json"), 2, "UsageError", "does not exist"),
    ]:
        got, out, err = run(capsys, *args, "--json")
        assert got == code, err
        error = json.loads(out)["error"]
        assert error == {"type": kind, "message": error["message"], "exit_code": code}
        assert words in error["message"]
    got, out, _ = run(capsys, "validate", "nosuch", "--format", "json")
    assert got == 1 and json.loads(out)["error"]["type"] == "PluginNotFoundError"


def test_registry_check_json_without_jsonschema_is_a_json_error(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema raises ImportError
    code, out, err = run(capsys, "registry", "check", "--json")
    assert code == 1
    assert "pip install jsonschema" in json.loads(out)["error"]["message"]
    assert err.startswith("error: ")


def test_a_json_answer_is_not_followed_by_an_error_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "search", "--offline", "--json")
    assert code == 0 and isinstance(json.loads(out), list)


def test_an_unreachable_index_with_nothing_cached_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    monkeypatch.setenv("FASTRTC_PLUGINS_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("FASTRTC_PLUGINS_RETRIES", "0")
    url = f"http://127.0.0.1:{free_port()}/simple/"
    code, out, err = run(capsys, "search", "--index-url", url, "--json")
    assert code == 3, err
    assert {"pause", "silero"} <= {row["name"] for row in json.loads(out)}  # the catalog's
    assert "cannot reach" in err and "no cache" in err
    code, out, err = run(capsys, "info", "nosuch", "--index-url", url, "--json")
    assert code == 3, err
    assert json.loads(out)["error"]["type"] == "IndexUnreachableError"
    # The same rule where the catalog knows the plugin: shown, then exit 3.
    code, out, err = run(capsys, "info", "walkie-talkie", "--index-url", url, "--json")
    assert code == 3, err
    assert json.loads(out)["package"] == "fastrtc-walkie-talkie"
    code, out, err = run(capsys, "install", "walkie-talkie", "--dry-run", "--index-url", url)
    assert code == 3, err
    assert "nothing was installed" in err


def test_no_match_is_a_lookup_error_not_an_unreachable_index(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "search", "zzzz", "--offline")
    assert code == 1
    assert err.startswith("error: nothing in the catalog or the cache (offline) matches 'zzzz'")
    assert err.count("\n") == 1


def test_no_match_on_an_index_that_answered_is_1(
    pypi_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    code, out, err = run(capsys, "search", "zzzz", "--index-url", pypi_url, "--json")
    assert code == 1, err
    message = json.loads(out)["error"]["message"]
    assert message.startswith("nothing in the catalog or the index matches 'zzzz'")


def test_info_and_validate_suggest_builtin_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "info", "webrt", "--offline")
    assert code == 1 and "Did you mean 'webrtc'?" in err
    code, _, err = run(capsys, "validate", "webrt")
    assert code == 1 and "did you mean 'webrtc'?" in err


def test_validate_says_how_to_validate_a_catalogued_plugin_not_installed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "validate", "walkie-talkie")
    assert code == 1
    assert "'fastrtc-plugins validate pypi:fastrtc-walkie-talkie'" in err
    assert "pip install fastrtc-walkie-talkie" in err


def test_info_and_validate_suggest_installed_names(good_env: PluginEnv) -> None:
    info = good_env.run("info", "energi", "--offline")
    assert info.returncode == 1 and "Did you mean 'energy'?" in info.stderr
    validate = good_env.run("validate", "energi")
    assert validate.returncode == 1 and "did you mean 'energy'?" in validate.stderr


def test_kind_is_canonicalised_as_names_are(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "list", "--kind", "turn_taking", "--json")
    assert code == 0, err
    assert {row["kind"] for row in json.loads(out)} == {"turn-taking"}
    code, out, err = run(capsys, "search", "--kind", "Turn_Taking", "--offline", "--json")
    assert code == 0, err
    assert {row["kind"] for row in json.loads(out)} == {"turn-taking"}
    code, out, err = run(capsys, "new", "quiet-room", "--kind", "turn_taking")
    assert code == 0, err
    assert "fastrtc.turn_taking" in (files / "fastrtc-quiet-room" / "pyproject.toml").read_text()


def test_info_never_prints_none(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "info", "humaware", "--offline")
    assert code == 0, err
    assert "validated:" in out and "None" not in out


def test_a_bad_configured_index_does_not_matter_offline(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTRTC_PLUGINS_INDEX_URL", "garbage")
    for args in (("search", "--offline"), ("info", "webrtc", "--offline")):
        code, _, err = run(capsys, *args)
        assert code == 0, err
        assert "garbage" not in err and "warning" not in err


def _in_a_terminal(*args: str, env: dict[str, str], exit_code: int = 0) -> bytes:
    """What ``fastrtc-plugins ARGS`` writes to a pseudo-terminal."""
    argv = [sys.executable, "-m", "fastrtc_registry", *args]
    env = {"PYTHONPATH": str(ROOT), **env}
    return terminal_output(argv, env, stderr_too=True, exit_code=exit_code)


@pytest.mark.parametrize(
    ("args", "exit_code"),
    [
        (("info", "webrtc", "--offline"), 0),
        (("--help",), 0),  # typer's help panels
        (("search", "--bogus"), 2),  # typer's usage-error panel
    ],
)
def test_no_color_means_no_escapes_at_all(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], exit_code: int
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    styled = _in_a_terminal(*args, env={}, exit_code=exit_code)
    assert b"\x1b[1m" in styled  # bold: the terminal is really taken for one
    plain = _in_a_terminal(*args, env={"NO_COLOR": "1"}, exit_code=exit_code)
    assert b"\x1b[" not in plain  # no colour, and no bold or dim either
    assert plain.replace(b"\r", b"").strip()  # and still the same text


def test_ctrl_c_says_interrupted_and_exits_130(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FASTRTC_PLUGINS_OFFLINE")
    with socket.socket() as server:  # an index that takes the connection and never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(60)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/simple/"
        proc = subprocess.Popen(
            [sys.executable, "-m", "fastrtc_registry", "search", "--index-url", url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        connection, _ = server.accept()  # the command is now waiting on the index
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        connection.close()
    assert proc.returncode == 130
    assert err == "interrupted\n" and out == ""
