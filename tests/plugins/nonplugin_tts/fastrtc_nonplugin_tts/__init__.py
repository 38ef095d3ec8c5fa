"""Not a plugin: a fastrtc-* project with only a console script (test fixture).

Importing it writes the file named by FASTRTC_TEST_IMPORT_MARKER, so a test can
prove that search never imports what it finds.
"""

import os
import pathlib

_marker = os.environ.get("FASTRTC_TEST_IMPORT_MARKER")
if _marker:
    pathlib.Path(_marker).write_text(__name__)


def main() -> None:
    """Say hello."""
    print("hello")
