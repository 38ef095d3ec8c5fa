"""Validation, the worker side: resolve a target and observe what plugin code does.

:mod:`.targets` resolves a target (name, project, wheel, ``pypi:``) into
installed distributions, :mod:`.venv` makes and fills the throwaway environments it
needs (on this Python or another, ``--python``), :mod:`.distribution` reads a
package's metadata and sources (tier 0's facts), :mod:`.protocol` holds the
typed requests and replies, :mod:`.worker` the parent side of the worker
process and :mod:`.child` its child side, :mod:`.process` process control
(sessions, limits, group kill), and :mod:`.observe`, :mod:`.probes` and the
``observe_*`` modules the worker-side code that calls the plugin and reports
typed facts. Nothing here judges: the checks in
:mod:`fastrtc_registry.checks` do, and :mod:`fastrtc_registry.suite` puts
the two together.
"""
