"""Index facts put in the cache of an index that is never contacted (the tests run offline)."""

from __future__ import annotations

from fastrtc_registry.index.cache import IndexCache
from fastrtc_registry.index.scan import ProjectFacts
from fastrtc_registry.names import canonicalize
from fastrtc_registry.packages import EntryPointSpec

INDEX = "http://127.0.0.1:9/simple/"  # never contacted: these tests run offline


def project_facts(
    name: str, *eps: tuple[str, str, str], requires: tuple[str, ...] = ()
) -> ProjectFacts:
    """What the index would tell of project ``name`` at version 1.0, with entry points ``eps``."""
    return ProjectFacts(
        name=name,
        canonical=canonicalize(name),
        version="1.0",
        versions=("1.0",),
        summary=f"{name} summary",
        requires_python=">=3.8",
        requires_dist=requires,
        entry_points=tuple(EntryPointSpec(*e) for e in eps),
    )


def cache_facts(name: str, *eps: tuple[str, str, str], requires: tuple[str, ...] = ()) -> None:
    """Put facts for project ``name`` in the cache for INDEX."""
    facts = project_facts(name, *eps, requires=requires)
    IndexCache(INDEX).save_project(
        facts.canonical, {"facts_format": 1, "facts": facts.as_dict()}, "sha256:x"
    )
