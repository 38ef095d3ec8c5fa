"""Range reads of a wheel: the zip central directory and its members, and what each answer
to a byte range is taken to mean."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable

import httpx
import pytest

from fastrtc_registry.errors import IndexProtocolError
from fastrtc_registry.index.wheel import (
    TAIL_SIZE,
    extract_member,
    locate_central_directory,
    parse_central_directory,
)


def test_zip_tail_reader_matches_zipfile():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/data.bin", os.urandom(50_000), zipfile.ZIP_STORED)
        archive.writestr("pkg-1.0.dist-info/METADATA", "Name: pkg\n" * 50)
        archive.writestr("pkg-1.0.dist-info/entry_points.txt", "[fastrtc.vad]\na = b:c\n")
    data = buffer.getvalue()
    tail_offset = len(data) - 4096
    cd_offset, cd_size = locate_central_directory(data[tail_offset:], tail_offset)
    members = parse_central_directory(data[cd_offset : cd_offset + cd_size])
    assert [m.name for m in members][-1] == "pkg-1.0.dist-info/entry_points.txt"
    bounds = [m.offset for m in members] + [cd_offset]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for i, member in enumerate(members):
            record = data[member.offset : bounds[i + 1]]
            assert extract_member(record, member) == archive.read(member.name)


# --- the reader against a mock transport: what each answer to a range means ---

WHEEL_URL = "http://127.0.0.1:1/files/pkg-1.0-py3-none-any.whl"
WANTED = {"entry_points.txt", "METADATA"}


def _wheel() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/weights.bin", os.urandom(300_000), zipfile.ZIP_STORED)
        archive.writestr("pkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: pkg\n")
        archive.writestr("pkg-1.0.dist-info/entry_points.txt", "[fastrtc.vad]\na = b:c\n")
    return buffer.getvalue()


def _read(answer: Callable[[httpx.Request, bytes], httpx.Response]) -> tuple[object, list[str]]:
    import asyncio

    from fastrtc_registry.index.client import IndexClient
    from fastrtc_registry.index.wheel import read_wheel_files

    body, asked = _wheel(), []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.headers.get('Range', '-')}")
        return answer(request, body)

    async def run() -> object:
        async with IndexClient(transport=httpx.MockTransport(handler)) as client:
            return await read_wheel_files(client, WHEEL_URL, WANTED)

    return asyncio.run(run()), asked


def _honest(request: httpx.Request, body: bytes) -> httpx.Response:
    header = request.headers.get("Range", "")
    if header.startswith("bytes=-"):
        start, end = max(0, len(body) - int(header[7:])), len(body) - 1
    elif header:
        start, end = (int(v) for v in header[6:].split("-"))
    else:
        return httpx.Response(200, content=body)
    return httpx.Response(
        206,
        content=body[start : end + 1],
        headers={"Content-Range": f"bytes {start}-{end}/{len(body)}"},
    )


def _assert_read(got: object) -> None:
    files = got.files  # type: ignore[attr-defined]
    assert files["entry_points.txt"] == b"[fastrtc.vad]\na = b:c\n"
    assert files["METADATA"].startswith(b"Metadata-Version: 2.1\nName: pkg")


def test_one_suffix_range_gives_the_size_and_the_tail():
    got, asked = _read(_honest)
    _assert_read(got)
    # No HEAD: one request, a few KB of a 300 KB wheel.
    assert asked == [f"GET bytes=-{TAIL_SIZE}"]
    assert got.ranged and got.size == len(_wheel())  # type: ignore[attr-defined]
    assert got.bytes_fetched <= TAIL_SIZE  # type: ignore[attr-defined]


def test_a_server_ignoring_ranges_sends_the_wheel_once():
    got, asked = _read(lambda _request, body: httpx.Response(200, content=body))
    _assert_read(got)
    assert asked == [f"GET bytes=-{TAIL_SIZE}"] and not got.ranged  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "lie",
    [
        pytest.param("bytes 0-16383/{size}", id="the-head-called-the-tail"),
        pytest.param("bytes {tail}-{last}/*", id="no-total"),
        pytest.param("bytes {tail}-{last}/{bigger}", id="another-total"),
        pytest.param("", id="no-content-range"),
    ],
)
def test_a_206_that_does_not_answer_the_suffix_is_not_trusted(lie: str):
    def lying(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.headers.get("Range", "").startswith("bytes=-"):
            size = len(body)
            header = lie.format(size=size, tail=size - TAIL_SIZE, last=size - 1, bigger=size + 9)
            span = body[:TAIL_SIZE] if header.startswith("bytes 0-") else body[-TAIL_SIZE:]
            return httpx.Response(
                206, content=span, headers={"Content-Range": header} if lie else {}
            )
        return _honest(request, body)

    got, asked = _read(lying)
    _assert_read(got)  # read whole instead, never from the mislabelled bytes
    assert asked == [f"GET bytes=-{TAIL_SIZE}", "GET -"]


def test_a_refused_range_falls_back_to_one_download():
    def refusing(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.headers.get("Range"):
            return httpx.Response(416)
        return httpx.Response(200, content=body)

    got, asked = _read(refusing)
    _assert_read(got)
    assert asked == [f"GET bytes=-{TAIL_SIZE}", "GET -"]


def test_a_range_cut_short_is_the_projects_error():
    def short(request: httpx.Request, body: bytes) -> httpx.Response:
        answer = _honest(request, body)
        return httpx.Response(206, content=answer.content[:100], headers=answer.headers)

    with pytest.raises(IndexProtocolError, match="cut short"):
        _read(short)
