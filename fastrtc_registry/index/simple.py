"""Pure parsers for the simple repository API (PEP 503 HTML, PEP 691 JSON).

Nothing here does I/O: the functions take bytes and return typed values, so
they are tested on bytes. :class:`PrefixScanner` finds wanted project names in
a root page as its bytes arrive, without ever building the list of every
project on the index.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

from ..errors import IndexProtocolError
from ..names import CanonicalName, canonicalize
from ..packages import is_project_name

__all__ = [
    "ACCEPT",
    "JSON_TYPE",
    "MAX_CANDIDATES",
    "PREFIXES",
    "IndexFile",
    "PrefixScanner",
    "ProjectPage",
    "is_json",
    "parse_project_page",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
# PEP 691's recommended negotiation: JSON first, HTML as the fallback.
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
PREFIXES: tuple[str, ...] = ("fastrtc-", "fastrtc_")

# The longest project name a root page entry may carry before we stop looking
# for its end; names on real indexes are far shorter.
_MAX_TOKEN = 512
# A root page listing more candidates than this is not an index to trust:
# the rest are counted, not read (each costs requests and memory).
MAX_CANDIDATES = 1000
_MAX_INVALID_SHOWN = 20


@dataclass(frozen=True, slots=True)
class IndexFile:
    """One distribution file listed on a project page."""

    filename: str
    url: str
    hashes: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    yanked: bool = False
    core_metadata: bool = False

    @property
    def is_wheel(self) -> bool:
        """True for a ``.whl`` file."""
        return self.filename.endswith(".whl")

    @property
    def metadata_url(self) -> str:
        """Where PEP 658 serves this file's core metadata (when ``core_metadata``)."""
        return self.url + ".metadata"


@dataclass(frozen=True, slots=True)
class ProjectPage:
    """A parsed project page: its files and whatever serial the index gave."""

    name: str
    files: tuple[IndexFile, ...]
    serial: int | None = None


def is_json(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is PEP 691 JSON."""
    return (content_type or "").split(";")[0].strip().lower() == JSON_TYPE


def parse_project_page(
    body: bytes, content_type: str | None, url: str, name: str = ""
) -> ProjectPage:
    """Parse a project page in either format; relative links resolve against ``url``."""
    if is_json(content_type):
        return _parse_json_project(body, url, name)
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in ("text/html", "application/vnd.pypi.simple.v1+html", ""):
        raise IndexProtocolError(
            f"{url} answered with {kind!r}, not a simple-API page; check the index URL"
        )
    return _parse_html_project(body, url, name)


def _parse_json_project(body: bytes, url: str, name: str) -> ProjectPage:
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexProtocolError(f"{url}: project page is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise IndexProtocolError(f"{url}: project page has no 'files' list (PEP 691)")
    files = []
    for raw in doc["files"]:
        if (
            not isinstance(raw, dict)
            or not isinstance(raw.get("filename"), str)
            or not isinstance(raw.get("url"), str)
        ):
            raise IndexProtocolError(f"{url}: a file entry lacks 'filename' or 'url'")
        hashes = raw["hashes"] if isinstance(raw.get("hashes"), dict) else {}
        metadata = raw.get("core-metadata", raw.get("dist-info-metadata", False))
        files.append(
            IndexFile(
                filename=raw["filename"],
                url=urljoin(url, raw["url"]),
                hashes=tuple(sorted((str(k), str(v)) for k, v in hashes.items())),
                requires_python=raw.get("requires-python") or None,
                yanked=bool(raw.get("yanked")),
                core_metadata=bool(metadata),
            )
        )
    meta = doc["meta"] if isinstance(doc.get("meta"), dict) else {}
    serial = meta.get("_last-serial")
    return ProjectPage(
        name=str(doc.get("name") or name),
        files=tuple(files),
        serial=serial if isinstance(serial, int) else None,
    )


class _AnchorParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base":
            href = dict(attrs).get("href")
            if href:
                self.base = urljoin(self.base, href)
        elif tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.anchors.append((self._open, "".join(self._text).strip()))
            self._open = None


def _parse_html_project(body: bytes, url: str, name: str) -> ProjectPage:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexProtocolError(f"{url}: project page is not UTF-8 HTML") from exc
    parser = _AnchorParser(url)
    parser.feed(text)
    parser.close()
    files = []
    for attrs, label in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        full, fragment = urldefrag(urljoin(parser.base, href))
        filename = label or full.rsplit("/", 1)[-1]
        hashes: tuple[tuple[str, str], ...] = ()
        if "=" in fragment:
            algo, _, digest = fragment.partition("=")
            hashes = ((algo, digest),)
        metadata = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        files.append(
            IndexFile(
                filename=filename,
                url=full,
                hashes=hashes,
                requires_python=attrs.get("data-requires-python") or None,
                yanked="data-yanked" in attrs,
                core_metadata=metadata is not None and metadata != "false",
            )
        )
    return ProjectPage(name=name, files=tuple(files))


def _name_alternatives(prefixes: Iterable[str], extra: Iterable[str]) -> bytes:
    # Project names on a root page are not normalised: match any case and any
    # run of separators, as canonicalisation would fold them.
    def fold(text: str) -> str:
        parts = []
        for ch in text:
            if ch in "-_.":
                parts.append("[-_.]+")
            elif ch.isalpha():
                parts.append(f"[{ch.lower()}{ch.upper()}]")
            else:
                parts.append(re.escape(ch))
        return "".join(parts)

    alternatives = [fold(canonicalize(p).rstrip("-")) + r"[-_.][^\"<>/\s]*" for p in prefixes]
    alternatives += [fold(canonicalize(name)) for name in sorted(set(extra))]
    return "|".join(alternatives).encode()


class PrefixScanner:
    """Find project names with given prefixes (or exact names) in a root page's bytes.

    Feed chunks as they arrive; only matches are kept. Works on PEP 691 JSON
    (``"name": "..."``) and PEP 503 HTML (``<a ...>name</a>``); pass the
    page's ``content_type`` to look for one form only. A match
    cut by a chunk boundary is found once the next chunk arrives, because only
    a short tail is carried over.
    """

    def __init__(
        self,
        prefixes: Iterable[str] = PREFIXES,
        extra: Iterable[str] = (),
        content_type: str | None = None,
    ) -> None:
        names = _name_alternatives(prefixes, extra)
        json_form = rb'"name"\s*:\s*"(' + names + rb')"'
        html_form = rb">\s*(" + names + rb")\s*</a\s*>"
        # One format per page: a single-form pattern is several times faster.
        if content_type is None:
            self._pattern = re.compile(json_form + b"|" + html_form)
        else:
            self._pattern = re.compile(json_form if is_json(content_type) else html_form)
        # Each name starts with one of these words (lower case): finding them with
        # bytes.find is far cheaper than running the pattern at every entry.
        self._words = sorted(
            {canonicalize(n).strip("-").split("-")[0].encode() for n in (*prefixes, *extra)} - {b""}
        )
        self._carry = b""
        self._found: dict[CanonicalName, str] = {}
        self._new: list[tuple[CanonicalName, str]] = []
        # Listed names that fail PEP 508's pattern, shown escaped, never used.
        self.invalid: list[str] = []
        # Names past MAX_CANDIDATES (or invalid ones past those shown): counted only.
        self.dropped = 0
        self._head = b""
        self._last = b""
        self.bytes_seen = 0

    def feed(self, chunk: bytes) -> None:
        """Scan the next chunk of the page."""
        if not chunk:
            return
        if len(self._head) < 64:
            self._head += chunk[: 64 - len(self._head)]
        self.bytes_seen += len(chunk)
        buffer = self._carry + chunk
        lower = buffer.lower()  # same length: bytes.lower() folds ASCII only
        end = 0
        for word in self._words:
            at = lower.find(word)
            while at != -1:
                match = self._match_at(buffer, at)
                if match is not None:
                    self._add(match.group(match.lastindex or 1), match.group(0)[:1] == b'"')
                    end = max(end, match.end())
                at = lower.find(word, at + 1)
        self._carry = buffer[max(end, len(buffer) - _MAX_TOKEN) :]
        self._last = buffer[-64:]

    def _add(self, raw: bytes, in_json: bool) -> None:
        text = raw.decode("utf-8", "replace")
        try:
            name = json.loads(f'"{text}"') if in_json and "\\" in text else html.unescape(text)
        except ValueError:
            name = text
        if not is_project_name(name):
            shown = name.encode("unicode_escape").decode("ascii")[:80]
            if shown in self.invalid:
                return
            if len(self.invalid) < _MAX_INVALID_SHOWN:
                self.invalid.append(shown)
            else:
                self.dropped += 1
            return
        canonical = canonicalize(name)
        if canonical in self._found:
            return
        if len(self._found) >= MAX_CANDIDATES:
            self.dropped += 1
            return
        self._found[canonical] = name
        self._new.append((canonical, name))

    def take_new(self) -> list[tuple[CanonicalName, str]]:
        """Names found since the last call (canonical, as listed), in page order."""
        new, self._new = self._new, []
        return new

    def _match_at(self, buffer: bytes, at: int) -> re.Match[bytes] | None:
        """The full pattern's match whose name starts at ``at``, if there is one."""
        window = max(0, at - _MAX_TOKEN)
        for opener in (b'"name"', b">"):
            start = buffer.rfind(opener, window, at)
            if start == -1:
                continue
            match = self._pattern.match(buffer, start)
            if match is not None and match.start(match.lastindex or 1) == at:
                return match
        return None

    @property
    def names(self) -> dict[CanonicalName, str]:
        """Matches so far: canonical name to the name as the index spells it."""
        return dict(self._found)

    def finish(self, content_type: str | None) -> dict[CanonicalName, str]:
        """Check the page looked complete; return the matches.

        Raises :class:`IndexProtocolError` for a body that is not a root page
        or was cut short (a JSON document must close its top-level object).
        """
        head, tail = self._head.lstrip(), self._last.rstrip()
        if is_json(content_type):
            if not head.startswith(b"{") or not tail.endswith(b"}"):
                raise IndexProtocolError(
                    "the index's root page is not complete PEP 691 JSON "
                    f"({self.bytes_seen} bytes, cut short or malformed)"
                )
        elif not head.startswith(b"<"):
            raise IndexProtocolError(
                f"the index's root page is neither PEP 691 JSON nor HTML ({self.bytes_seen} bytes)"
            )
        return self.names
