"""The network guard: offline variables, and an audit hook that blocks and records.

An audit hook cannot be removed, so each case runs in a fresh interpreter.
There a second hook, installed after the guard, stops any non-loopback
socket event that gets past the guard: were the guard broken, the test
fails on that sentinel instead of reaching the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from fastrtc_registry.validation.netguard import (
    OFFLINE_VARIABLES,
    BlockedAttempt,
    NetworkBlockedError,
    set_offline_environment,
)

_PRELUDE = """
import json, os, socket, sys
from fastrtc_registry.validation import netguard
from fastrtc_registry.network_errors import is_network_error

netguard.enter_offline_sandbox()

def sentinel(event, args):
    if event == "socket.getaddrinfo" and args and args[0] not in ("127.0.0.1", "localhost"):
        raise SystemExit("SENTINEL: the guard let a lookup of %r through" % (args[0],))
    if event == "socket.connect" and isinstance(args[1], tuple) and args[1][0] != "127.0.0.1":
        raise SystemExit("SENTINEL: the guard let a connection to %r through" % (args[1],))

sys.addaudithook(sentinel)

def outcome(func):
    try:
        func()
    except Exception as exc:
        return {"error": type(exc).__name__, "network": is_network_error(exc),
                "need": netguard.network_need(exc)}
    return {"error": None}
"""


def _run(body: str, tmp_path: Any) -> dict[str, Any]:
    script = _PRELUDE + textwrap.dedent(body)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("call", "target"),
    [
        (
            "__import__('httpx').get('http://weights.example.com/model.onnx')",
            "weights.example.com:80",
        ),
        (
            "__import__('requests').get('https://weights.example.com/m', timeout=5)",
            "weights.example.com:443",
        ),
        (
            "__import__('urllib.request').request.urlopen('http://weights.example.com/m')",
            "weights.example.com:80",
        ),
        ("socket.create_connection(('192.0.2.7', 443), timeout=5)", "192.0.2.7:443"),
        (
            "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('192.0.2.7', 53))",
            "192.0.2.7:53",
        ),
        ("socket.gethostbyname('weights.example.com')", "weights.example.com"),
    ],
    ids=["httpx", "requests", "urllib", "tcp", "udp", "gethostbyname"],
)
def test_non_loopback_access_is_blocked_and_named(tmp_path, call, target) -> None:
    result = _run(
        f"""
        got = outcome(lambda: {call})
        got["attempts"] = [a.target for a in netguard.blocked_attempts()]
        print(json.dumps(got))
        """,
        tmp_path,
    )
    assert result["error"] is not None
    assert result["network"] is True
    assert result["attempts"] == [target]
    assert f"tried to reach {target}" in result["need"]


def test_loopback_stays_open(tmp_path) -> None:
    result = _run(
        """
        import http.server, threading, httpx
        server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        status = httpx.get(f"http://127.0.0.1:{port}/", trust_env=False).status_code
        by_name = httpx.get(f"http://localhost:{port}/", trust_env=False).status_code
        server.shutdown()
        attempts = len(netguard.blocked_attempts())
        print(json.dumps({"status": [status, by_name], "attempts": attempts}))
        """,
        tmp_path,
    )
    assert result == {"status": [200, 200], "attempts": 0}


def test_hub_download_fails_at_once_and_names_the_file(tmp_path) -> None:
    result = _run(
        """
        from huggingface_hub import hf_hub_download
        got = outcome(lambda: hf_hub_download("someone/weights", "model.onnx"))
        got["offline"] = {k: os.environ.get(k) for k in netguard.OFFLINE_VARIABLES}
        print(json.dumps(got))
        """,
        tmp_path,
    )
    assert result["error"] == "LocalEntryNotFoundError"
    assert result["network"] is True
    assert "downloads someone/weights/model.onnx from the Hugging Face Hub" in result["need"]
    assert result["offline"] == OFFLINE_VARIABLES


def test_an_error_unrelated_to_the_network_has_no_need(tmp_path) -> None:
    result = _run(
        """
        print(json.dumps(outcome(lambda: open("/nonexistent/weights.onnx"))))
        """,
        tmp_path,
    )
    assert result == {"error": "FileNotFoundError", "network": False, "need": None}


def test_offline_environment_and_error_shape() -> None:
    environ: dict[str, str] = {"HF_HUB_OFFLINE": "0"}
    set_offline_environment(environ)
    assert environ["HF_HUB_OFFLINE"] == "1"
    assert environ["TRANSFORMERS_OFFLINE"] == "1"
    error = NetworkBlockedError(BlockedAttempt("socket.connect", "10.0.0.1", 443))
    assert isinstance(error, ConnectionError)
    assert "10.0.0.1:443" in str(error)
