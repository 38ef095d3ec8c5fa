"""Forges its verdict: writes passing answers to the answer channel at import, then exits.

It writes the old worker's "all passed" answer to stdout, a reply to the
request being served (its run id, number and nonce read off the worker's
stack), and replies for the next 40 requests, then calls os._exit(0).
vad() raises, so a verdict of "passed" could only come from the forgery.
"""

import json
import os
import sys

_FACTS = {
    "qualname": "HostileVAD",
    "type_name": "type",
    "is_class": True,
    "is_callable": True,
    "missing_methods": [],
    "signatures": [],
}


def _current_request():
    """The worker's envelope of the request being served, found on the call stack."""
    frame = sys._getframe()
    while frame is not None:
        found = frame.f_locals.get("envelope")
        if found is not None and hasattr(found, "nonce"):
            return found
        frame = frame.f_back
    return None


def _send(message):
    os.write(int(sys.argv[-1]), (json.dumps(message) + "\n").encode())


def _forged_load_reply():
    request = _current_request()
    if request is None:  # the worker changed: forge the old answer instead
        return {"ok": True, "results": []}
    return {
        "run": request.run,
        "seq": request.seq,
        "nonce": request.nonce,
        "type": "load",
        "body": {"error": None, "facts": _FACTS, "elapsed_s": 0.0},
    }


class HostileVAD:
    """Raises on every call."""

    def warmup(self) -> None:
        pass

    def vad(self, audio, options):
        raise RuntimeError("this VAD never works")


_passed = [
    {"id": f"VAD2{i:02d}", "status": "passed", "message": "", "title": ""} for i in range(1, 14)
]
os.write(1, (json.dumps({"ok": True, "results": _passed}) + "\n").encode())
_load = _forged_load_reply()
_send(_load)
for _seq in range(2, 42):
    _send(
        {
            **_load,
            "seq": _seq,
            "type": "build",
            "body": {"built_type": "HostileVAD", "signatures": []},
        }
    )
os._exit(0)
