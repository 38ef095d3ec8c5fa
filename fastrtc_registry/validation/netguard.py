"""Keep plugin code off the network while it is validated, and record what it tried.

The worker calls :func:`enter_offline_sandbox` before it imports any plugin
code. That does two things:

- it sets the hub libraries' offline switches (``HF_HUB_OFFLINE=1`` and
  friends, :data:`OFFLINE_VARIABLES`), so a model download fails at once
  instead of after a minute of retries;
- it installs an audit hook (PEP 578) on the ``socket.*`` events that makes
  every connection, name lookup or datagram to a non-loopback host raise
  :class:`NetworkBlockedError` (a :class:`ConnectionError`, so libraries
  report it as the connection failure it is) and records the attempt.

After a plugin call failed, :func:`network_need` says whether the failure
came from the network and which host (or hub file) it wanted. Loopback stays
open: test servers on 127.0.0.1 keep working. The hook covers this
interpreter only: a plugin that starts a ``curl`` process is not seen here.
An audit hook cannot be removed, so the guard is process-wide and
installed once; :func:`clear_attempts` forgets the record between checks.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MODE_VARIABLE",
    "OFFLINE_VARIABLES",
    "BlockedAttempt",
    "NetworkBlockedError",
    "blocked_attempts",
    "clear_attempts",
    "enter_offline_sandbox",
    "hub_download",
    "install_network_guard",
    "network_need",
    "network_target",
    "set_offline_environment",
]

# Each library's own "do not download" switch; set before the library is imported.
OFFLINE_VARIABLES: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
}

# Set to "bench" by the parent for a benchmark worker (real models, network when online).
MODE_VARIABLE = "FASTRTC_PLUGINS_WORKER_MODE"

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


@dataclass(frozen=True, slots=True)
class BlockedAttempt:
    """One network access the guard refused."""

    event: str
    """The audit event: ``socket.connect``, ``socket.getaddrinfo``, ``socket.sendto``, ..."""
    host: str
    port: int | None = None

    @property
    def target(self) -> str:
        """``host:port`` (or the host alone), as a message shows it."""
        return self.host if self.port is None else f"{self.host}:{self.port}"


class NetworkBlockedError(ConnectionError):
    """Plugin code tried to reach a host other than this machine during validation."""

    def __init__(self, attempt: BlockedAttempt) -> None:
        super().__init__(
            f"network access to {attempt.target} blocked: validation runs offline ({attempt.event})"
        )
        self.attempt = attempt


_lock = threading.Lock()
_attempts: list[BlockedAttempt] = []
_installed = False


def set_offline_environment(environ: MutableMapping[str, str] | None = None) -> None:
    """Set :data:`OFFLINE_VARIABLES` in ``environ`` (default ``os.environ``)."""
    target = os.environ if environ is None else environ
    target.update(OFFLINE_VARIABLES)


def install_network_guard() -> None:
    """Install the audit hook that blocks and records non-loopback network access (once)."""
    global _installed
    with _lock:
        if _installed:
            return
        sys.addaudithook(_hook)
        _installed = True


def enter_offline_sandbox() -> None:
    """Offline variables plus the guard: call in the worker before importing plugin code."""
    set_offline_environment()
    install_network_guard()
    _hub_offline_now()


def blocked_attempts() -> list[BlockedAttempt]:
    """Every distinct blocked access since the last :func:`clear_attempts`, in order."""
    with _lock:
        return list(_attempts)


def clear_attempts() -> None:
    """Forget the blocked accesses recorded so far."""
    with _lock:
        _attempts.clear()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    # Called for every audited event in the process: leave fast when it is not a socket.
    if not event.startswith("socket."):
        return
    attempt = _attempt(event, args)
    if attempt is None:
        return
    with _lock:
        if attempt not in _attempts:
            _attempts.append(attempt)
    raise NetworkBlockedError(attempt)


def _attempt(event: str, args: tuple[Any, ...]) -> BlockedAttempt | None:
    host: str | None
    port: Any
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if not isinstance(address, tuple) or not address or not isinstance(address[0], str):
            return None  # Unix sockets, netlink and other local families
        host, port = address[0], address[1] if len(address) > 1 else None
    elif event == "socket.getaddrinfo":
        host, port = _text(args[0] if args else None), args[1] if len(args) > 1 else None
    elif event in ("socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        host, port = _text(args[0] if args else None), None
    else:
        return None
    if host is None or _is_local(host):
        return None
    return BlockedAttempt(event, host, port if isinstance(port, int) else _port(port))


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value if isinstance(value, str) else None


def _port(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.isdigit() else None


def _is_local(host: str) -> bool:
    name = host.strip().rstrip(".").lower()
    if not name or name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _hub_offline_now() -> None:
    # huggingface_hub reads HF_HUB_OFFLINE when imported; if it is already in, flip it too.
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        setattr(constants, "HF_HUB_OFFLINE", True)  # noqa: B010 - a module attribute


def hub_download(exc: BaseException) -> str | None:
    """``repo/file`` of the hub download that failed offline in ``exc``'s traceback, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if frame.f_globals.get("__name__", "").startswith("huggingface_hub"):
                repo, filename = frame.f_locals.get("repo_id"), frame.f_locals.get("filename")
                if isinstance(repo, str) and isinstance(filename, str):
                    return f"{repo}/{filename}"
            tb = tb.tb_next
        current = current.__cause__ or current.__context__
    return None


def network_need(exc: BaseException | None = None) -> str | None:
    """What the plugin wanted from the network, for a ``needs-network`` message; else None.

    Uses the blocked accesses recorded so far and, for ``exc``, the hub file
    that could not be fetched offline. None when nothing points at the network.
    """
    from ..network_errors import is_network_error

    parts = []
    attempts = blocked_attempts()
    if attempts:
        hosts = list(dict.fromkeys(a.target for a in attempts))
        shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
        parts.append(f"tried to reach {shown}")
    if exc is not None and is_network_error(exc):
        hub_file = hub_download(exc)
        if hub_file is not None:
            parts.append(f"downloads {hub_file} from {_hub_endpoint()}")
        elif not attempts:
            parts.append(f"failed with {type(exc).__name__} (a network error)")
    return "; ".join(parts) or None


def network_target(exc: BaseException | None = None) -> str | None:
    """What was wanted, for "it tried X": the hosts blocked so far, else the hub file in ``exc``."""
    hosts = list(dict.fromkeys(a.target for a in blocked_attempts()))
    if hosts:
        return ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
    hub_file = hub_download(exc) if exc is not None else None
    if hub_file is not None:
        return f"{hub_file} on {_hub_endpoint()}"
    return None


def _hub_endpoint() -> str:
    constants = sys.modules.get("huggingface_hub.constants")
    endpoint = getattr(constants, "ENDPOINT", None) or os.environ.get("HF_ENDPOINT")
    return f"the Hugging Face Hub ({endpoint})" if endpoint else "the Hugging Face Hub"
