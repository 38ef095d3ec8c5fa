"""Which package index to search, resolved the way users expect.

Order: ``--index-url``, then ``FASTRTC_PLUGINS_INDEX_URL``, then pip's own
configuration (``PIP_INDEX_URL``, then the pip.conf files in pip's order),
then pip's built-in default index, read from the installed pip at run time.
Index URLs that are not http(s) (pip allows ``file://`` and paths) are skipped.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import IndexAccessError

__all__ = [
    "IndexLocation",
    "IndexSource",
    "is_offline",
    "pip_config_files",
    "pip_default_index",
    "resolve_index_url",
]

IndexSource = Literal["option", "environment", "pip-environment", "pip-config", "pip-default"]


@dataclass(frozen=True, slots=True)
class IndexLocation:
    """An index URL and where it came from."""

    url: str
    source: IndexSource
    origin: str = ""

    @property
    def explicit(self) -> bool:
        """Chosen for this tool only (so install commands must name it)."""
        return self.source in ("option", "environment")


def is_offline(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``FASTRTC_PLUGINS_OFFLINE`` asks for no network access."""
    value = (os.environ if environ is None else environ).get("FASTRTC_PLUGINS_OFFLINE", "")
    return value.strip().lower() not in ("", "0", "false", "no", "off")


def _http(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip().split()[0] if url.strip() else ""
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url if url.endswith("/") else url + "/"


def pip_config_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """pip's configuration files, lowest priority first, as pip reads them.

    Global (``$XDG_CONFIG_DIRS/pip/pip.conf``, ``/etc/pip.conf``), user
    (``~/.pip/pip.conf``, ``~/.config/pip/pip.conf``; skipped when
    ``PIP_CONFIG_FILE`` exists), site (``sys.prefix/pip.conf``), then
    ``PIP_CONFIG_FILE``. ``PIP_CONFIG_FILE=/dev/null`` turns them all off.
    """
    env = os.environ if environ is None else environ
    explicit = env.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []
    home = Path(env.get("HOME") or Path.home())
    xdg_dirs = env.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files = [Path(d) / "pip" / "pip.conf" for d in xdg_dirs.split(os.pathsep) if d]
    files.append(Path("/etc/pip.conf"))
    if not (explicit and os.path.exists(explicit)):
        xdg_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        files += [home / ".pip" / "pip.conf", xdg_home / "pip" / "pip.conf"]
    files.append(Path(sys.prefix) / "pip.conf")
    if explicit:
        files.append(Path(explicit))
    return files


def _index_from_files(files: Iterable[Path]) -> tuple[str, Path] | None:
    found: tuple[str, Path] | None = None
    for path in files:
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue
        # Later files override earlier ones; within a file, the command's
        # section ([install]) overrides [global].
        for section in ("global", "install"):
            for key in ("index-url", "index_url"):
                if parser.has_option(section, key):
                    url = _http(parser.get(section, key))
                    if url:
                        found = (url, path)
    return found


def pip_default_index() -> str | None:
    """pip's built-in default index, read from the installed pip (None when unavailable)."""
    try:
        from pip._internal.models.index import PyPI  # private API, guarded
    except Exception:
        return None
    return _http(getattr(PyPI, "simple_url", None))


def resolve_index_url(
    option: str | None = None, environ: Mapping[str, str] | None = None
) -> IndexLocation:
    """The index to search; raise :class:`IndexAccessError` when none can be found."""
    env = os.environ if environ is None else environ
    if option:
        url = _http(option)
        if url is None:
            raise IndexAccessError(
                f"--index-url {option!r} is not an http(s) URL; pass the simple index's address"
            )
        return IndexLocation(url, "option")
    configured = env.get("FASTRTC_PLUGINS_INDEX_URL", "").strip()
    if configured:
        url = _http(configured)
        if url is None:
            raise IndexAccessError(
                f"FASTRTC_PLUGINS_INDEX_URL={configured!r} is not an http(s) URL; fix or unset it"
            )
        return IndexLocation(url, "environment")
    url = _http(env.get("PIP_INDEX_URL"))
    if url:
        return IndexLocation(url, "pip-environment", "PIP_INDEX_URL")
    from_files = _index_from_files(pip_config_files(env))
    if from_files:
        return IndexLocation(from_files[0], "pip-config", str(from_files[1]))
    url = pip_default_index()
    if url:
        return IndexLocation(url, "pip-default", "pip")
    raise IndexAccessError(
        "no package index configured and pip's default could not be read; "
        "pass --index-url URL or set FASTRTC_PLUGINS_INDEX_URL"
    )
