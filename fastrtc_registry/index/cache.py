"""The on-disk cache of index scans: small JSON files, written atomically.

Layout: ``<cache dir>/index/<hash of index URL>/root.json`` holds the names a
root scan matched (with the index's ETag/serial and the time), and
``projects/<name>.json`` the facts read for one project, keyed on its serial,
ETag or page digest. Every file is written to a temporary file and renamed
into place, so a reader never sees half a file; a file that does not parse or
belongs to another index is deleted and treated as absent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._atomic import write_text_atomic
from .._text import mask_url

__all__ = ["CACHE_FORMAT", "CachedDoc", "IndexCache", "cache_dir"]

CACHE_FORMAT = 1


def cache_dir() -> Path:
    """``FASTRTC_PLUGINS_CACHE_DIR``, else the user cache directory."""
    configured = os.environ.get("FASTRTC_PLUGINS_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("fastrtc-registry", appauthor=False))


@dataclass(frozen=True, slots=True)
class CachedDoc:
    """A cache entry: its payload, validator key and when it was fetched."""

    data: dict[str, Any]
    key: str | None
    fetched_at: float

    @property
    def age(self) -> float:
        """Seconds since the entry was fetched."""
        return max(0.0, time.time() - self.fetched_at)


class IndexCache:
    """Cache entries for one index URL."""

    def __init__(self, index_url: str, root: Path | None = None) -> None:
        # Stored and compared masked: no password is ever written to disk.
        self.index_url = mask_url(index_url)
        digest = hashlib.sha256(index_url.encode()).hexdigest()[:16]
        self.path = (root if root is not None else cache_dir()) / "index" / digest

    def load_root(self) -> CachedDoc | None:
        """The last root scan, or None."""
        return self._read(self.path / "root.json")

    def save_root(self, data: dict[str, Any], key: str | None) -> None:
        """Record a root scan."""
        self._write(self.path / "root.json", data, key)

    def load_doc(self, slot: str) -> CachedDoc | None:
        """The document kept in ``slot`` (e.g. ``catalog``) for this URL, or None."""
        return self._read(self.path / f"{slot}.json")

    def save_doc(self, slot: str, data: dict[str, Any], key: str | None) -> None:
        """Keep ``data`` in ``slot`` for this URL."""
        self._write(self.path / f"{slot}.json", data, key)

    def load_project(self, name: str) -> CachedDoc | None:
        """The cached facts of project ``name`` (canonical), or None."""
        return self._read(self._project_path(name))

    def save_project(self, name: str, data: dict[str, Any], key: str | None) -> None:
        """Record the facts of project ``name`` (canonical)."""
        self._write(self._project_path(name), data, key)

    def projects(self) -> list[CachedDoc]:
        """Every cached project entry that reads back cleanly."""
        folder = self.path / "projects"
        if not folder.is_dir():
            return []
        docs = (self._read(p) for p in sorted(folder.glob("*.json")))
        return [d for d in docs if d is not None]

    def _project_path(self, name: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.path / "projects" / f"{safe}.json"

    def _read(self, path: Path) -> CachedDoc | None:
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            doc = json.loads(raw)
            if (
                doc["format"] != CACHE_FORMAT
                or doc["index_url"] != self.index_url
                or not isinstance(doc["data"], dict)
            ):
                raise ValueError("another format or index")
            key = doc.get("key")
            return CachedDoc(
                doc["data"], key if isinstance(key, str) else None, float(doc["fetched_at"])
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            # Corrupt or foreign: never trusted, removed so it is rebuilt.
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def _write(self, path: Path, data: dict[str, Any], key: str | None) -> None:
        doc = {
            "format": CACHE_FORMAT,
            "index_url": self.index_url,
            "key": key,
            "fetched_at": time.time(),
            "data": data,
        }
        try:
            write_text_atomic(path, json.dumps(doc, sort_keys=True))
        except OSError:
            # A cache that cannot be written costs speed, never correctness.
            return
