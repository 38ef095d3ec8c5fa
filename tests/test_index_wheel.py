"""Range reads of a wheel: the zip central directory and its members, on bytes."""

from __future__ import annotations

import io
import os
import zipfile

from fastrtc_registry.index.wheel import (
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
