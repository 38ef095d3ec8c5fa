"""What search knows about one project: the facts read from its newest usable release.

The package fields come from :class:`~fastrtc_registry.packages.PackageMetadata`;
this adds what only the index knows (versions, the wheel read) and whether
the project could be checked at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..names import CanonicalName, canonicalize
from ..packages import EntryPointSpec, PackageMetadata, is_project_name

__all__ = ["ProjectFacts"]


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What a project's newest usable release says about itself, read without installing it.

    ``name`` is the name the index lists (never METADATA's). ``entry_points``
    lists only the ``fastrtc.vad`` / ``fastrtc.turn_taking`` ones; ``error``
    says, in one line, why the project could not be checked (its page,
    metadata or wheel failed, was too big or too slow, or lied).
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
    def declared(self) -> bool | None:
        """Whether the wheel declares a fastrtc plugin entry point; None when unchecked."""
        return None if self.error is not None else bool(self.entry_points)

    @classmethod
    def from_metadata(
        cls,
        name: str,
        canonical: CanonicalName,
        meta: PackageMetadata,
        **index_facts: Any,
    ) -> ProjectFacts:
        """Facts from the one package model plus what the index said (versions, wheel)."""
        return cls(
            name=name,
            canonical=canonical,
            version=index_facts.pop("version", meta.version),
            summary=meta.summary,
            requires_python=meta.requires_python or index_facts.pop("requires_python", None),
            requires_dist=meta.requires_dist,
            project_urls=meta.project_urls,
            entry_points=meta.plugin_entry_points,
            **{k: v for k, v in index_facts.items() if k != "requires_python"},
        )

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
            if not is_project_name(str(data["name"])):
                raise ValueError("not a project name")
            error = data["error"]
            if error is not None and not isinstance(error, str):
                raise TypeError("error is not text")
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
                error=error,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed project facts: {exc}") from exc
