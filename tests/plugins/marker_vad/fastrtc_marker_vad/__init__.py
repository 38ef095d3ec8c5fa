"""A VAD plugin that records being imported (test fixture).

Importing it writes the file named by FASTRTC_TEST_IMPORT_MARKER, so a test can
prove that search and info read metadata only.
"""

import os
import pathlib

_marker = os.environ.get("FASTRTC_TEST_IMPORT_MARKER")
if _marker:
    pathlib.Path(_marker).write_text(__name__)


class MarkerVAD:
    """Finds no speech, ever."""

    def vad(self, audio, options):  # type: ignore[no-untyped-def]
        """No speech."""
        return 0.0, []

    def warmup(self) -> None:
        """Nothing to warm up."""
