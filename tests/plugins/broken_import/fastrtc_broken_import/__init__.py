"""Imports a dependency that is not installed."""

import fastrtc_missing_dependency  # noqa: F401


class BrokenVAD:
    pass
