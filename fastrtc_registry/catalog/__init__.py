"""The curated catalog (``registry.json``): typed entries, where they come from, and tools.

The catalog covers plugins that declare no entry points (through their
``object`` path), supplies descriptions and validation records for search,
and lets error messages give the exact install command for a plugin that is
known but not installed.

Modules, each importing only those before it:

- :mod:`.rules`: the one rule set (what a valid document is), pure;
- :mod:`.model`: typed values and the parser, pure;
- :mod:`.sources`: embedded, local file, or hosted with a cache
  (:func:`load_catalog`; ``network=False`` never waits on the network);
- :mod:`.lint`: ``registry check``;
- :mod:`.merge`, :mod:`.facts`, :mod:`.update`: ``registry update``;
- :mod:`.refresh`: the CI matrix refresh (``registry packages``, ``registry merge``);
- :mod:`.gallery`: the gallery page.
"""

from __future__ import annotations

from .model import (
    MAX_CATALOG_BYTES,
    SCHEMA_VERSION,
    BenchRecord,
    Catalog,
    CatalogEntry,
    Removed,
    ValidationRecord,
    decode_document,
    parse_catalog,
)
from .sources import (
    default_catalog,
    embedded_catalog,
    embedded_catalog_path,
    load_catalog,
    read_catalog_file,
)

__all__ = [
    "MAX_CATALOG_BYTES",
    "SCHEMA_VERSION",
    "BenchRecord",
    "Catalog",
    "CatalogEntry",
    "Removed",
    "ValidationRecord",
    "decode_document",
    "default_catalog",
    "embedded_catalog",
    "embedded_catalog_path",
    "load_catalog",
    "parse_catalog",
    "read_catalog_file",
]
