"""Which package index to search, resolved the way users expect.

Order: ``--index-url``, then ``FASTRTC_PLUGINS_INDEX_URL``, then pip's own
configuration (``PIP_INDEX_URL``, then the pip.conf files in pip's order),
then pip's built-in default index, read from the installed pip at run time.

Where pip is told not to use an index (``PIP_NO_INDEX``, ``no-index = true``)
or its index is not http(s) (a ``file://`` URL or a path), there is nothing
to search: :class:`IndexDisabledError` says so, and pip's default index is
never used behind its back.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .._text import mask_url
from ..errors import IndexAccessError, IndexDisabledError

__all__ = [
    "PIP_REDIRECTS",
    "IndexLocation",
    "IndexSource",
    "is_offline",
    "isolated_pip_environment",
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
    if not url.lower().startswith(("http://", "https://")) or "/" in url.split("://", 1)[1][:1]:
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


_TRUE = ("1", "true", "yes", "on")


def _index_from_files(files: Iterable[Path]) -> tuple[str | None, str, Path] | None:
    """pip's (index URL, raw value, file) from its config files, URL None for no index."""
    found: tuple[str | None, str, Path] | None = None
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
                    raw = parser.get(section, key)
                    found = (_http(raw), raw.strip(), path)
            for key in ("no-index", "no_index"):
                if (
                    parser.has_option(section, key)
                    and parser.get(section, key).strip().lower() in _TRUE
                ):
                    found = (None, "no-index = true", path)
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
    """The index to search, chosen as pip would.

    Raises :class:`IndexAccessError` for a bad ``option`` or environment
    value and :class:`IndexDisabledError` where pip uses no http(s) index.
    """
    env = os.environ if environ is None else environ
    if option:
        url = _http(option)
        if url is None:
            raise IndexAccessError(
                f"--index-url {mask_url(option)!r} is not an http(s) URL; "
                "pass the simple index's address"
            )
        return IndexLocation(url, "option")
    configured = env.get("FASTRTC_PLUGINS_INDEX_URL", "").strip()
    if configured:
        url = _http(configured)
        if url is None:
            raise IndexAccessError(
                f"FASTRTC_PLUGINS_INDEX_URL={mask_url(configured)!r} is not an http(s) URL; "
                "fix or unset it"
            )
        return IndexLocation(url, "environment")
    if env.get("PIP_NO_INDEX", "").strip().lower() in _TRUE:
        raise IndexDisabledError(
            "pip is told to use no index (PIP_NO_INDEX); "
            "pass --index-url URL or set FASTRTC_PLUGINS_INDEX_URL to search one"
        )
    raw = env.get("PIP_INDEX_URL", "").strip()
    if raw:
        url = _http(raw)
        if url is None:
            raise IndexDisabledError(
                f"pip's index is {mask_url(raw)!r} (PIP_INDEX_URL), not an http(s) index; "
                "pass --index-url URL to search one"
            )
        return IndexLocation(url, "pip-environment", "PIP_INDEX_URL")
    from_files = _index_from_files(pip_config_files(env))
    if from_files:
        url, value, path = from_files
        if url is None:
            raise IndexDisabledError(
                f"pip's configuration ({path}) says {mask_url(value)!r}: no http(s) index; "
                "pass --index-url URL to search one"
            )
        return IndexLocation(url, "pip-config", str(path))
    url = pip_default_index()
    if url:
        return IndexLocation(url, "pip-default", "pip")
    raise IndexAccessError(
        "no package index configured and pip's default could not be read; "
        "pass --index-url URL or set FASTRTC_PLUGINS_INDEX_URL"
    )


PIP_REDIRECTS = (
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_INDEX_URL",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_CONSTRAINT",
)
"""Settings that would send pip (or uv) to another index, or add packages, behind our back."""


def isolated_pip_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for pip or uv with their own configuration and index redirects off.

    The one rule for every command that runs an installer on an index this tool
    chose (``install``, and validate's throwaway environment): the index and
    the options are on the command line, nothing else.
    """
    env = dict(os.environ if base is None else base)
    for name in PIP_REDIRECTS:
        env.pop(name, None)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["UV_NO_CONFIG"] = "1"
    return env
