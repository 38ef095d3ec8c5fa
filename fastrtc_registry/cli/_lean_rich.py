"""typer's help and error panels without the parts of rich they never use here.

``typer.rich_utils``, which draws ``--help`` and usage errors, imports
``rich.markdown`` (markdown-it and pygments behind it) and ``rich.traceback``
(``rich.pretty``, attrs) at the top, about 0.1 s of a 0.4 s ``--help`` on the
reference machine (docs/benchmarks.md). It uses ``Markdown`` only for help in
the ``"markdown"`` markup mode, which this app does not set, and ``Traceback``
only for pretty exceptions, which the app turns off. While ``typer.rich_utils``
itself is executed, :func:`defer` gives it stand-ins for those two names that
import the real class on first use, so the output is unchanged. Nothing else
sees the stand-ins: the real modules are back in place (or absent, to be
imported normally) as soon as ``typer.rich_utils`` has loaded.

Once loaded, under ``NO_COLOR`` its panels get no colour system (typer's own
``COLOR_SYSTEM = None`` switch), so they carry no bold or dim either, as the
rest of the command line's output does not (rich drops only colours for
``NO_COLOR``).

Only the command line process installs this (``main()``); the library never does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any

__all__ = ["DEFERRED", "defer"]

_TARGET = "typer.rich_utils"
DEFERRED = ("rich.markdown", "rich.traceback")


class _Markdown:
    """``rich.markdown.Markdown``, imported when the first one is made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


class _Traceback:
    """``rich.traceback.Traceback``, imported when the first one is made."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback(*args, **kwargs)

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback.from_exception(*args, **kwargs)


def _stand_ins() -> dict[str, ModuleType]:
    markdown = ModuleType("rich.markdown", "A stand-in while typer.rich_utils loads.")
    markdown.Markdown = _Markdown  # type: ignore[attr-defined]
    traceback = ModuleType("rich.traceback", "A stand-in while typer.rich_utils loads.")
    traceback.Traceback = _Traceback  # type: ignore[attr-defined]
    return {"rich.markdown": markdown, "rich.traceback": traceback}


class _Loader(Loader):
    """Runs typer.rich_utils' own loader with the stand-ins in sys.modules."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # A module already imported for real is used as it is.
        installed = {k: v for k, v in _stand_ins().items() if k not in sys.modules}
        sys.modules.update(installed)
        try:
            self._loader.exec_module(module)
        except (ImportError, AttributeError):
            # A typer that wants more of these modules than the stand-ins offer: load it
            # with the real ones (slower, never broken).
            _remove(installed)
            self._loader.exec_module(module)
        finally:
            _remove(installed)
        if os.environ.get("NO_COLOR"):
            module.COLOR_SYSTEM = None  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ...
        return getattr(self._loader, name)


def _remove(installed: dict[str, ModuleType]) -> None:
    """Take the stand-ins out of sys.modules (real modules imported meanwhile stay)."""
    for name, stand_in in installed.items():
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


class _Finder(MetaPathFinder):
    """Finds typer.rich_utils as the path finder does, with :class:`_Loader` around its loader."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != _TARGET:
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader)
        return spec


_finder = _Finder()


def defer() -> None:
    """Have typer.rich_utils load without rich.markdown and rich.traceback (if not loaded yet)."""
    if _TARGET in sys.modules or _finder in sys.meta_path:
        return
    sys.meta_path.insert(0, _finder)
