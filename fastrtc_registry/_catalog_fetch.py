"""Fetch a hosted catalog (``FASTRTC_PLUGINS_REGISTRY_URL``) with a cache.

The same rules as the index cache: one JSON file per URL under the cache
directory, written atomically; a cached copy younger than ``max_age`` is used
as is, an older one is revalidated with its ETag/Last-Modified. When the
network fails, or the answer is too large or not a valid catalog, the cached
copy is used with a warning saying how old it is; with no cached copy, the
catalog shipped in the wheel is. ``FASTRTC_PLUGINS_OFFLINE=1`` never touches
the network. A bad answer never replaces a good cached copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ._atomic import write_text_atomic
from .catalog import MAX_CATALOG_BYTES, Catalog, embedded_catalog, parse_catalog
from .errors import CatalogError

__all__ = ["DEFAULT_MAX_AGE", "CachedCatalog", "catalog_cache_path", "load_remote_catalog"]

DEFAULT_MAX_AGE = 3600.0
_CACHE_FORMAT = 1


@dataclass(frozen=True, slots=True)
class CachedCatalog:
    """A cached copy of a hosted catalog."""

    url: str
    body: str
    fetched_at: float
    etag: str | None = None
    last_modified: str | None = None


def catalog_cache_path(url: str, cache_root: Path | None = None) -> Path:
    """Where the cached copy of the catalog at ``url`` lives."""
    from .index.cache import cache_dir

    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return (cache_root or cache_dir()) / "catalog" / f"{digest}.json"


def load_remote_catalog(
    url: str,
    *,
    max_age: float = DEFAULT_MAX_AGE,
    timeout: float = 10.0,
    cache_root: Path | None = None,
    offline: bool | None = None,
) -> Catalog:
    """The catalog at ``url``, from the cache while fresh, refreshed over http(s) when not."""
    from .index.config import is_offline

    path = catalog_cache_path(url, cache_root)
    cached = _read_cache(path, url)
    if offline if offline is not None else is_offline():
        if cached is not None:
            return _noted(cached, f"offline: using the copy of {url} cached {_age(cached)} ago")
        return _fallback(f"offline and no cached copy of {url}")
    # A timestamp in the future is damage, not freshness: revalidate.
    if cached is not None and 0 <= time.time() - cached.fetched_at < max_age:
        return _noted(cached, None)
    try:
        fresh = _fetch(url, cached, timeout)
    except CatalogError as exc:
        if cached is not None:
            return _noted(cached, f"{exc}; using the copy cached {_age(cached)} ago")
        return _fallback(str(exc))
    _write_cache(path, fresh)
    return _noted(fresh, None)


def _fallback(reason: str) -> Catalog:
    catalog = embedded_catalog()
    note = f"{reason}; using the catalog shipped with fastrtc-registry"
    return replace(catalog, warnings=(note, *catalog.warnings))


def _noted(cached: CachedCatalog, note: str | None) -> Catalog:
    catalog = parse_catalog(cached.body.encode("utf-8"), source=cached.url)
    return catalog if note is None else replace(catalog, warnings=(note, *catalog.warnings))


def _fetch(url: str, cached: CachedCatalog | None, timeout: float) -> CachedCatalog:
    """GET ``url`` (conditionally when cached); raise CatalogError on any failure."""
    import httpx

    from .index.client import USER_AGENT

    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if cached is not None and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached is not None and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code == 304 and cached is not None:
                return CachedCatalog(
                    url, cached.body, time.time(), cached.etag, cached.last_modified
                )
            if response.status_code != 200:
                raise CatalogError(
                    f"could not fetch the catalog {url}: HTTP "
                    f"{response.status_code} {response.reason_phrase}"
                )
            body = _read_limited(response, url)
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
    except httpx.HTTPError as exc:
        raise CatalogError(
            f"could not fetch the catalog {url}: {type(exc).__name__}: {exc or 'no answer'}"
        ) from exc
    # Refuse what would not parse before it can replace a good cached copy.
    parse_catalog(body, source=url)
    return CachedCatalog(url, body.decode("utf-8"), time.time(), etag, modified)


def _read_limited(response: Any, url: str) -> bytes:
    declared = response.headers.get("Content-Length", "")
    too_big = CatalogError(
        f"the catalog {url} is larger than the {MAX_CATALOG_BYTES:,}-byte "
        "limit; check FASTRTC_PLUGINS_REGISTRY_URL"
    )
    if declared.isdigit() and int(declared) > MAX_CATALOG_BYTES:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_CATALOG_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _age(cached: CachedCatalog) -> str:
    seconds = max(0, int(time.time() - cached.fetched_at))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _read_cache(path: Path, url: str) -> CachedCatalog | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        doc = json.loads(raw)
        if doc["format"] != _CACHE_FORMAT or doc["url"] != url:
            raise ValueError("another format or URL")
        body, fetched_at = doc["body"], float(doc["fetched_at"])
        if not isinstance(body, str):
            raise TypeError("body is not text")
        cached = CachedCatalog(
            url, body, fetched_at, _text(doc.get("etag")), _text(doc.get("last_modified"))
        )
        parse_catalog(body.encode("utf-8"), source=url)  # written only after parsing: damage
        return cached
    except (ValueError, KeyError, TypeError, UnicodeError, RecursionError):
        # Corrupt or foreign: never trusted, removed so the next fetch replaces it.
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _write_cache(path: Path, cached: CachedCatalog) -> None:
    doc = {
        "format": _CACHE_FORMAT,
        "url": cached.url,
        "fetched_at": cached.fetched_at,
        "etag": cached.etag,
        "last_modified": cached.last_modified,
        "body": cached.body,
    }
    try:
        write_text_atomic(path, json.dumps(doc))
    except OSError:
        # A cache that cannot be written costs a request next time, never correctness.
        return
