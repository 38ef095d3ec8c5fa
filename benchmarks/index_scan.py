"""Streaming prefix scan of a full-size root index vs downloading it vs ``json.loads``.

Builds a synthetic PEP 691 root page the size of the public index's (about
886k names, ~44 MB; names generated deterministically, a few dozen of them
``fastrtc-*``), serves it on 127.0.0.1, and runs each approach in its own
subprocess, interleaved, to report wall time and peak RSS side by side.
``root`` is the streaming scan of the root page alone; ``scan`` is the whole
``scan_index`` call (root scan, then a request per candidate, 404 here):

    python benchmarks/index_scan.py --rounds 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _index_servers import StaticServer

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
NAMES = 886_000
PLUGIN_NAMES = 36


def root_page(count: int = NAMES, seed: int = 691) -> bytes:
    """A PEP 691 root page with ``count`` names, ``PLUGIN_NAMES`` of them fastrtc-*."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    plugin_at = set(rng.sample(range(count), PLUGIN_NAMES))
    projects = []
    for i in range(count):
        stem = "".join(rng.choice(letters) for _ in range(rng.randint(3, 12)))
        name = f"fastrtc-{stem}" if i in plugin_at else f"{stem}-{i:x}"
        projects.append({"name": name, "_last-serial": rng.randint(1, 30_000_000)})
    doc = {"meta": {"api-version": "1.1", "_last-serial": 30_000_000}, "projects": projects}
    return json.dumps(doc).encode()


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, url: str) -> dict[str, float]:
    """Run one approach in this process; return seconds, peak RSS and names found."""
    import asyncio

    import httpx

    from fastrtc_registry.index import scan_index

    baseline = _maxrss_mb()
    start = time.perf_counter()
    found = 0
    if mode == "root":
        # Only the streaming root-page scan (what scan_index does before it
        # reads the candidates' pages): the like-for-like comparison with download.
        from fastrtc_registry.index.cache import IndexCache
        from fastrtc_registry.index.client import IndexClient
        from fastrtc_registry.index.scan import _scan_root

        async def root_scan() -> int:
            with tempfile.TemporaryDirectory() as cache:
                async with IndexClient() as client:
                    names = await _scan_root(
                        client,
                        url,
                        ("fastrtc-", "fastrtc_"),
                        (),
                        IndexCache(url, Path(cache)),
                        [],
                        None,
                        None,
                    )
            return len(names)

        found = asyncio.run(root_scan())
    elif mode == "scan":
        # The real library call; project pages 404 here, so the server counts
        # the names the root scan matched.
        with tempfile.TemporaryDirectory() as cache:
            scan = scan_index(url, cache_root=Path(cache), refresh=True)
        if scan.error:
            raise SystemExit(scan.error)
    elif mode == "download":

        async def download() -> int:
            async with (
                httpx.AsyncClient(trust_env=False, timeout=60) as client,
                client.stream("GET", url, headers={"Accept": JSON_TYPE}) as response,
            ):
                return sum([len(chunk) async for chunk in response.aiter_bytes()])

        asyncio.run(download())
    elif mode == "json":
        body = httpx.get(url, headers={"Accept": JSON_TYPE}, trust_env=False, timeout=60).content
        doc = json.loads(body)
        found = sum(1 for p in doc["projects"] if p["name"].startswith(("fastrtc-", "fastrtc_")))
    return {
        "seconds": time.perf_counter() - start,
        "maxrss_mb": _maxrss_mb(),
        "baseline_mb": baseline,
        "found": found,
    }


def serve(gzip_level: int) -> None:
    """Generate the page and serve it until stdin closes (run as a subprocess, so the
    measuring processes do not inherit the generator's peak RSS across exec)."""
    body = root_page()

    def routes(path: str) -> tuple[bytes, str] | None:
        return (body, JSON_TYPE) if path == "/simple/" else None

    server = StaticServer(routes)
    if gzip_level:
        server.gzipped = ("/simple/", gzip.compress(body, gzip_level))
    print(f"{server.base}/simple/ {len(body)}", flush=True)
    sys.stdin.read()
    pages = sum(1 for _, path, _ in server.requests if path != "/simple/")
    print(pages, flush=True)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--gzip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    if args.serve:
        serve(args.gzip)
        return
    for level in (0, 6):
        run_all(args.rounds, level)


def run_all(rounds: int, gzip_level: int) -> None:
    """Serve the page (gzip-encoded when ``gzip_level``) and compare the approaches."""
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--gzip", str(gzip_level)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    url, size = server.stdout.readline().split()
    encoding = f"gzip level {gzip_level}" if gzip_level else "identity"
    print(
        f"\nroot page: {int(size) / 1e6:.1f} MB, {NAMES} names, {PLUGIN_NAMES} fastrtc-*, "
        f"sent {encoding}"
    )
    results: dict[str, list[dict[str, float]]] = {
        "download": [],
        "root": [],
        "scan": [],
        "json": [],
    }
    for _ in range(rounds):
        for mode in results:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", mode, url],
                capture_output=True,
                text=True,
                check=True,
            )
            results[mode].append(json.loads(out.stdout))
    server.stdin.close()
    pages = int(server.stdout.readline())
    server.wait()
    download = statistics.median(r["seconds"] for r in results["download"])
    print(
        f"{'approach':<10} {'median s':>9} {'vs download':>12} {'peak RSS MB':>12} "
        f"{'RSS before MB':>14}"
    )
    for mode, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        print(
            f"{mode:<10} {seconds:9.3f} {seconds / download:11.2f}x "
            f"{max(r['maxrss_mb'] for r in runs):12.0f} "
            f"{min(r['baseline_mb'] for r in runs):14.0f}"
        )
    print(
        f"root scan found {results['root'][0]['found']:.0f} names, json.loads "
        f"{results['json'][0]['found']:.0f}; scan_index asked for {pages} candidate pages "
        f"in {rounds} run(s) ({PLUGIN_NAMES} each expected)"
    )


if __name__ == "__main__":
    main()
