"""What counts as "the network could not be reached", by exception class, never by message.

Used where plugin code fails: loading by name, the worker's exception facts
and its network guard.
"""

from __future__ import annotations

__all__ = ["is_network_error"]


def _network_error_types() -> tuple[type[BaseException], ...]:
    """The exception classes that mean "could not reach the network".

    Each comes from the library that raises it; a library that was never
    imported cannot have raised anything, so only loaded modules are read.
    """
    import socket
    import sys

    found: list[type[BaseException]] = [ConnectionError, socket.gaierror, socket.herror]
    wanted = {
        "httpx": ("ConnectError", "ConnectTimeout", "ProxyError"),
        "requests.exceptions": ("ConnectionError", "ConnectTimeout"),
        "urllib3.exceptions": ("NewConnectionError", "ConnectTimeoutError", "ProxyError"),
        "huggingface_hub.errors": ("LocalEntryNotFoundError", "OfflineModeIsEnabled"),
        "aiohttp": ("ClientConnectionError",),
    }
    for module_name, names in wanted.items():
        module = sys.modules.get(module_name)
        for name in names:
            cls = getattr(module, name, None)
            if isinstance(cls, type) and issubclass(cls, BaseException):
                found.append(cls)
    return tuple(found)


def _is_unreachable(exc: BaseException, network: tuple[type[BaseException], ...]) -> bool:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return False  # a server answered: the download itself is wrong, not the network
    return isinstance(exc, (*network, urllib.error.URLError))


def is_network_error(exc: BaseException) -> bool:
    """True when ``exc``, or an exception it chains or wraps, means the network was unreachable.

    The test is by exception class (httpx, requests, urllib3, urllib, socket,
    huggingface_hub offline errors), never by message. An HTTP error answer
    from a server is not a network error.
    """
    network = _network_error_types()
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _is_unreachable(current, network):
            return True
        # urllib3's MaxRetryError and urllib's URLError keep the real failure in ``reason``.
        reason = getattr(current, "reason", None)
        pending += [
            e
            for e in (current.__cause__, current.__context__, reason)
            if isinstance(e, BaseException)
        ]
    return False
