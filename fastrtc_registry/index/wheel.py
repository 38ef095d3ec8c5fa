"""Read a few files out of a remote wheel without downloading all of it.

A wheel is a zip file whose central directory sits at its end, and whose
``.dist-info`` files come last. So: learn the size (HEAD), read the tail with
an explicit byte range, parse the central directory, then read just the
wanted members. Every ranged answer must be ``206`` with a matching
``Content-Range``; a server that ignores ranges raises
:class:`RangesUnsupportedError`, and :func:`read_wheel_files` falls back to
one full download (as it does for small wheels, where that is cheaper).
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
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._text import mask_url
from ..errors import (
    IndexAccessError,
    IndexBodyTooLargeError,
    IndexProtocolError,
    RangesUnsupportedError,
    WheelFormatError,
)
from ..packages import MAX_ENTRY_POINTS_BYTES, MAX_METADATA_BYTES

if TYPE_CHECKING:
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

    async def range(self, start: int, end: int, size: int) -> bytes:
        """Bytes ``start..end`` inclusive; raise RangesUnsupportedError unless 206."""
        headers = {"Range": f"bytes={start}-{end}", "Accept-Encoding": "identity"}
        self.requests += 1
        shown = mask_url(self.url)
        async with self.client.stream("GET", self.url, headers) as response:
            if response.status_code != 206:
                raise RangesUnsupportedError(
                    f"{shown}: asked for a byte range, got HTTP {response.status_code}"
                )
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if (
                not match
                or (int(match[1]), int(match[2])) != (start, end)
                or (match[3] != "*" and int(match[3]) != size)
            ):
                raise RangesUnsupportedError(
                    f"{shown}: Content-Range {response.headers.get('Content-Range')!r} "
                    f"does not answer bytes={start}-{end}"
                )
            wanted = end - start + 1
            body = b"".join(
                [c async for c in self.client.body(response, limit=wanted, what="byte range")]
            )
        self.fetched += len(body)
        if len(body) != wanted:
            raise IndexProtocolError(f"{shown}: byte range cut short")
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

    Files the wheel lacks are absent from the result. ``size`` skips the HEAD
    request when the index already said how big the file is.
    """
    reader = _Reader(client, url)
    if size is None:
        size = await _learn_size(reader)
    if size is not None and size > SMALL_WHEEL:
        try:
            files = await _ranged(reader, names, size)
            return WheelFiles(files, size, reader.fetched, reader.requests, True)
        except (RangesUnsupportedError, WheelFormatError):
            pass
    body = await reader.whole()
    return WheelFiles(
        _from_whole(body, names, url), len(body), reader.fetched, reader.requests, False
    )


async def _learn_size(reader: _Reader) -> int | None:
    reader.requests += 1
    try:
        response = await reader.client.head(reader.url)
    except IndexAccessError:
        return None
    length = response.headers.get("Content-Length", "")
    if response.headers.get("Accept-Ranges", "bytes").strip().lower() == "none":
        return None
    return int(length) if length.isdigit() and len(length) < 16 else None


async def _ranged(reader: _Reader, names: Collection[str], size: int) -> dict[str, bytes]:
    tail_start = max(0, size - TAIL_SIZE)
    have_start, have = tail_start, await reader.range(tail_start, size - 1, size)
    cd_offset, cd_size = locate_central_directory(have, tail_start)
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
