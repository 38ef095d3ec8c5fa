"""The one exception tree of fastrtc-registry.

Every error the library raises on purpose is a :class:`RegistryError`. Where a
built-in exception already means the same thing, the class subclasses it too,
so callers' existing ``except LookupError`` or ``except ImportError`` clauses
keep working::

    RegistryError(Exception)
    ├── PluginNotFoundError(LookupError)        unknown name; close matches, install hint
    │   └── PluginNotInstalledError             the catalog knows it, it is not installed
    ├── AmbiguousPluginError(LookupError)       two distributions claim one name
    ├── PluginLoadError(ImportError)            the plugin's own import failed (chained)
    ├── PluginKindError(TypeError)              the object is not what its group promises
    ├── PluginNameTypeError(TypeError)          a plugin asked for by something not a name
    ├── PluginRuntimeError(RuntimeError)        the plugin failed while being built
    ├── IncompatiblePluginError                 Requires-Python / fastrtc pin not met
    ├── CatalogError(ValueError)                registry.json is malformed
    ├── InstallError                            pip failed to install a plugin's package
    ├── ScaffoldError(ValueError)               ``new`` cannot create the project
    ├── IndexAccessError                        talking to a package index failed
    │   ├── IndexUnreachableError(ConnectionError)  nothing could be fetched
    │   │   └── IndexDeadlineError                  a request or the command ran out of time
    │   ├── IndexDisabledError                      pip is told to use no (http) index
    │   ├── IndexHTTPError                          an HTTP error status retrying did not fix
    │   ├── RangesUnsupportedError                  no byte ranges: read the wheel whole
    │   └── IndexProtocolError(ValueError)          the index answered nonsense
    │       ├── IndexBodyTooLargeError              an answer passed its size cap
    │       └── WheelFormatError                    a zip layout the wheel reader cannot read
    ├── PackageMetadataError(ValueError)        a distribution's metadata is unusable
    ├── ValidationTargetError(ValueError)       validate was given a target it cannot use
    ├── PythonNotFoundError(LookupError)        no interpreter of the Python version asked for
    ├── AudioFileError(ValueError)              replay cannot read the recording it was given
    ├── PortInUseError(OSError)                 try cannot listen on the port it was given
    └── WorkerError(RuntimeError)               the isolated worker process failed
        └── WorkerStopped                       it timed out, exited or crashed before answering

One warning category sits beside the tree: :class:`PluginCheckWarning`
(a ``UserWarning``), emitted by the pytest API for checks that warn.

Messages say what went wrong and what to do next; the CLI prints them as they
are, so keep them to one or two lines.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AmbiguousPluginError",
    "AudioFileError",
    "CatalogError",
    "IncompatiblePluginError",
    "IndexAccessError",
    "IndexBodyTooLargeError",
    "IndexDeadlineError",
    "IndexDisabledError",
    "IndexHTTPError",
    "IndexProtocolError",
    "IndexUnreachableError",
    "InstallError",
    "PackageMetadataError",
    "PluginCheckWarning",
    "PluginKindError",
    "PluginLoadError",
    "PluginNameTypeError",
    "PluginNotFoundError",
    "PluginNotInstalledError",
    "PluginRuntimeError",
    "PortInUseError",
    "PythonNotFoundError",
    "RangesUnsupportedError",
    "RegistryError",
    "ScaffoldError",
    "ValidationTargetError",
    "WheelFormatError",
    "WorkerError",
    "WorkerStopped",
]


class RegistryError(Exception):
    """Base class of every error fastrtc-registry raises on purpose."""


class PluginNotFoundError(RegistryError, LookupError):
    """No installed plugin of that kind has that name."""

    def __init__(
        self,
        message: str,
        *,
        name: str = "",
        kind: str | None = None,
        suggestions: Sequence[str] = (),
        install: str | None = None,
    ) -> None:
        super().__init__(message)
        self.name = name
        self.kind = kind
        self.suggestions = tuple(suggestions)
        self.install = install


class PluginNotInstalledError(PluginNotFoundError):
    """The catalog knows the plugin, but its package is not installed."""


class AmbiguousPluginError(RegistryError, LookupError):
    """Two or more distributions declare the same plugin name."""

    def __init__(self, message: str, *, name: str = "", packages: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.packages = tuple(packages)


class PluginLoadError(RegistryError, ImportError):
    """Importing the plugin's object failed; the plugin's own error is chained.

    ``install`` is the command that installs what was missing, when it is known
    (a built-in back-end's extra, for example).
    """

    def __init__(self, message: str, *, install: str | None = None) -> None:
        super().__init__(message)
        self.install = install


class PluginKindError(RegistryError, TypeError):
    """The plugin's object is not the kind of object its entry-point group requires."""


class PluginNameTypeError(RegistryError, TypeError):
    """A plugin was asked for by something that is not a name (None, a number, ...)."""


class PortInUseError(RegistryError, OSError):
    """The port asked for is taken (or cannot be bound) on 127.0.0.1 (``try``)."""


class PluginRuntimeError(RegistryError, RuntimeError):
    """The plugin imported, but building or warming it up failed."""


class IncompatiblePluginError(RegistryError):
    """The plugin cannot run here (Python version or fastrtc version)."""


class CatalogError(RegistryError, ValueError):
    """registry.json could not be read or does not follow the schema."""

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class InstallError(RegistryError):
    """pip failed to install the plugin's package."""


class ScaffoldError(RegistryError, ValueError):
    """The project cannot be created (bad name, directory not empty, a file as directory)."""


class IndexAccessError(RegistryError):
    """Something went wrong talking to a package index."""


class IndexUnreachableError(IndexAccessError, ConnectionError):
    """The index could not be reached and nothing usable was cached."""


class IndexProtocolError(IndexAccessError, ValueError):
    """The index answered, but not with what the simple API promises."""


class IndexDeadlineError(IndexUnreachableError):
    """A request (or the whole command) ran past its deadline."""


class IndexDisabledError(IndexAccessError):
    """pip is configured with no index (``no-index``, ``PIP_NO_INDEX``) or a non-http one."""


class IndexHTTPError(IndexAccessError):
    """The index answered with an HTTP error status that retrying did not fix."""

    def __init__(self, message: str, *, status: int, url: str) -> None:
        super().__init__(message)
        self.status = status
        self.url = url


class RangesUnsupportedError(IndexAccessError):
    """The server does not honour byte ranges for this file; download it whole."""


class WheelFormatError(IndexProtocolError):
    """The bytes are not a zip layout this reader handles (e.g. ZIP64)."""


class IndexBodyTooLargeError(IndexProtocolError):
    """An answer grew past the size cap for its kind (after decompression)."""


class PackageMetadataError(RegistryError, ValueError):
    """A distribution's metadata or entry points cannot be used (too big, malformed)."""


class ValidationTargetError(RegistryError, ValueError):
    """``validate`` was given a target it cannot resolve or build."""


class PythonNotFoundError(RegistryError, LookupError):
    """No interpreter of the Python version asked for (``validate --python``) was found."""

    def __init__(self, message: str, *, version: str = "") -> None:
        super().__init__(message)
        self.version = version


class AudioFileError(RegistryError, ValueError):
    """A recording is missing, empty, undecodable or too long (a usage error)."""


class WorkerError(RegistryError, RuntimeError):
    """The isolated worker process could not be started or did not answer."""


class WorkerStopped(WorkerError):
    """The worker timed out, exited or crashed before answering; the message says which."""


class PluginCheckWarning(UserWarning):
    """A conformance check that warned, surfaced as a Python warning by the pytest API."""
