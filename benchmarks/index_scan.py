"""Streaming prefix scan of a full-size root index vs downloading it vs ``json.loads``.

Builds a synthetic PEP 691 root page the size of the public index's (about
886k names, ~44 MB; names generated deterministically, a few dozen of them
``fastrtc-*``), serves it on 127.0.0.1, and runs each approach in its own
subprocess, interleaved, to report wall time and peak RSS side by side.
``root`` is the streaming scan of the root page alone; ``scan`` is the whole
``scan_index`` call (root scan, then a request per candidate, 404 here):

    python benchmarks/index_scan.py --rounds 3

``--cold`` is the cold-search comparison instead: the page is served gzipped
at 5 MB/s (like a real link), every ``fastrtc-*`` candidate has a project
page and a 300 KB wheel read by byte range, and ``curl --compressed``
downloading the page runs side by side with ``scan_index`` and the
``fastrtc-plugins search`` command (fresh process, empty cache):

    python benchmarks/index_scan.py --cold --rounds 3 [--baseline PYTHON]

``--baseline PYTHON`` also runs the ``search`` command of another environment
(say, one with an earlier commit installed) in the same rounds. The package
runs from bytecode, as installed (``benchmarks/_installed.py``).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _index_servers import StaticServer
from _installed import compile_package, installed_env

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


_BASELINE = "FASTRTC_BENCH_BASELINE_PYTHON"


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
                    names, _invalid, _dropped = await _scan_root(
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
        # The real library call (project pages 404 unless --cold serves them).
        with tempfile.TemporaryDirectory() as cache:
            scan = scan_index(url, cache_root=Path(cache), refresh=True)
        if scan.error:
            raise SystemExit(scan.error)
        found = sum(1 for p in scan.projects if p.declared)
    elif mode == "curl":
        subprocess.run(
            ["curl", "--compressed", "-sS", "-o", os.devnull, "-H", f"Accept: {JSON_TYPE}", url],
            check=True,
        )
        return {
            "seconds": time.perf_counter() - start,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "baseline_mb": baseline,
            "found": 0,
        }
    elif mode in ("search", "search-baseline"):
        python = os.environ[_BASELINE] if mode == "search-baseline" else sys.executable
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "FASTRTC_PLUGINS_CACHE_DIR": cache, "FASTRTC_PLUGINS_OFFLINE": ""}
            out = subprocess.run(
                [python, "-m", "fastrtc_registry", "search", "--json", "--index-url", url],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
        found = sum(1 for row in json.loads(out.stdout) if row["declared"])
        # ru_maxrss of the search process, not of this one.
        baseline = _maxrss_mb()
        return {
            "seconds": time.perf_counter() - start,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "baseline_mb": baseline,
            "found": found,
        }
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


def candidate_wheel(name: str) -> bytes:
    """A 300 KB wheel declaring one VAD, its dist-info last (as real builds write it)."""
    module = name.replace("-", "_")
    info = f"{module}-1.0.dist-info"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as whl:
        whl.writestr(
            f"{module}/weights.bin", random.Random(name).randbytes(300_000), zipfile.ZIP_STORED
        )
        whl.writestr(
            f"{info}/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
            "Summary: benchmark\nRequires-Python: >=3.8\nRequires-Dist: fastrtc\n",
        )
        whl.writestr(f"{info}/entry_points.txt", f"[fastrtc.vad]\n{name[8:]} = {module}:VAD\n")
        whl.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()


def serve(gzip_level: int, rate: float | None = None, pages: bool = False) -> None:
    """Generate the page and serve it until stdin closes (run as a subprocess, so the
    measuring processes do not inherit the generator's peak RSS across exec)."""
    body = root_page()
    names = [p["name"] for p in json.loads(body)["projects"] if p["name"].startswith("fastrtc-")]
    wheels = (
        {f"/files/{n.replace('-', '_')}-1.0-py3-none-any.whl": n for n in names} if pages else {}
    )
    built = {path: candidate_wheel(name) for path, name in wheels.items()}

    def routes(path: str) -> tuple[bytes, str] | None:
        if path == "/simple/":
            return body, JSON_TYPE
        if path in built:
            return built[path], "application/octet-stream"
        name = path.removeprefix("/simple/").rstrip("/")
        if pages and name in names:
            file = f"{name.replace('-', '_')}-1.0-py3-none-any.whl"
            doc = {
                "meta": {"api-version": "1.0"},
                "name": name,
                "files": [{"filename": file, "url": f"/files/{file}", "hashes": {}}],
            }
            return json.dumps(doc).encode(), JSON_TYPE
        return None

    server = StaticServer(routes)
    server.rate = rate
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
    parser.add_argument("--rate", type=float, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--cold", action="store_true", help="cold search vs curl at 5 MB/s")
    parser.add_argument(
        "--baseline", metavar="PYTHON", help="with --cold, also time this interpreter's search"
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    if args.serve:
        serve(args.gzip, args.rate or None, pages=bool(args.rate))
        return
    if args.cold:
        modes = ("curl", "scan", "search", *(("search-baseline",) if args.baseline else ()))
        run_all(args.rounds, 6, rate=5e6, modes=modes, baseline=args.baseline)
        return
    for level in (0, 6):
        run_all(args.rounds, level)


def run_all(
    rounds: int,
    gzip_level: int,
    rate: float | None = None,
    modes: tuple[str, ...] = ("download", "root", "scan", "json"),
    baseline: str | None = None,
) -> None:
    """Serve the page (gzip-encoded when ``gzip_level``) and compare the approaches."""
    env = installed_env()
    for python in (sys.executable, baseline):
        if python:
            compile_package(python)
    if baseline:
        env[_BASELINE] = baseline
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--gzip", str(gzip_level), "--rate", str(rate or 0)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    url, size = server.stdout.readline().split()
    encoding = f"gzip level {gzip_level}" if gzip_level else "identity"
    encoding += f" at {rate / 1e6:g} MB/s" if rate else ""
    print(
        f"\nroot page: {int(size) / 1e6:.1f} MB, {NAMES} names, {PLUGIN_NAMES} fastrtc-*, "
        f"sent {encoding}"
    )
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    for _ in range(rounds):
        for mode in results:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", mode, url],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            results[mode].append(json.loads(out.stdout))
    server.stdin.close()
    pages = int(server.stdout.readline())
    server.wait()
    reference = modes[0]
    download = statistics.median(r["seconds"] for r in results[reference])
    print(
        f"{'approach':<10} {'median s':>9} {'vs ' + reference:>12} {'peak RSS MB':>12} "
        f"{'RSS before MB':>14}"
    )
    for mode, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        print(
            f"{mode:<10} {seconds:9.3f} {seconds / download:11.2f}x "
            f"{max(r['maxrss_mb'] for r in runs):12.0f} "
            f"{min(r['baseline_mb'] for r in runs):14.0f}"
        )
    found = ", ".join(f"{m} {results[m][0]['found']:.0f}" for m in modes if results[m][0]["found"])
    print(
        f"found: {found}; the server answered {pages} requests other than the root page "
        f"in {rounds} round(s) ({PLUGIN_NAMES} candidates)"
    )


if __name__ == "__main__":
    main()
