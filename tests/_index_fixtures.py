"""Real package indexes on 127.0.0.1 for the index and search tests.

- ``index_files``: a folder of distributions: wheels of fixture plugins (real
  builds), non-plugin ``fastrtc-*`` projects, a catalog package without the
  prefix, a wheel padded past the range-read threshold, an sdist-only project
  whose build would leave a marker, and an unrelated project.
- ``pypi_url``: pypiserver in this process (PEP 503 HTML, byte ranges).
- ``devpi_url``: devpi-server in a subprocess (PEP 691 JSON, no ranges).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

INDEXED_PLUGINS = ("energy_vad", "patient_pause", "legacy_vad", "marker_vad", "nonplugin_tts")
MARKER_ENV = "FASTRTC_TEST_IMPORT_MARKER"
BIG_WHEEL_PADDING = 1_500_000


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The span (inclusive) ``Range: bytes=a-b``, ``a-`` or ``-n`` asks of ``size`` bytes."""
    asked = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if asked is None or not (asked[1] or asked[2]):
        return None
    if not asked[1]:  # a suffix: the last n bytes
        return max(0, size - int(asked[2])), size - 1
    return int(asked[1]), min(int(asked[2]) if asked[2] else size - 1, size - 1)


def make_wheel(
    outdir: Path,
    name: str,
    version: str,
    *,
    entry_points: str = "",
    requires_python: str | None = ">=3.10",
    requires: tuple[str, ...] = ("fastrtc",),
    summary: str = "",
    padding: int = 0,
) -> Path:
    """Write a small, valid wheel with zipfile (dist-info last, as real builds do)."""
    module = name.replace("-", "_").lower()
    dist_info = f"{module}-{version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {summary or name + ' (test fixture)'}",
    ]
    if requires_python:
        metadata.append(f"Requires-Python: {requires_python}")
    metadata += [f"Requires-Dist: {r}" for r in requires]
    path = outdir / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        whl.writestr(f"{module}/__init__.py", "raise SystemExit('never imported by search')\n")
        if padding:
            # Incompressible, so the wheel really is this big on the wire.
            whl.writestr(f"{module}/weights.bin", os.urandom(padding), zipfile.ZIP_STORED)
        whl.writestr(f"{dist_info}/METADATA", "\n".join(metadata) + "\n")
        whl.writestr(
            f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        if entry_points:
            whl.writestr(f"{dist_info}/entry_points.txt", entry_points)
        whl.writestr(f"{dist_info}/RECORD", "")
    return path


def make_sdist(outdir: Path, name: str, version: str) -> Path:
    """An sdist whose setup.py would write the import marker if anything built it."""
    base = f"{name.replace('-', '_')}-{version}"
    setup = (
        b"import os, pathlib\n"
        b"pathlib.Path(os.environ['" + MARKER_ENV.encode() + b"']).write_text('built')\n"
        b"from setuptools import setup\nsetup()\n"
    )
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    path = outdir / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, data in ((f"{base}/setup.py", setup), (f"{base}/PKG-INFO", pkg_info)):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(scope="session")
def index_files(tmp_path_factory: pytest.TempPathFactory, plugin_wheels: dict[str, Path]) -> Path:
    """Every distribution the test indexes serve."""
    folder = tmp_path_factory.mktemp("index-files")
    for name in INDEXED_PLUGINS:
        shutil.copy(plugin_wheels[name], folder)
    make_wheel(
        folder,
        "fastrtc-big-vad",
        "1.0.0",
        padding=BIG_WHEEL_PADDING,
        entry_points="[fastrtc.vad]\nbig = fastrtc_big_vad:BigVAD\n\n"
        "[fastrtc.turn_taking]\nbig-turns = fastrtc_big_vad:BigTurns\n",
    )
    make_wheel(
        folder,
        "fastrtc-big-vad",
        "0.9.0",
        padding=1000,
        entry_points="[fastrtc.vad]\nbig = fastrtc_big_vad:OldVAD\n",
    )
    make_wheel(
        folder,
        "fastrtc-big-vad",
        "2.0.0rc1",
        entry_points="[fastrtc.vad]\nbig = fastrtc_big_vad:NextVAD\n",
    )
    make_wheel(
        folder,
        "fastrtc-future-vad",
        "1.0.0",
        requires_python=">=3.99",
        requires=("fastrtc>=99",),
        entry_points="[fastrtc.vad]\nfuture = fastrtc_future_vad:Model\n",
    )
    make_wheel(
        folder,
        "humaware-vad",
        "0.1.0",
        requires_python=">=3.12",
        requires=("fastrtc", "torch"),
        summary="HumAware VAD",
    )
    make_wheel(
        folder,
        "unrelated-vad",
        "1.0.0",
        entry_points="[fastrtc.vad]\nunrelated = unrelated_vad:Model\n",
    )
    make_sdist(folder, "fastrtc-sdist-only", "0.1.0")
    return folder


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64  # the default (5) drops concurrent connects for a second


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def pypi_url(index_files: Path) -> Iterator[str]:
    """pypiserver (HTML only, byte ranges) serving ``index_files`` on 127.0.0.1."""
    import pypiserver

    app = pypiserver.app(
        roots=[str(index_files)], disable_fallback=True, authenticate=[], password_file="."
    )
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/simple/"
    server.shutdown()
    server.server_close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


@pytest.fixture(scope="session")
def devpi_url(tmp_path_factory: pytest.TempPathFactory, index_files: Path) -> Iterator[str]:
    """devpi-server (PEP 691 JSON, no ranges) with ``index_files`` uploaded to root/plugins."""
    base = tmp_path_factory.mktemp("devpi")
    serverdir, clientdir = base / "server", base / "client"
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    subprocess.run(
        [_bin("devpi-init"), "--serverdir", str(serverdir), "--no-root-pypi"],
        check=True,
        capture_output=True,
        env=env,
    )
    port = free_port()
    log = (base / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            _bin("devpi-server"),
            "--serverdir",
            str(serverdir),
            "--offline-mode",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{root}/+api", proc, base / "server.log")

        def devpi(*args: str) -> None:
            subprocess.run(
                [_bin("devpi"), *args, "--clientdir", str(clientdir)],
                check=True,
                capture_output=True,
                env=env,
            )

        devpi("use", root)
        devpi("login", "root", "--password", "")
        devpi("index", "-c", "root/plugins", "bases=")
        devpi("use", "root/plugins")
        devpi("upload", "--from-dir", str(index_files))
        yield f"{root}/root/plugins/+simple/"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        if proc.poll() is None:
            proc.kill()
        log.close()


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"devpi-server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, trust_env=False, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"devpi-server did not start in 60 s: {log.read_text()[-2000:]}")
