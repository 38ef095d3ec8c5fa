"""The package's layers: every import, at module level or inside a function, points down.

Each module belongs to one layer (the longest name below that prefixes it);
a module may import its own layer's modules and any lower layer's, never a
higher one. Function-level imports count too: they exist for start-up speed,
never to hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fastrtc_registry"

LAYERS: list[tuple[str, ...]] = [
    ("_version", "_text", "_atomic", "names", "errors", "stream", "deadlines"),
    ("packages",),
    ("contract", "network_errors"),
    ("index",),
    ("catalog",),  # the model and its rules; the tools on top of it come later
    ("discovery",),
    ("loading",),
    ("audio_file", "simulate"),
    ("plugins",),
    ("validation",),  # the worker side: targets, protocol, probes reporting typed facts
    ("checks",),  # pure judges of those facts
    ("suite",),  # the runner, on top of both
    ("import_check", "testing", "trying", "scaffold"),
    ("bench",),
    ("replay",),
    ("replay_plot",),
    ("catalog.gather",),
    ("catalog.refresh", "catalog.update"),
    ("search_rows",),
    ("search",),
    ("info",),
    ("installer",),
    ("cli", "_worker_main"),
    ("__main__", "__init__"),
]


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module(p): p for p in PACKAGE.rglob("*.py")}


def layer_of(module: str) -> tuple[int, str]:
    """The layer's rank and the name that placed ``module`` there."""
    relative = module.removeprefix("fastrtc_registry").lstrip(".") or "__init__"
    found = [
        (rank, name)
        for rank, names in enumerate(LAYERS)
        for name in names
        if relative == name or relative.startswith(name + ".")
    ]
    if not found:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return max(found, key=lambda item: len(item[1]))


def imports_of(module: str, path: Path) -> list[tuple[str, int]]:
    """Every fastrtc_registry module ``module`` imports, with the line, wherever the import is."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.append((child if child in MODULES else target, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(t, line) for t, line in found if t.startswith("fastrtc_registry") and t != module]


def upward_imports(modules: dict[str, Path]) -> list[str]:
    """``importer:line -> imported`` for every import that points to a higher layer."""
    wrong = []
    for module, path in sorted(modules.items()):
        rank, name = layer_of(module)
        for target, line in imports_of(module, path):
            target_rank, target_name = layer_of(target)
            if target_name != name and target_rank >= rank:
                wrong.append(f"{module}:{line} -> {target} ({name} -> {target_name})")
    return wrong


def test_every_import_points_down() -> None:
    assert upward_imports(MODULES) == []


def test_an_import_from_a_lower_layer_upward_is_caught(tmp_path: Path) -> None:
    # The rule itself: a check module importing the runner is reported.
    fake = tmp_path / "fastrtc_registry" / "checks" / "leak.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("def f():\n    from ..suite import validate\n", encoding="utf-8")
    module = "fastrtc_registry.checks.leak"
    assert imports_of(module, fake) == [("fastrtc_registry.suite", 2)]
    assert upward_imports({module: fake}) == [
        "fastrtc_registry.checks.leak:2 -> fastrtc_registry.suite (checks -> suite)"
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_getattr_outside_the_lazy_public_api(module: str) -> None:
    """A module ``__getattr__`` only defers heavy imports of a public API, never a cycle."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    defines = any(
        isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in tree.body
    )
    assert not defines or module in ("fastrtc_registry", "fastrtc_registry.index")
