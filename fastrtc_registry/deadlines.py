"""How long plugin code may run, per command: one home for the default timeouts.

The CLI's ``--timeout`` defaults, the library's keyword defaults and the
catalog tools read them here. Importing it imports nothing.
"""

from __future__ import annotations

__all__ = ["BENCH_TIMEOUT", "IMPORT_CHECK_TIMEOUT", "VALIDATE_TIMEOUT"]

VALIDATE_TIMEOUT = 120.0
"""Seconds one plugin's worker may take for the whole suite (``validate``)."""
BENCH_TIMEOUT = 300.0
"""Seconds one plugin's worker may take to be measured (``bench``, ``replay``)."""
IMPORT_CHECK_TIMEOUT = 60.0
"""Seconds one plugin's worker may take to import and build it (``list --check``)."""
