"""What search knows about one project: the facts read from its newest usable release."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..names import CanonicalName, canonicalize
from .metadata import EntryPointSpec

__all__ = ["ProjectFacts"]


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What a project's newest usable release says about itself, read without installing it.

    ``entry_points`` lists only the ``fastrtc.vad`` / ``fastrtc.turn_taking``
    ones; ``error`` says why facts are missing (e.g. only an sdist, which
    search never builds).
    """

    name: str
    canonical: CanonicalName
    version: str | None = None
    versions: tuple[str, ...] = ()
    summary: str = ""
    requires_python: str | None = None
    requires_dist: tuple[str, ...] = ()
    project_urls: tuple[tuple[str, str], ...] = ()
    entry_points: tuple[EntryPointSpec, ...] = ()
    wheel: str | None = None
    metadata_source: Literal["pep658", "wheel"] | None = None
    error: str | None = None

    @property
    def declared(self) -> bool:
        """True when the wheel declares at least one fastrtc plugin entry point."""
        return bool(self.entry_points)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (also the cache format)."""
        return {
            "name": self.name,
            "canonical": self.canonical,
            "version": self.version,
            "versions": list(self.versions),
            "summary": self.summary,
            "requires_python": self.requires_python,
            "requires_dist": list(self.requires_dist),
            "project_urls": [list(u) for u in self.project_urls],
            "entry_points": [
                {"group": e.group, "name": e.name, "value": e.value} for e in self.entry_points
            ],
            "wheel": self.wheel,
            "metadata_source": self.metadata_source,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectFacts:
        """Rebuild from :meth:`as_dict`; raise ValueError on anything malformed."""
        try:
            return cls(
                name=str(data["name"]),
                canonical=canonicalize(str(data["canonical"])),
                version=data["version"],
                versions=tuple(map(str, data["versions"])),
                summary=str(data["summary"]),
                requires_python=data["requires_python"],
                requires_dist=tuple(map(str, data["requires_dist"])),
                project_urls=tuple((str(a), str(b)) for a, b in data["project_urls"]),
                entry_points=tuple(
                    EntryPointSpec(str(e["group"]), str(e["name"]), str(e["value"]))
                    for e in data["entry_points"]
                ),
                wheel=data["wheel"],
                metadata_source=data["metadata_source"],
                error=data["error"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed project facts: {exc}") from exc
