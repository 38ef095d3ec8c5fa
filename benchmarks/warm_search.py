"""A repeated (warm) ``fastrtc-plugins search`` against a local index.

Serves a PEP 691 index with a few dozen ``fastrtc-*`` projects (wheels with
entry points) on 127.0.0.1, runs the CLI once cold (empty cache), then times
repeated runs, each a fresh process, as a user would:

    python benchmarks/warm_search.py --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _index_servers import StaticServer
from wheel_range import padded_wheel

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
PROJECTS = 30


def routes_for(count: int) -> dict[str, tuple[bytes, str]]:
    """Root page, project pages and one small wheel per project."""
    names = [f"fastrtc-bench-{i:02d}" for i in range(count)]
    routes = {
        "/simple/": (
            json.dumps(
                {"meta": {"api-version": "1.0"}, "projects": [{"name": n} for n in names]}
            ).encode(),
            JSON_TYPE,
        )
    }
    for name in names:
        wheel, body = padded_wheel(200_000, name)
        routes[f"/simple/{name}/"] = (
            json.dumps(
                {
                    "meta": {"api-version": "1.0"},
                    "name": name,
                    "files": [{"filename": wheel, "url": f"/files/{wheel}", "hashes": {}}],
                }
            ).encode(),
            JSON_TYPE,
        )
        routes[f"/files/{wheel}"] = (body, "application/octet-stream")
    return routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    routes = routes_for(PROJECTS)
    server = StaticServer(routes.get)
    url = f"{server.base}/simple/"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "FASTRTC_PLUGINS_CACHE_DIR": cache, "NO_PROXY": "127.0.0.1"}
        env.pop("FASTRTC_PLUGINS_OFFLINE", None)
        command = [sys.executable, "-m", "fastrtc_registry", "search", "--index-url", url, "--json"]

        def run() -> float:
            start = time.perf_counter()
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            elapsed = time.perf_counter() - start
            assert len(json.loads(out.stdout)) >= PROJECTS, out.stderr
            return elapsed

        cold = run()
        cold_requests = len(server.requests)
        warm = [run() for _ in range(args.rounds)]
    server.close()
    print(f"index: {PROJECTS} fastrtc-* projects with 200 KB wheels, on {server.base}")
    print(f"cold search: {cold:.3f} s, {cold_requests} requests")
    print(
        f"warm search: median {statistics.median(warm):.3f} s over {args.rounds} runs "
        f"(min {min(warm):.3f}, max {max(warm):.3f}), "
        f"{len(server.requests) - cold_requests} requests"
    )


if __name__ == "__main__":
    main()
