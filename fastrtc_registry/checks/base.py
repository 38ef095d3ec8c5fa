"""The check registry: each check is a ``check_<property>(observations)`` function.

A check is registered with :func:`check`, which records its id, title, the
plugin kind it applies to, the observations it needs (``"load"``,
``"build"``, or a worker probe such as ``"vad.basic"``), the checks that must
have passed first (``after``), the plugin tags it requires, and its docs
entry. Ids, running order, skip rules and docs/checks.md all come from here.
A check returns its pass message or raises one of the outcome exceptions
below; it never runs plugin code (the worker did that, and sent facts).
Tier 0 reads the package's metadata, which the runner puts in the
observations before any check runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypedDict, TypeVar

if TYPE_CHECKING:
    # typing.Unpack is 3.11+; annotations are strings here, so 3.10 never evaluates it.
    from typing_extensions import Unpack

    from ..packages import PackageMetadata
    from ..validation.distribution import DeclaredPlugin, PackageInfo

from ..validation.probe_facts import ProbeFacts
from ..validation.protocol import BuildReply, LoadReply, ObjectFacts, ObserveReply

__all__ = [
    "REGISTRY",
    "Applies",
    "CheckError",
    "CheckFailed",
    "CheckOptions",
    "CheckSkipped",
    "CheckSpec",
    "CheckWarning",
    "Crashed",
    "Interfered",
    "NeedsNetwork",
    "Observations",
    "SkipAfter",
    "check",
    "declare",
]

Applies = Literal["any", "vad", "turn-taking"]


class CheckFailed(Exception):
    """The plugin does not do what the protocol expects.

    ``fix`` replaces the check's own fix when this failure has another cause
    (a crash on float32 input found by ``warmup()``'s check).
    """

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


class Crashed(CheckFailed):
    """A plugin call raised; ``key`` tells the same crash apart when a later check meets it.

    The runner records which check reported each crash first
    (:attr:`Observations.crashes`); a later check that meets the same crash
    is skipped ``after`` that one, so one defect is reported once.
    """

    def __init__(self, message: str, key: tuple[str, ...], *, fix: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.key = key


class Interfered(CheckFailed):
    """The observations contradict each other (their calls do not fit their facts).

    Each reply was well-formed on arrival (:mod:`~fastrtc_registry.validation.probe_facts`),
    so only a check that compares two of them can tell: the runner reports it
    as interference with the validator.
    """


class CheckWarning(Exception):
    """Worth fixing, but not a protocol violation."""


class CheckSkipped(Exception):
    """The check does not apply to this plugin."""


class SkipAfter(CheckSkipped):
    """Skipped because the check ``check_id`` (the root cause) did not pass."""

    def __init__(self, check_id: str, message: str | None = None) -> None:
        super().__init__(message or f"not run: {check_id} did not pass")
        self.check_id = check_id


class CheckError(Exception):
    """The check could not be carried out here (timeout, crash, missing dependency)."""


class NeedsNetwork(Exception):
    """The plugin needs the network for this check; a skip with reason ``needs-network``."""

    def __init__(self, message: str, host: str | None = None) -> None:
        super().__init__(message)
        self.host = host


F = TypeVar("F", bound=ProbeFacts)


@dataclass
class Observations:
    """What is known of one plugin: its package (tier 0), then what the worker observed.

    ``package`` and ``plugin`` are read before anything runs (the ``"package"``
    need); the worker's replies arrive as the checks ask for them.
    """

    spec: str
    kind: str | None
    name: str = ""
    package: PackageInfo | None = None
    plugin: DeclaredPlugin | None = None
    host: PackageMetadata | None = None
    """The distribution providing fastrtc where the plugin runs (fastrtc or a fork)."""
    load: LoadReply | None = None
    build: BuildReply | None = None
    probes: dict[str, ObserveReply] = field(default_factory=dict)
    tags: dict[str, Any] = field(default_factory=dict)
    crashes: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Each crash reported so far (:attr:`Crashed.key`), and the check that reported it."""

    def has(self, need: str) -> bool:
        """True once the observation ``need`` has arrived."""
        if need in ("load", "build", "package"):
            return getattr(self, need) is not None
        return need in self.probes

    @property
    def declared(self) -> tuple[PackageInfo, DeclaredPlugin]:
        """The package and the plugin it declares, for tier 0."""
        if self.package is None or self.plugin is None:
            raise CheckError("the package's metadata was not read")
        return self.package, self.plugin

    @property
    def loaded(self) -> ObjectFacts:
        """The loaded object's facts, for checks that run once IMP101 passed.

        A load reply with neither an error nor facts is malformed: the
        ValueError makes the runner report the observations as interfered with.
        """
        if self.load is None or self.load.facts is None:
            raise TypeError("the object's facts were read before IMP101 passed")
        return self.load.facts

    def probe(self, name: str) -> ObserveReply:
        """The reply of the worker probe ``name`` (KeyError when it was not gathered)."""
        return self.probes[name]

    def facts(self, name: str, kind: type[F]) -> F:
        """The typed facts of the probe ``name``, checked against its class on arrival.

        Call it once the probe's failed calls are reported: facts are None
        only when a call raised. Anything else here is a bug of the check.
        """
        facts = self.probe(name).facts
        if not isinstance(facts, kind):
            raise TypeError(f"{name} reported {type(facts).__name__}, not {kind.__name__}")
        return facts


Judge = Callable[[Observations], str]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """One registered check: what it asserts, what it needs, how to fix a failure."""

    id: str
    title: str
    applies_to: Applies
    tier: int
    needs: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    tags: Mapping[str, Any] = field(default_factory=dict)
    doc: str = ""
    fix: str = ""
    func: Judge | None = None

    @property
    def anchor(self) -> str:
        """Where docs/checks.md explains this check."""
        return f"docs/checks.md#{self.id.lower()}"

    def applies(self, kind: str | None) -> bool:
        """True when this check runs on a plugin of ``kind``."""
        return self.applies_to in ("any", kind)


REGISTRY: dict[str, CheckSpec] = {}
_TIERS = {"PKG": 0, "IMP": 1}


def declare(
    check_id: str,
    title: str,
    *,
    kind: Applies = "any",
    needs: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
    tags: Mapping[str, Any] | None = None,
    doc: str = "",
    fix: str = "",
    func: Judge | None = None,
) -> CheckSpec:
    """Add a check to the registry (tier from the id: PKG 0, IMP 1, others 2)."""
    if check_id in REGISTRY:
        raise ValueError(f"check id {check_id} is registered twice")
    spec = CheckSpec(
        check_id,
        title,
        kind,
        _TIERS.get(check_id[:3], 2),
        tuple(needs),
        tuple(after),
        dict(tags or {}),
        " ".join(doc.split()),
        " ".join(fix.split()),
        func,
    )
    REGISTRY[check_id] = spec
    return spec


class CheckOptions(TypedDict, total=False):
    """The keyword arguments :func:`check` passes on to :func:`declare`."""

    kind: Applies
    needs: tuple[str, ...]
    after: tuple[str, ...]
    tags: Mapping[str, Any] | None
    doc: str
    fix: str


def check(check_id: str, title: str, **options: Unpack[CheckOptions]) -> Callable[[Judge], Judge]:
    """Register the decorated ``check_<property>(observations)`` function as ``check_id``."""

    def register(func: Judge) -> Judge:
        declare(check_id, title, func=func, **options)
        return func

    return register
