"""One project's facts: its page, the release to read, its metadata and entry points.

:func:`read_project` never raises for a defect of the project: a page,
metadata file or wheel that is malformed, too big or lying gives facts with
``error`` set (cached with the page it came from, so the project is not read
again until the page changes); a failure to fetch gives the cached facts, or
``error`` facts that are not cached.
"""

from __future__ import annotations

import hashlib
import platform
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin

from .._text import clean_text, mask_secrets
from ..errors import (
    IndexAccessError,
    IndexProtocolError,
    IndexUnreachableError,
    PackageMetadataError,
)
from ..names import CanonicalName, canonicalize
from ..packages import fastrtc_requirement, is_project_name, python_allowed, read_metadata
from .cache import CachedDoc, IndexCache
from .facts import ProjectFacts
from .releases import choose_release, release_versions
from .simple import ACCEPT, parse_project_page

if TYPE_CHECKING:
    from .client import IndexClient

__all__ = ["FACTS_FORMAT", "cached_facts", "read_project"]

FACTS_FORMAT = 1


def cached_facts(doc: CachedDoc) -> ProjectFacts | None:
    """The facts in a cache entry, or None when it is of another format or malformed."""
    if doc.data.get("facts_format") != FACTS_FORMAT:
        return None
    try:
        return ProjectFacts.from_dict(doc.data["facts"])
    except (ValueError, KeyError, TypeError):
        return None


def _unchecked(
    canonical: CanonicalName, display: str, reason: str, versions: tuple[str, ...] = ()
) -> ProjectFacts:
    return ProjectFacts(
        name=display,
        canonical=canonical,
        versions=versions,
        error=clean_text(mask_secrets(reason), 300),
    )


def _transient(exc: Exception) -> bool:
    """A failure to fetch (retry next time) rather than a defect of the project."""
    import httpx

    from .client import IndexHTTPError

    if isinstance(exc, IndexHTTPError):
        return exc.status in (408, 425, 429) or exc.status >= 500
    return isinstance(exc, (IndexUnreachableError, httpx.HTTPError, OSError))


async def read_project(
    http: IndexClient,
    index_url: str,
    canonical: CanonicalName,
    display: str,
    cache: IndexCache,
    refresh: bool,
    *,
    strict: bool,
    reuse: bool = False,
) -> ProjectFacts | None:
    """One project's facts; never raises (but in ``strict`` mode an unreachable index does)."""
    from .client import LIMITS, IndexHTTPError

    cached = None if refresh else cache.load_project(canonical)
    previous = cached_facts(cached) if cached is not None else None
    if reuse and previous is not None:
        return previous
    url = urljoin(index_url, f"{canonical}/")
    headers = {"Accept": ACCEPT}
    if previous is not None and cached is not None and (cached.key or "").startswith("etag:"):
        headers["If-None-Match"] = (cached.key or "")[5:]
    key: str | None = None
    versions: tuple[str, ...] = ()
    try:
        response = await http.get(url, headers, limit=LIMITS["project"], what="project page")
        if response.status_code == 304 and cached is not None and previous is not None:
            cache.save_project(canonical, cached.data, cached.key)
            return previous
        page = parse_project_page(
            response.content, response.headers.get("Content-Type"), str(response.url), display
        )
        key = _page_key(response.headers.get("ETag"), page.serial, response.content)
        if cached is not None and previous is not None and cached.key == key:
            cache.save_project(canonical, cached.data, key)
            return previous
        versions = tuple(release_versions(page))
        facts = await _read_facts(http, canonical, display, page, versions)
    except IndexHTTPError as exc:
        if exc.status == 404 and strict:
            return None
        if _transient(exc) and previous is not None:
            return previous
        return _unchecked(canonical, display, str(exc), versions)
    except Exception as exc:  # one project's defect must never spoil the others
        if _transient(exc):
            if strict and previous is None and isinstance(exc, IndexUnreachableError):
                raise
            return previous or _unchecked(canonical, display, _why(exc), versions)
        facts = _unchecked(canonical, display, _why(exc), versions)
        if key is None:
            return facts
    cache.save_project(canonical, {"facts_format": FACTS_FORMAT, "facts": facts.as_dict()}, key)
    return facts


def _why(exc: Exception) -> str:
    if isinstance(exc, (IndexAccessError, PackageMetadataError)):
        return str(exc)
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"unreadable ({type(exc).__name__}{': ' + text if text else ''})"


def _page_key(etag: str | None, serial: int | None, body: bytes) -> str:
    if etag:
        return f"etag:{etag}"
    if serial is not None:
        return f"serial:{serial}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


_TAGS: list[str] = []


def _supported_tags() -> list[str]:
    if not _TAGS:
        from packaging.tags import sys_tags

        _TAGS.extend(str(t) for t in sys_tags())
    return _TAGS


async def _read_facts(
    http: IndexClient,
    canonical: CanonicalName,
    display: str,
    page: Any,
    versions: tuple[str, ...],
) -> ProjectFacts:
    """Facts of the release search reads; raise on any defect (the caller makes it a row)."""
    from .client import LIMITS
    from .wheel import read_wheel_files

    release = choose_release(page, platform.python_version(), _supported_tags())
    if release is None:
        return _unchecked(canonical, display, "no installable release on the index", versions)
    wheel = release.wheel
    if wheel is None:
        return _unchecked(
            canonical,
            display,
            "no wheel for this release (only an sdist, which search never builds): "
            "entry points unknown",
            versions,
        )
    wanted = {"entry_points.txt"}
    metadata: bytes | None = None
    source: Literal["pep658", "wheel"] = "wheel"
    if wheel.core_metadata:
        try:
            metadata = (
                await http.get(wheel.metadata_url, limit=LIMITS["metadata"], what="metadata file")
            ).content
            source = "pep658"
        except IndexProtocolError:
            raise
        except IndexAccessError:
            metadata = None
    if metadata is None:
        wanted.add("METADATA")
    read = await read_wheel_files(http, wheel.url, wanted)
    metadata = metadata if metadata is not None else read.files.get("METADATA")
    if metadata is None:
        raise IndexProtocolError(f"{clean_text(wheel.filename, 80)} has no METADATA file")
    meta = read_metadata(metadata, read.files.get("entry_points.txt"))
    if canonicalize(meta.name) != canonical:
        # A hostile name is never echoed: it could be a shell command.
        named = repr(meta.name) if is_project_name(meta.name) else "an invalid project name"
        raise PackageMetadataError(f"its METADATA names {named}, not the listed {canonical!r}")
    requires_python = meta.requires_python or release.requires_python
    if python_allowed(requires_python, platform.python_version()) is None:
        raise PackageMetadataError(
            f"unreadable Requires-Python {clean_text(requires_python, 40)!r}"
        )
    fastrtc_requirement(meta.requires_dist)  # a marker that cannot be evaluated is a defect
    return ProjectFacts.from_metadata(
        display,
        canonical,
        meta,
        version=release.version,
        versions=versions,
        requires_python=release.requires_python,
        wheel=wheel.filename,
        metadata_source=source,
    )
