"""The one exception tree: every public error lives in errors.py, drawn in its docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import fastrtc_registry
from fastrtc_registry import errors


def _public_classes() -> list[type]:
    return [getattr(errors, name) for name in errors.__all__]


def test_every_error_is_a_registry_error_and_drawn_in_the_tree() -> None:
    tree = errors.__doc__ or ""
    for cls in _public_classes():
        if cls is errors.PluginCheckWarning:
            assert issubclass(cls, UserWarning)
            continue
        assert issubclass(cls, errors.RegistryError), cls
        assert re.search(rf"[─ ]{cls.__name__}\b", tree), f"{cls.__name__} is not in the tree"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("fastrtc_registry.index.client", "IndexHTTPError"),
        ("fastrtc_registry.index.wheel", "RangesUnsupportedError"),
        ("fastrtc_registry.index.wheel", "WheelFormatError"),
        ("fastrtc_registry.installer", "InstallError"),
        ("fastrtc_registry.scaffold", "ScaffoldError"),
    ],
)
def test_old_import_paths_give_the_same_class(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_errors_are_defined_only_in_errors_py_and_names_are_unique() -> None:
    """No other module defines a RegistryError, and no two exception or warning classes
    share a name (two unrelated ``CheckWarning`` classes once did)."""
    defined: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(fastrtc_registry.__path__, "fastrtc_registry."):
        if info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            continue  # an optional extra (e.g. a plotting library) is missing
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and obj.__module__ == info.name
                and issubclass(obj, (BaseException, Warning))
            ):
                defined.setdefault(name, []).append(info.name)
    repeated = {name: where for name, where in defined.items() if len(where) > 1}
    assert repeated == {}
    for name, where in defined.items():
        cls = getattr(importlib.import_module(where[0]), name)
        if issubclass(cls, errors.RegistryError):
            assert where == ["fastrtc_registry.errors"], (name, where)
