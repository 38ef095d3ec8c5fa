"""One model of a distribution's metadata, read from wherever the bytes come from.

A wheel file, an installed distribution and bytes fetched from an index (a
PEP 658 ``.metadata`` file, or members read by byte range from a remote
wheel) all become the same frozen :class:`PackageMetadata`, parsed by the
same rules: core metadata is UTF-8, entry points are ``module:attr``
references (:func:`is_reference`, the project's one rule), and the
``fastrtc`` requirement is the one :func:`fastrtc_requirement` finds. Static
checks, search, info, install and registry update all read packages here.

The host is the distribution that provides the ``fastrtc`` import package:
fastrtc itself, or a fork shipping it under its own name (fastrtc-compact).
:func:`fastrtc_host` finds it; :func:`host_provides` says whether it meets a
plugin's requirement and :func:`host_extra_command` names the install line
for one of fastrtc's extras on it.

Everything is pure apart from :func:`read_wheel`, :func:`read_distribution`
and :func:`fastrtc_host`, which only read the files they are pointed at.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._text import mask_url
from .errors import PackageMetadataError
from .names import Kind, canonicalize, kind_for_group, requirement

if TYPE_CHECKING:
    import zipfile
    from importlib.metadata import Distribution

    from packaging.requirements import Requirement

__all__ = [
    "MAX_ENTRY_POINTS_BYTES",
    "MAX_METADATA_BYTES",
    "EntryPointSpec",
    "PackageMetadata",
    "applies_here",
    "fastrtc_host",
    "fastrtc_requirement",
    "host_extra_command",
    "host_extra_requirements",
    "host_label",
    "host_provides",
    "install_command",
    "is_fork",
    "is_project_name",
    "is_reference",
    "parse_entry_points",
    "parsed_requirements",
    "python_allowed",
    "read_distribution",
    "read_metadata",
    "read_wheel",
    "safe_version",
]

# Core metadata with a long README is a few hundred KB; entry points a few lines.
MAX_METADATA_BYTES = 4 * 1024 * 1024
MAX_ENTRY_POINTS_BYTES = 256 * 1024
# The import package (and upstream distribution) a host provides.
FASTRTC = "fastrtc"
# PEP 440 versions in the wild are short; a longer one is an attack on int().
_MAX_VERSION_CHARS = 64

# PEP 508's name pattern: what may be printed, passed to pip or written to the catalog.
_PROJECT_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z", re.ASCII)
_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
_REFERENCE = re.compile(rf"{_DOTTED}:{_DOTTED}\Z", re.ASCII)


def is_project_name(name: str) -> bool:
    """Whether ``name`` matches PEP 508's project name pattern (ASCII letters, digits, ``-_.``)."""
    return len(name) <= 200 and _PROJECT_NAME.match(name) is not None


def is_reference(value: str) -> bool:
    """Whether ``value`` is a ``package.module:Attr.attr`` object reference."""
    return _REFERENCE.match(value.strip()) is not None


@dataclass(frozen=True, slots=True)
class EntryPointSpec:
    """One entry point: ``name = value`` in ``[group]`` of entry_points.txt."""

    group: str
    name: str
    value: str

    @property
    def kind(self) -> Kind | None:
        """The plugin kind its group declares, or None for other groups."""
        return kind_for_group(self.group)


@dataclass(frozen=True, slots=True)
class PackageMetadata:
    """What a distribution says about itself: core metadata and entry points."""

    name: str
    version: str
    summary: str = ""
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    has_readme: bool = False
    entry_points: tuple[EntryPointSpec, ...] = ()
    project_urls: tuple[tuple[str, str], ...] = ()
    provides_extra: tuple[str, ...] = ()
    provides_dist: tuple[str, ...] = ()

    @property
    def plugin_entry_points(self) -> tuple[EntryPointSpec, ...]:
        """Only the ``fastrtc.vad`` / ``fastrtc.turn_taking`` entry points."""
        return tuple(e for e in self.entry_points if e.kind is not None)


def _decode(data: bytes | str, what: str, limit: int) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if len(data) > limit:
        raise PackageMetadataError(f"{what} is {len(data):,} bytes, over the {limit:,}-byte limit")
    # Core metadata is UTF-8 (PEP 566); a stray byte must not hide the rest.
    return data.decode("utf-8", "replace")


def read_metadata(
    metadata: bytes | str, entry_points: bytes | str | None = None
) -> PackageMetadata:
    """Parse METADATA / PKG-INFO (and entry_points.txt when given) into one model.

    Raises :class:`PackageMetadataError` for a file that is too big, has no
    Name or Version, or an entry_points.txt that does not parse.
    """
    # The email parser and zipfile are imported where used: ``list`` and the
    # catalog import this module but never parse METADATA or open a wheel.
    from email.parser import Parser
    from email.policy import compat32

    text = _decode(metadata, "METADATA", MAX_METADATA_BYTES)
    message = Parser(policy=compat32).parsestr(text)

    def get(key: str) -> str:
        value = message.get(key)
        value = str(value).strip() if value is not None else ""
        return "" if value == "UNKNOWN" else value

    name, version = get("Name"), get("Version")
    if not name or not version:
        raise PackageMetadataError("METADATA has no Name or no Version")
    body = message.get_payload()
    description = get("Description") or (body if isinstance(body, str) else "")
    urls = []
    for raw in message.get_all("Project-URL") or ():
        label, _, url = str(raw).partition(",")
        if url.strip():
            urls.append((label.strip(), url.strip()))
    if get("Home-page") and not urls:
        urls.append(("Homepage", get("Home-page")))
    return PackageMetadata(
        name=name,
        version=version,
        summary=get("Summary"),
        requires_python=get("Requires-Python") or None,
        requires_dist=tuple(str(r).strip() for r in message.get_all("Requires-Dist") or ()),
        has_readme=bool(description.strip()),
        entry_points=parse_entry_points(entry_points) if entry_points else (),
        project_urls=tuple(urls),
        provides_extra=tuple(str(e).strip() for e in message.get_all("Provides-Extra") or ()),
        provides_dist=tuple(str(d).strip() for d in message.get_all("Provides-Dist") or ()),
    )


def parse_entry_points(data: bytes | str) -> tuple[EntryPointSpec, ...]:
    """Every entry point in an entry_points.txt; raise PackageMetadataError if unreadable."""
    text = _decode(data, "entry_points.txt", MAX_ENTRY_POINTS_BYTES)
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PackageMetadataError(f"entry_points.txt does not parse: {first}") from exc
    return tuple(
        EntryPointSpec(group, name.strip(), value.strip())
        for group in parser.sections()
        for name, value in parser.items(group)
    )


def _dist_info(names: Iterable[str]) -> str | None:
    return next(
        (n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1),
        None,
    )


def _member(wheel: zipfile.ZipFile, name: str, limit: int) -> bytes:
    info = wheel.getinfo(name)
    # ZipExtFile never returns more than the declared size, so checking it bounds memory.
    if info.file_size > limit:
        raise PackageMetadataError(f"{name} is {info.file_size:,} bytes, over the {limit:,} limit")
    return wheel.read(info)


def read_wheel(path: Path) -> PackageMetadata:
    """Read a wheel file's METADATA and entry_points.txt; raise PackageMetadataError if unusable."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
            info_dir = _dist_info(names)
            if info_dir is None:
                raise PackageMetadataError(
                    f"{path.name} has no .dist-info/METADATA; is it a wheel?"
                )
            eps = f"{info_dir}/entry_points.txt"
            return read_metadata(
                _member(wheel, f"{info_dir}/METADATA", MAX_METADATA_BYTES),
                _member(wheel, eps, MAX_ENTRY_POINTS_BYTES) if eps in names else None,
            )
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, NotImplementedError) as exc:
        raise PackageMetadataError(f"cannot read the wheel {path}: {exc}") from exc


def read_distribution(dist: Distribution) -> PackageMetadata:
    """Read an installed distribution's metadata and entry points (files are UTF-8)."""
    return read_metadata(
        dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "",
        dist.read_text("entry_points.txt"),
    )


def safe_version(text: str | None) -> str | None:
    """``text`` as a normalised PEP 440 version, or None (also for absurdly long ones)."""
    from packaging.version import InvalidVersion, Version

    if not text or len(text) > _MAX_VERSION_CHARS:
        return None
    try:
        return str(Version(text))
    except (InvalidVersion, ValueError):
        return None


def install_command(package: str, index_url: str | None = None, *, extra: str | None = None) -> str:
    """``pip install <normalised name>``, quoted with its ``[extra]`` when it has one (and a
    masked ``--index-url``); "" for a bad name."""
    if not is_project_name(package) or (extra is not None and not is_project_name(extra)):
        return ""
    wanted = requirement(package, extra)
    command = f'pip install "{wanted}"' if extra else f"pip install {wanted}"
    return command + (f" --index-url {mask_url(index_url)}" if index_url else "")


def python_allowed(requires_python: str | None, python: str) -> bool | None:
    """Whether ``python`` satisfies ``requires_python``; None when the spec is unreadable."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not requires_python:
        return True
    if len(requires_python) > 200:
        return None
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except (InvalidSpecifier, ValueError):
        return None


def fastrtc_requirement(
    requires_dist: Iterable[str],
    environment: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
) -> Requirement | None:
    """The ``fastrtc`` requirement that applies when the package is installed here.

    With ``host`` (a fork's distribution name), a requirement on the fork itself
    counts too: a plugin written for fastrtc-compact may require it by name.

    The one rule for markers, used by search and by PKG003: a ``Requires-Dist``
    naming fastrtc counts when it has no marker, or its marker is true in this
    environment with no extra selected (so ``fastrtc; extra == "gpu"`` does not
    count). Unparsable lines are skipped, as pip skips them. A fastrtc
    requirement whose marker or version cannot be evaluated raises
    :class:`PackageMetadataError`.
    """
    names = {FASTRTC, canonicalize(host)} if host else {FASTRTC}
    for wanted in parsed_requirements(requires_dist):
        if canonicalize(wanted.name) not in names:
            continue
        for spec in wanted.specifier:
            if len(spec.version) > _MAX_VERSION_CHARS:
                raise PackageMetadataError(f"unreadable fastrtc requirement {str(wanted)[:80]!r}")
        if applies_here(wanted, environment=environment):
            return wanted
    return None


def parsed_requirements(lines: Iterable[str]) -> Iterator[Requirement]:
    """The ``Requires-Dist`` lines that parse; the others are skipped, as pip skips them."""
    from packaging.markers import InvalidMarker
    from packaging.requirements import InvalidRequirement, Requirement

    for line in lines:
        try:
            yield Requirement(line)
        except (InvalidRequirement, InvalidMarker, ValueError):
            continue


def applies_here(
    requirement: Requirement,
    extras: Iterable[str] = (),
    *,
    environment: Mapping[str, str] | None = None,
) -> bool:
    """True when ``requirement``'s marker holds here with no extra, or with one of ``extras``.

    The one rule for markers, used by search, PKG003, validate's environment
    and install. A marker that cannot be evaluated raises
    :class:`PackageMetadataError`.
    """
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName

    if requirement.marker is None:
        return True
    for extra in ("", *(canonicalize(e) for e in extras)):
        try:
            if requirement.marker.evaluate({"extra": extra, **(environment or {})}):
                return True
        except (UndefinedComparison, UndefinedEnvironmentName, ValueError) as exc:
            raise PackageMetadataError(
                f"the marker of {str(requirement)[:80]!r} cannot be evaluated "
                f"({type(exc).__name__})"
            ) from exc
    return False


def _provides_fastrtc(dist: Distribution) -> bool:
    # packages_distributions()'s rule (top_level.txt, else the files' top-level names),
    # read as text: building its whole map parses every RECORD, over a second here.
    top_level = dist.read_text("top_level.txt")
    if top_level is not None:
        return FASTRTC in top_level.split()
    record = dist.read_text("RECORD") or ""
    return any(
        record.startswith(start) or f"\n{start}" in record
        for start in (f"{FASTRTC}/", f"{FASTRTC}.py,")
    )


def fastrtc_host(path: Sequence[str] | None = None) -> PackageMetadata | None:
    """The distribution that provides the ``fastrtc`` import package: fastrtc or a fork.

    The first distribution on ``path`` (default ``sys.path``, the order imports
    follow) whose files hold the top-level ``fastrtc`` package, as
    ``importlib.metadata.packages_distributions()`` maps it; else the ``fastrtc``
    distribution itself (an editable install lists no package files); None when
    neither is installed.
    """
    import sys
    from importlib import metadata

    fallback = None
    for dist in metadata.distributions(path=list(sys.path if path is None else path)):
        if _provides_fastrtc(dist):
            return read_distribution(dist)
        name = getattr(dist, "_normalized_name", None) or dist.metadata["Name"]
        if fallback is None and name and canonicalize(name) == FASTRTC:
            fallback = dist
    return read_distribution(fallback) if fallback is not None else None


def is_fork(host: PackageMetadata) -> bool:
    """Whether ``host`` ships the ``fastrtc`` package under another distribution name."""
    return canonicalize(host.name) != FASTRTC


def _declared_fastrtc_version(host: PackageMetadata) -> str | None:
    """The fastrtc version a fork says it provides (``Provides-Dist: fastrtc (==X)``)."""
    for line in host.provides_dist:
        name, _, rest = line.partition("(")
        if canonicalize(name.strip()) != FASTRTC:
            continue
        version = safe_version(rest.rstrip(") ").lstrip("=<>!~ "))
        if version is not None:
            return version
    return None


def host_label(host: PackageMetadata | None) -> str | None:
    """The host as records name it: fastrtc's version (``0.0.34``), a fork's name and
    version (``fastrtc-compact 0.0.1``), or None when fastrtc is not installed."""
    if host is None:
        return None
    return f"{host.name} {host.version}" if is_fork(host) else host.version


def host_provides(host: PackageMetadata, requirement: Requirement) -> tuple[bool, str]:
    """Whether ``host`` meets a plugin's ``requirement`` on fastrtc, and a note for a fork.

    fastrtc itself, and a requirement naming the fork itself, are checked
    strictly. A fork that declares ``Provides-Dist: fastrtc (X)`` is checked
    against X. Otherwise the fork's own version is compared; when it does not
    fit, it is taken for the fork's own numbering (fastrtc-compact starts at
    0.0.1), and the requirement is accepted with a note saying so.
    """
    spec = requirement.specifier
    named = canonicalize(requirement.name)
    label = f"{host.name} {host.version}"

    def fits(version: str) -> bool:
        try:
            return spec.contains(version, prereleases=True)
        except ValueError:
            return False

    if not is_fork(host) or named == canonicalize(host.name):
        return fits(host.version), ""
    declared = _declared_fastrtc_version(host)
    if declared is not None:
        return fits(declared), f"{label} provides fastrtc {declared} (its Provides-Dist)"
    if not spec or fits(host.version):
        return True, f"fastrtc{spec} is provided by the fork {label}"
    return True, (
        f"{label} provides fastrtc under its own version numbers, so fastrtc{spec} "
        "was accepted without a version check"
    )


def host_extra_command(host: PackageMetadata | None, extra: str, packages: Sequence[str]) -> str:
    """The install line for fastrtc's ``extra`` on ``host``, which never installs fastrtc
    over a fork: ``fastrtc[extra]``, the fork's own extra, else ``packages`` by name."""
    if host is None or not is_fork(host):
        return install_command(FASTRTC, extra=extra)
    if canonicalize(extra) in {canonicalize(e) for e in host.provides_extra}:
        return install_command(host.name, extra=extra)
    wanted = [p for p in packages if is_project_name(p)]
    return "pip install " + " ".join(wanted) if wanted else ""


def host_extra_requirements(host: PackageMetadata, extras: Iterable[str]) -> list[Requirement]:
    """The requirements ``host``'s own ``extras`` add here, markers evaluated and dropped
    (none for an extra it does not declare)."""
    found = []
    for wanted in parsed_requirements(host.requires_dist):
        try:
            if wanted.marker is None or applies_here(wanted) or not applies_here(wanted, extras):
                continue
        except PackageMetadataError:
            continue  # a marker pip cannot evaluate either: not ours to install
        wanted.marker = None  # true here for the extra: pip must not skip it
        found.append(wanted)
    return found
