"""Read a few files out of a remote wheel without downloading all of it.

A wheel is a zip file whose central directory sits at its end, and whose
``.dist-info`` files come last. So: read the tail with a suffix range
(``bytes=-N``, whose ``Content-Range`` also tells the size: no HEAD, one
round trip), parse the central directory, then read just the wanted members
(usually already in the tail). Every ranged answer must be ``206`` with a
matching ``Content-Range``. A server that ignores ranges answers the suffix
request with the whole wheel, which is then read as it is; one that refuses
them raises :class:`RangesUnsupportedError`, and :func:`read_wheel_files`
falls back to one full download (as it does for small wheels of known size,
where that is cheaper).
Every member has a size cap (:data:`MEMBER_LIMITS`), checked against the
central directory before any byte of it is fetched and again while it is
inflated, so a deflate bomb or a 100 MB entry_points.txt costs nothing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._text import clean_text, mask_url
from ..errors import (
    IndexBodyTooLargeError,
    IndexHTTPError,
    IndexProtocolError,
    RangesUnsupportedError,
    WheelFormatError,
)
from ..packages import MAX_ENTRY_POINTS_BYTES, MAX_METADATA_BYTES

if TYPE_CHECKING:
    import httpx

    from .client import IndexClient

__all__ = [
    "MEMBER_LIMITS",
    "SMALL_WHEEL",
    "TAIL_SIZE",
    "RangesUnsupportedError",
    "WheelFiles",
    "WheelFormatError",
    "ZipMember",
    "extract_member",
    "locate_central_directory",
    "parse_central_directory",
    "read_wheel_files",
]

TAIL_SIZE = 16 * 1024
SMALL_WHEEL = 96 * 1024
# Read wanted members with one request when they lie this close to the tail.
_ONE_SPAN = 256 * 1024
# Largest member read, by name; others get the smallest of these.
MEMBER_LIMITS: dict[str, int] = {
    "METADATA": MAX_METADATA_BYTES,
    "entry_points.txt": MAX_ENTRY_POINTS_BYTES,
}

_EOCD = struct.Struct("<4s4H2IH")
_CENTRAL = struct.Struct("<4s6H3I5H2I")
_LOCAL = struct.Struct("<4s5H3I2H")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d{1,15})-(\d{1,15})/(\d{1,15}|\*)")


@dataclass(frozen=True, slots=True)
class ZipMember:
    """A central-directory record: where a member's local record starts and its sizes."""

    name: str
    method: int
    compressed_size: int
    size: int
    offset: int


@dataclass(frozen=True, slots=True)
class WheelFiles:
    """Wanted files read from a wheel, and what it cost to read them."""

    files: dict[str, bytes]
    size: int | None
    bytes_fetched: int
    requests: int
    ranged: bool


def locate_central_directory(tail: bytes, tail_offset: int) -> tuple[int, int]:
    """(offset, size) of the central directory, from bytes at the end of the zip."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise WheelFormatError("no zip end-of-central-directory record in the wheel's tail")
    *_, cd_size, cd_offset, _comment = _EOCD.unpack_from(tail, at)
    if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        raise WheelFormatError("ZIP64 wheel: read it whole")
    if cd_offset + cd_size > tail_offset + at:
        raise WheelFormatError("central directory overlaps its end record")
    return cd_offset, cd_size


def parse_central_directory(data: bytes) -> list[ZipMember]:
    """The members listed in a central directory, sorted by where they start."""
    members = []
    at = 0
    while at + _CENTRAL.size <= len(data) and data[at : at + 4] == b"PK\x01\x02":
        fields = _CENTRAL.unpack_from(data, at)
        flags, method = fields[3], fields[4]
        csize, usize = fields[8], fields[9]
        name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
        offset = fields[16]
        raw = data[at + _CENTRAL.size : at + _CENTRAL.size + name_len]
        # A name flagged UTF-8 with invalid bytes names nothing we read.
        name = raw.decode("utf-8", "replace") if flags & 0x800 else raw.decode("cp437")
        if 0xFFFFFFFF in (csize, usize, offset):
            raise WheelFormatError("ZIP64 member sizes: read the wheel whole")
        members.append(ZipMember(name, method, csize, usize, offset))
        at += _CENTRAL.size + name_len + extra_len + comment_len
    if not members:
        raise WheelFormatError("the wheel's central directory lists no files")
    return sorted(members, key=lambda m: m.offset)


def _limit(name: str) -> int:
    return MEMBER_LIMITS.get(name.rpartition("/")[2], min(MEMBER_LIMITS.values()))


def check_member_size(member: ZipMember, limit: int) -> None:
    """Raise :class:`IndexBodyTooLargeError` when the directory says the member is too big."""
    size = max(member.size, member.compressed_size)
    if size > limit:
        raise IndexBodyTooLargeError(
            f"{member.name.rpartition('/')[2]} is {size:,} bytes, over the {limit:,}-byte limit"
        )


def extract_member(record: bytes, member: ZipMember, limit: int | None = None) -> bytes:
    """Decompress a member from bytes starting at its local header, at most ``limit`` bytes."""
    limit = _limit(member.name) if limit is None else limit
    check_member_size(member, limit)
    if len(record) < _LOCAL.size or record[:4] != b"PK\x03\x04":
        raise WheelFormatError(f"no local header for {member.name}")
    fields = _LOCAL.unpack_from(record)
    start = _LOCAL.size + fields[9] + fields[10]
    data = record[start : start + member.compressed_size]
    if len(data) != member.compressed_size:
        raise WheelFormatError(f"{member.name} is cut short")
    if member.method == zipfile.ZIP_STORED:
        return data
    if member.method == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            out = inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise WheelFormatError(f"{member.name}: {exc}") from exc
        if len(out) > limit or inflater.unconsumed_tail:
            raise IndexBodyTooLargeError(
                f"{member.name.rpartition('/')[2]} inflates past the {limit:,}-byte limit "
                f"(it says {member.size:,} bytes)"
            )
        return out
    raise WheelFormatError(f"{member.name}: zip method {member.method} not supported")


def _wanted_members(names: Collection[str], members: list[ZipMember]) -> dict[str, ZipMember]:
    # The wheel's own .dist-info directory sits at the top level.
    found: dict[str, ZipMember] = {}
    for member in members:
        top, _, rest = member.name.partition("/")
        if top.endswith(".dist-info") and rest in names:
            found.setdefault(rest, member)
    return found


class _Reader:
    def __init__(self, client: IndexClient, url: str) -> None:
        self.client = client
        self.url = url
        self.fetched = 0
        self.requests = 0
        self.ranged = False

    async def tail(self, length: int) -> tuple[int, bytes, int]:
        """The last ``length`` bytes, the offset they start at and the wheel's size.

        One suffix-range request (``bytes=-N``): its ``Content-Range`` tells
        the size. A ``200`` (ranges ignored) is the whole wheel, returned as
        the tail at offset 0 within the wheel's size cap.
        """

        def answers(start: int, end: int, size: int | None) -> bool:
            return size is not None and end == size - 1 and start == max(0, size - length)

        return await self._partial(f"bytes=-{length}", answers, whole_ok=True)

    async def range(self, start: int, end: int, size: int) -> bytes:
        """Bytes ``start..end`` inclusive of a wheel of ``size`` bytes."""

        def answers(got_start: int, got_end: int, got_size: int | None) -> bool:
            return (got_start, got_end) == (start, end) and got_size in (None, size)

        return (await self._partial(f"bytes={start}-{end}", answers))[1]

    async def _partial(
        self,
        ranges: str,
        answers: Callable[[int, int, int | None], bool],
        *,
        whole_ok: bool = False,
    ) -> tuple[int, bytes, int]:
        """GET ``ranges``: where the bytes start, the bytes and the file's size.

        Raises RangesUnsupportedError unless a ``206`` whose ``Content-Range``
        ``answers`` (or, when ``whole_ok``, a ``200``) comes back; a ``416``
        is ranges refused too, not a failure of the project.
        """
        from .client import LIMITS

        self.requests += 1
        shown = mask_url(self.url)
        headers = {"Range": ranges, "Accept-Encoding": "identity"}
        try:
            async with self.client.stream("GET", self.url, headers) as response:
                if response.status_code == 200 and whole_ok:
                    body = await self._read(response, LIMITS["wheel"], "wheel")
                    return 0, body, len(body)
                if response.status_code != 206:
                    raise RangesUnsupportedError(
                        f"{shown}: asked for a byte range, got HTTP {response.status_code}"
                    )
                header = response.headers.get("Content-Range", "")
                match = _CONTENT_RANGE.fullmatch(header.strip())
                size = None if not match or match[3] == "*" else int(match[3])
                if not match or not answers(int(match[1]), int(match[2]), size):
                    raise RangesUnsupportedError(
                        f"{shown}: Content-Range {clean_text(header, 80)!r} does not answer "
                        f"{ranges}"
                    )
                start, end = int(match[1]), int(match[2])
                body = await self._read(response, end - start + 1, "byte range")
        except IndexHTTPError as exc:
            if exc.status != 416:  # Range Not Satisfiable
                raise
            raise RangesUnsupportedError(f"{shown}: the byte range was refused") from exc
        if len(body) != end - start + 1:
            raise IndexProtocolError(f"{shown}: byte range cut short")
        self.ranged = True
        return start, body, size if size is not None else end + 1

    async def _read(self, response: httpx.Response, limit: int, what: str) -> bytes:
        body = b"".join([c async for c in self.client.body(response, limit=limit, what=what)])
        self.fetched += len(body)
        return body

    async def whole(self) -> bytes:
        from .client import LIMITS

        self.requests += 1
        response = await self.client.get(self.url, limit=LIMITS["wheel"], what="wheel")
        self.fetched += len(response.content)
        return response.content


async def read_wheel_files(
    client: IndexClient, url: str, names: Collection[str], *, size: int | None = None
) -> WheelFiles:
    """Read the ``.dist-info`` files ``names`` (e.g. ``entry_points.txt``) of the wheel at ``url``.

    Files the wheel lacks are absent from the result. ``size``, when the
    index said how big the file is, lets a small wheel be fetched whole at once.
    """
    reader = _Reader(client, url)
    if size is None or size > SMALL_WHEEL:
        try:
            if size is None:
                start, tail, size = await reader.tail(TAIL_SIZE)
            else:
                start = max(0, size - TAIL_SIZE)
                tail = await reader.range(start, size - 1, size)
            if start == 0:  # the tail is the whole wheel
                files = _from_whole(tail, names, url)
            else:
                files = await _ranged(reader, names, size, start, tail)
            return WheelFiles(files, size, reader.fetched, reader.requests, reader.ranged)
        except (RangesUnsupportedError, WheelFormatError):
            pass
    body = await reader.whole()
    return WheelFiles(
        _from_whole(body, names, url), len(body), reader.fetched, reader.requests, False
    )


async def _ranged(
    reader: _Reader, names: Collection[str], size: int, have_start: int, have: bytes
) -> dict[str, bytes]:
    """The wanted members, given the wheel's last bytes ``have`` (from ``have_start``)."""
    cd_offset, cd_size = locate_central_directory(have, have_start)
    if cd_offset < have_start:
        # The central directory starts before the tail we read: fetch the gap.
        have = await reader.range(cd_offset, have_start - 1, size) + have
        have_start = cd_offset
    members = parse_central_directory(
        have[cd_offset - have_start : cd_offset - have_start + cd_size]
    )
    bounds = [m.offset for m in members] + [cd_offset]
    ends = {m.offset: bounds[i + 1] for i, m in enumerate(members)}
    wanted = _wanted_members(names, members)
    first = min((m.offset for m in wanted.values()), default=have_start)
    # dist-info files are written last, next to each other: one range.
    if first < have_start and have_start - first <= _ONE_SPAN:
        have = await reader.range(first, have_start - 1, size) + have
        have_start = first
    files = {}
    for name, member in wanted.items():
        end = ends[member.offset]
        if member.offset >= have_start:
            record = have[member.offset - have_start : end - have_start]
        else:
            check_member_size(member, _limit(member.name))
            record = await reader.range(member.offset, end - 1, size)
        files[name] = extract_member(record, member)
    return files


def _from_whole(body: bytes, names: Collection[str], url: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            members = [
                ZipMember(
                    i.filename, i.compress_type, i.compress_size, i.file_size, i.header_offset
                )
                for i in archive.infolist()
            ]
            wanted = _wanted_members(names, members)
            for member in wanted.values():
                check_member_size(member, _limit(member.name))
            # ZipExtFile stops at the declared size, so the check above bounds memory.
            return {name: archive.read(m.name) for name, m in wanted.items()}
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        UnicodeDecodeError,
        NotImplementedError,
    ) as exc:
        raise IndexProtocolError(
            f"{mask_url(url)} is not a readable wheel ({type(exc).__name__})"
        ) from exc
