"""The one package model: metadata from bytes, wheels and installed distributions, one rule set."""

from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from fastrtc_registry.errors import PackageMetadataError
from fastrtc_registry.packages import (
    MAX_ENTRY_POINTS_BYTES,
    EntryPointSpec,
    fastrtc_host,
    fastrtc_requirement,
    is_fork,
    is_project_name,
    is_reference,
    parse_entry_points,
    python_allowed,
    read_distribution,
    read_metadata,
    read_wheel,
    safe_version,
)

METADATA = (
    "Metadata-Version: 2.1\nName: fastrtc-x\nVersion: 1.0\n"
    "Summary: Sprachaktivitätserkennung, 音声区間検出\nRequires-Python: >=3.10\n"
    "Requires-Dist: fastrtc>=0.0.30\nRequires-Dist: numpy\n"
    "Project-URL: Source, https://example.invalid/x\n\nA README body\n"
).encode()
ENTRY_POINTS = b"[console_scripts]\nx = x:main\n[fastrtc.vad]\nMy_VAD = x.m:V\n"


def test_core_metadata_is_utf8_and_entry_points_are_typed():
    meta = read_metadata(METADATA, ENTRY_POINTS)
    assert (meta.name, meta.version) == ("fastrtc-x", "1.0")
    assert meta.summary == "Sprachaktivitätserkennung, 音声区間検出"
    assert meta.requires_dist == ("fastrtc>=0.0.30", "numpy")
    assert meta.project_urls == (("Source", "https://example.invalid/x"),)
    assert meta.has_readme
    assert meta.plugin_entry_points == (EntryPointSpec("fastrtc.vad", "My_VAD", "x.m:V"),)
    assert meta.plugin_entry_points[0].kind == "vad"


def test_the_same_model_from_a_wheel_file(tmp_path: Path):
    wheel = tmp_path / "fastrtc_x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("fastrtc_x/__init__.py", "")
        archive.writestr("fastrtc_x-1.0.dist-info/METADATA", METADATA)
        archive.writestr("fastrtc_x-1.0.dist-info/entry_points.txt", ENTRY_POINTS)
    assert read_wheel(wheel) == read_metadata(METADATA, ENTRY_POINTS)


def test_the_same_model_from_an_installed_distribution(tmp_path: Path):
    info = tmp_path / "fastrtc_x-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(METADATA)
    (info / "entry_points.txt").write_bytes(ENTRY_POINTS)
    dist = metadata.PathDistribution(info)
    assert read_distribution(dist) == read_metadata(METADATA, ENTRY_POINTS)


@pytest.mark.parametrize(
    "data",
    [b"Name: x\n", b"[broken\n", b"x" * (MAX_ENTRY_POINTS_BYTES + 1)],
    ids=["no-version", "bad-entry-points", "too-big"],
)
def test_unusable_metadata_raises_one_error(data: bytes):
    with pytest.raises(PackageMetadataError):
        if data.startswith(b"Name"):
            read_metadata(data)
        else:
            parse_entry_points(data)


def test_a_wheel_whose_entry_points_claim_to_be_huge_is_refused(tmp_path: Path):
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x-1.0.dist-info/METADATA", METADATA)
        archive.writestr("x-1.0.dist-info/entry_points.txt", b"#" * (MAX_ENTRY_POINTS_BYTES * 4))
    with pytest.raises(PackageMetadataError, match="over the"):
        read_wheel(wheel)


@pytest.mark.parametrize(
    ("requires", "expected"),
    [
        (("fastrtc>=0.0.30",), ">=0.0.30"),
        (("numpy", "fastrtc[vad]>=0.1; python_version >= '3.8'"), ">=0.1"),
        (("fastrtc>=9; extra == 'gpu'",), None),
        (("fastrtc>=9; python_version < '3'",), None),
        (("not a requirement ][", "FastRTC>=0.2"), ">=0.2"),
        ((), None),
    ],
    ids=["plain", "true-marker", "extra-only", "false-marker", "skips-junk", "none"],
)
def test_one_rule_for_the_fastrtc_requirement(requires: tuple[str, ...], expected: str | None):
    found = fastrtc_requirement(requires)
    assert (str(found.specifier) if found is not None else None) == expected


@pytest.mark.parametrize(
    "line",
    ['fastrtc ; python_version ~= "abc"', "fastrtc>=1" + "0" * 5000],
    ids=["undefined-comparison", "huge-version"],
)
def test_a_fastrtc_requirement_that_cannot_be_evaluated_is_a_metadata_error(line: str):
    with pytest.raises(PackageMetadataError):
        fastrtc_requirement([line])


def test_absurd_versions_are_unreadable_not_crashes():
    huge = "1" + "0" * 5000
    assert safe_version(huge) is None
    assert safe_version("1.0.post1") == "1.0.post1"
    assert python_allowed(f">={huge}", "3.11.7") is None
    assert python_allowed(">=3.99", "3.11.7") is False
    assert python_allowed(None, "3.11.7") is True


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("fastrtc-walkie_talkie", True),
        ("Fastrtc.X1", True),
        ("fastrtc-evil; curl x | sh", False),
        ("fastrtc-\x1b[2J", False),
        ("fastrtc-pipopt @ http://127.0.0.1/x.whl", False),
        ("ѕilero", False),
        ("-x", False),
    ],
)
def test_pep508_names(name: str, ok: bool):
    assert is_project_name(name) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("pkg.mod:Cls", True),
        ("pkg:Cls.factory", True),
        ("pkg", False),
        ("pkg:", False),
        ("pkg mod:Cls", False),
        ("pkg:Cls extra", False),
    ],
)
def test_one_module_attr_rule(value: str, ok: bool):
    assert is_reference(value) is ok


def test_static_checks_skip_python_files_too_big_to_be_code(tmp_path: Path):
    from fastrtc_registry.validation.distribution import package_from_wheel

    wheel = tmp_path / "fastrtc_x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fastrtc_x/__init__.py", "X = 1\n")
        archive.writestr("fastrtc_x/huge.py", "#" * (3 * 1024 * 1024))
        archive.writestr("fastrtc_x-1.0.dist-info/METADATA", METADATA)
    package = package_from_wheel(wheel)
    assert set(package.sources) == {"fastrtc_x/__init__.py"}
    assert package.metadata == read_metadata(METADATA)


def _dist_info(site: Path, name: str, record: str, top_level: str | None = None) -> None:
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nProvides-Extra: vad\n"
    )
    (info / "RECORD").write_text(record)
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level)


def test_the_host_is_whoever_provides_the_fastrtc_package(tmp_path: Path):
    """A fork first on the path is the host; a same-prefixed package is not; fastrtc is the
    fallback when nothing lists the package's files (an editable install)."""
    fork, other, upstream = tmp_path / "fork", tmp_path / "other", tmp_path / "upstream"
    _dist_info(fork, "fastrtc-compact", "fastrtc/__init__.py,sha256=x,1\n")
    _dist_info(other, "fastrtc-x", "fastrtc_x/__init__.py,,\nfastrtc_x/fastrtc/a.py,,\n")
    _dist_info(other, "fastrtc-legacy", "", top_level="fastrtc_legacy\n")
    _dist_info(upstream, "fastrtc", "__editable__.fastrtc.pth,,\n")
    host = fastrtc_host([str(other), str(fork), str(upstream)])
    assert host is not None and (host.name, host.provides_extra) == ("fastrtc-compact", ("vad",))
    assert is_fork(host)
    fallback = fastrtc_host([str(other), str(upstream)])
    assert fallback is not None and fallback.name == "fastrtc" and not is_fork(fallback)
    assert fastrtc_host([str(other)]) is None


def test_this_environments_host_is_fastrtc():
    host = fastrtc_host()
    assert (
        host is not None and host.name == "fastrtc" and host.version == metadata.version("fastrtc")
    )


def test_one_marker_rule_for_extras_and_broken_markers() -> None:
    from packaging.requirements import Requirement

    from fastrtc_registry.errors import PackageMetadataError
    from fastrtc_registry.packages import applies_here, parsed_requirements

    plain, gpu = Requirement("numpy"), Requirement('torch; extra == "gpu"')
    assert applies_here(plain) and not applies_here(gpu)
    assert applies_here(gpu, ["gpu"]) and applies_here(gpu, ["GPU"])  # PEP 685 folding
    broken = Requirement('numpy; python_version ~= "abc"')
    with pytest.raises(PackageMetadataError, match="cannot be evaluated"):
        applies_here(broken)
    assert [str(r) for r in parsed_requirements(["numpy", "not a requirement !", "x>=1"])] == [
        "numpy",
        "x>=1",
    ]
