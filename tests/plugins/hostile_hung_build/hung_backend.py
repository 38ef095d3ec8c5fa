"""A PEP 517 build backend that starts a helper process and never returns."""

import os
import subprocess
import sys
import time


def _hang() -> None:
    helper = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"])
    if os.environ.get("FASTRTC_HOSTILE_PIDFILE"):
        with open(os.environ["FASTRTC_HOSTILE_PIDFILE"], "a") as out:
            out.write(f"{os.getpid()} {helper.pid}\n")
    while True:
        time.sleep(1)


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _hang()


def build_sdist(sdist_directory, config_settings=None):
    _hang()
