"""Where the catalog comes from: embedded, a local file, or a hosted copy with a cache.

``FASTRTC_PLUGINS_REGISTRY_URL`` picks the source: unset, the registry.json
shipped in the wheel; a path or ``file://`` URL, that file; an http(s) URL, a
hosted catalog. A hosted catalog is fetched through the index client's policy
(retries, a total deadline, a size cap: :func:`fastrtc_registry.index.client.fetch_url`)
and kept in the index cache (:class:`~fastrtc_registry.index.cache.IndexCache`).

:func:`load_catalog` with ``network=False`` never touches the network: it
answers from the embedded catalog or an already-cached hosted copy. That is
what loading by name uses, so ``load_vad()`` can never wait on a slow server.
With ``network=True`` a cached copy older than ``max_age`` is revalidated;
when the fetch fails, or the answer is too big, too slow or not a valid
catalog, the cached copy is used with a warning, and with none the embedded
catalog is. A bad answer never replaces a good cached copy.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from .._text import mask_url
from ..errors import CatalogError, IndexAccessError
from .model import MAX_CATALOG_BYTES, Catalog, parse_catalog

if TYPE_CHECKING:
    from ..index.cache import CachedDoc, IndexCache

__all__ = [
    "CACHE_SLOT",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_AGE",
    "default_catalog",
    "embedded_catalog",
    "embedded_catalog_path",
    "hosted_catalog",
    "load_catalog",
    "read_catalog_file",
]

DEFAULT_MAX_AGE = 3600.0
DEFAULT_DEADLINE = 10.0
CACHE_SLOT = "catalog"
_ENV = "FASTRTC_PLUGINS_REGISTRY_URL"


def embedded_catalog_path() -> Path:
    """Where the registry.json shipped with this package lives."""
    shipped = resources.files("fastrtc_registry").joinpath("registry.json")
    if shipped.is_file():
        return Path(str(shipped))
    # An editable install or a source checkout: the canonical file at the repo root.
    return Path(__file__).resolve().parents[2] / "registry.json"


def read_catalog_file(path: Path) -> bytes:
    """The bytes of a local catalog file, refusing files over the size limit."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CATALOG_BYTES + 1)
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_CATALOG_BYTES:
        raise CatalogError(
            f"{path}: larger than the {MAX_CATALOG_BYTES:,}-byte limit for a catalog; "
            "check that this is the right file"
        )
    return data


def embedded_catalog() -> Catalog:
    """The catalog shipped inside the package."""
    path = embedded_catalog_path()
    return parse_catalog(read_catalog_file(path), source=str(path))


def load_catalog(*, network: bool) -> Catalog:
    """The catalog ``FASTRTC_PLUGINS_REGISTRY_URL`` names, else the embedded one.

    ``network=False`` never waits on the network (a hosted catalog comes from
    the cache or falls back to the embedded one); ``network=True`` may refresh
    a hosted catalog, within :data:`DEFAULT_DEADLINE` seconds, unless
    ``FASTRTC_PLUGINS_OFFLINE`` is set.
    """
    location = os.environ.get(_ENV, "").strip()
    if not location:
        return embedded_catalog()
    if location.lower().startswith(("http://", "https://")):
        from ..index.config import is_offline

        return hosted_catalog(location, network=network and not is_offline())
    if location.startswith("file://"):
        from urllib.parse import unquote, urlparse

        location = unquote(urlparse(location).path)
    elif "://" in location:
        raise CatalogError(
            f"{_ENV}={mask_url(location)[:200]!r}: use an http(s) URL, a file:// URL or a path"
        )
    path = Path(location)
    return parse_catalog(read_catalog_file(path), source=str(path))


def default_catalog() -> Catalog:
    """The catalog without touching the network; same as ``load_catalog(network=False)``."""
    return load_catalog(network=False)


def hosted_catalog(
    url: str,
    *,
    network: bool,
    max_age: float = DEFAULT_MAX_AGE,
    deadline: float = DEFAULT_DEADLINE,
    cache_root: Path | None = None,
) -> Catalog:
    """The hosted catalog at ``url``: the cached copy, refreshed when ``network`` and stale."""
    from ..index.cache import IndexCache

    shown = mask_url(url)
    cache = IndexCache(url, cache_root)
    cached = _cached(cache, shown)
    if not network:
        if cached is not None:
            return cached[1]
        return _embedded_because(
            f"no cached copy of the catalog {shown} yet ('fastrtc-plugins search' fetches it)"
        )
    if cached is not None and 0 <= time.time() - cached[0].fetched_at < max_age:
        return cached[1]
    try:
        return _fetch(url, shown, cache, cached, deadline)
    except CatalogError as exc:
        if cached is not None:
            age = _age(cached[0].age)
            return _noted(cached[1], f"{exc}; using the copy cached {age} ago")
        return _embedded_because(str(exc))


def _cached(cache: IndexCache, shown: str) -> tuple[CachedDoc, Catalog] | None:
    doc = cache.load_doc(CACHE_SLOT)
    if doc is None or not isinstance(doc.data.get("body"), str):
        return None
    try:
        return doc, parse_catalog(doc.data["body"].encode("utf-8"), source=shown)
    except (CatalogError, UnicodeError):
        return None  # damaged, or refused by newer rules: fetched again, never trusted


def _fetch(
    url: str,
    shown: str,
    cache: IndexCache,
    cached: tuple[CachedDoc, Catalog] | None,
    deadline: float,
) -> Catalog:
    from ..index.client import fetch_url

    headers = {"Accept": "application/json"}
    if cached is not None:
        etag, modified = cached[0].data.get("etag"), cached[0].data.get("last_modified")
        if isinstance(etag, str):
            headers["If-None-Match"] = etag
        if isinstance(modified, str):
            headers["If-Modified-Since"] = modified
    try:
        got = fetch_url(url, limit=MAX_CATALOG_BYTES, deadline=deadline, headers=headers)
    except IndexAccessError as exc:
        raise CatalogError(f"could not fetch the catalog: {exc}") from exc
    if got.status == 304 and cached is not None:
        body = cached[0].data["body"]
        catalog = cached[1]
        etag, modified = cached[0].data.get("etag"), cached[0].data.get("last_modified")
    elif got.status == 200:
        # Refuse what would not parse before it can replace a good cached copy.
        catalog = parse_catalog(got.body, source=shown)
        body = got.body.decode("utf-8")
        etag, modified = got.headers.get("etag"), got.headers.get("last-modified")
    else:
        raise CatalogError(f"could not fetch the catalog {shown}: HTTP {got.status}")
    cache.save_doc(CACHE_SLOT, {"body": body, "etag": etag, "last_modified": modified}, etag)
    return catalog


def _embedded_because(reason: str) -> Catalog:
    return _noted(embedded_catalog(), f"{reason}; using the catalog shipped with fastrtc-registry")


def _noted(catalog: Catalog, note: str) -> Catalog:
    return replace(catalog, warnings=(note, *catalog.warnings))


def _age(seconds: float) -> str:
    whole = int(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if whole >= size:
            count = whole // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{whole} second{'s' if whole != 1 else ''}"
