"""Static scan for network downloads a plugin makes when it is imported or built (PKG007).

No plugin code runs: the package's sources are parsed with :mod:`ast`. The
scan starts where code runs at build time (module level, class bodies,
``__init__``/``__new__``/``__post_init__``, and the entry point's factory
function) and follows calls it can resolve: ``self.method()`` and
``cls.method()`` in the same class or its bases in the module, module-level
functions and classes (their constructors), and names imported from other
modules of the same package. A download call reached that way is a
:class:`Download` with the chain of calls that leads there. A download call
the scan found but could not connect to construction is reported as a
*later* download: a hint, since it may run on first use instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = ["DOWNLOAD_CALLS", "Download", "DownloadScan", "scan_downloads"]

# Calls that fetch files over the network when a model is built.
DOWNLOAD_CALLS = frozenset(
    {
        "hf_hub_download",
        "snapshot_download",
        "urlopen",
        "urlretrieve",
        "get_silero_model",
        "get_stt_model",
        "get_tts_model",
        "from_pretrained",
        "load_state_dict_from_url",
        "download_url_to_file",
        "hub.load",
        "requests.get",
        "httpx.get",
        "wget.download",
    }
)
_BUILD_METHODS = ("__init__", "__new__", "__post_init__")
_MAX_DEPTH = 12

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class Download:
    """One download call: where it is, what it calls, and the calls that reach it."""

    file: str
    line: int
    call: str
    via: tuple[str, ...] = ()

    def describe(self) -> str:
        """``pkg/__init__.py:42 hf_hub_download() (via Model.__init__ -> Model._load)``."""
        path = f" (via {' -> '.join(self.via)})" if len(self.via) > 1 else ""
        return f"{self.file}:{self.line} {self.call}(){path}"


@dataclass(frozen=True, slots=True)
class DownloadScan:
    """What the scan found for one entry point."""

    at_build: tuple[Download, ...]
    """Downloads that run on import or construction."""
    later: tuple[Download, ...]
    """Download calls elsewhere in the scanned modules (may run on first use)."""
    scanned: tuple[str, ...]
    """The source files read."""


@dataclass(frozen=True, slots=True)
class _Function:
    file: str
    qualname: str
    owner: str | None  # class name for a method
    node: FunctionNode


class _Module:
    """One parsed source file: its functions, classes and package-local imports."""

    def __init__(self, file: str, module: str, tree: ast.Module) -> None:
        self.file = file
        self.module = module
        self.tree = tree
        self.functions: dict[str, _Function] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = _Function(file, node.name, None, node)
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node.module, node.level, file.endswith("__init__.py"))
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (base, alias.name)

    def method(self, cls: str, name: str, seen: frozenset[str] = frozenset()) -> _Function | None:
        """``cls.name`` looked up in ``cls`` and its bases defined in this module."""
        node = self.classes.get(cls)
        if node is None or cls in seen:
            return None
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
                return _Function(self.file, f"{cls}.{name}", cls, item)
        for base in node.bases:
            if isinstance(base, ast.Name):
                found = self.method(base.id, name, seen | {cls})
                if found is not None:
                    return found
        return None


def _absolute(module: str, target: str | None, level: int, is_package: bool) -> str:
    if level == 0:
        return target or ""
    parts = module.split(".")
    keep = len(parts) - level + (1 if is_package else 0)
    base = ".".join(parts[: max(0, keep)])
    return f"{base}.{target}" if target and base else (target or base)


def _file_of(sources: Mapping[str, str], module: str) -> str | None:
    path = module.replace(".", "/")
    for name in (f"{path}.py", f"{path}/__init__.py"):
        if name in sources:
            return name
    return None


def _call_name(node: ast.Call) -> str | None:
    func, chain = node.func, []
    while isinstance(func, ast.Attribute):
        chain.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        chain.append(func.id)
    chain.reverse()
    for size in (2, 1):
        if ".".join(chain[-size:]) in DOWNLOAD_CALLS:
            return ".".join(chain)
    return None


def _runs_now(body: list[ast.stmt]) -> list[ast.AST]:
    """The statements of a module or class body that run when it is executed."""
    return [s for s in body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    # Nested function bodies are definitions, not calls made now: skip them.
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(child, ast.Call):
            yield child
        yield from _calls(child)


class _Scanner:
    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.modules: dict[str, _Module | None] = {}

    def module(self, name: str) -> _Module | None:
        if name not in self.modules:
            file = _file_of(self.sources, name)
            parsed = None
            if file is not None:
                try:
                    parsed = _Module(file, name, ast.parse(self.sources[file]))
                except (SyntaxError, ValueError):
                    parsed = None
            self.modules[name] = parsed
        return self.modules[name]

    def resolve(self, where: _Module, owner: str | None, call: ast.Call) -> list[_Function]:
        """The functions ``call`` runs, when the scan can tell."""
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            receiver = func.value.id
            if receiver in ("self", "cls") and owner is not None:
                found = where.method(owner, func.attr)
                return [found] if found else []
            if receiver in where.classes:
                found = where.method(receiver, func.attr)
                return [found] if found else []
            if receiver == "super" or receiver not in where.imports:
                return []
        if isinstance(func, ast.Name):
            return self.named(where, func.id)
        return []

    def named(self, where: _Module, name: str, depth: int = 0) -> list[_Function]:
        if name in where.functions:
            return [where.functions[name]]
        if name in where.classes:
            return [
                found
                for method in _BUILD_METHODS
                if (found := where.method(name, method)) is not None
            ]
        if name in where.imports and depth < 3:
            module, attr = where.imports[name]
            other = self.module(module)
            if other is not None:
                return self.named(other, attr, depth + 1)
        return []

    def module_of(self, function: _Function) -> _Module:
        return next(m for m in self.modules.values() if m is not None and m.file == function.file)


def scan_downloads(sources: Mapping[str, str], reference: str) -> DownloadScan:
    """Downloads that run when the entry point ``reference`` (``module:attr``) is imported or built.

    ``sources`` maps paths inside the distribution (``pkg/__init__.py``) to text.
    """
    module_name, _, attr = reference.partition(":")
    scanner = _Scanner(sources)
    parts = module_name.split(".")
    packages = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    entry = scanner.module(module_name)
    starts: list[tuple[_Module, _Function | None, list[ast.AST], str]] = []
    for name in packages:
        loaded = scanner.module(name)
        if loaded is None:
            continue
        starts.append((loaded, None, _runs_now(loaded.tree.body), f"import {name}"))
        for cls in loaded.classes.values():
            starts.append((loaded, None, _runs_now(cls.body), f"class {cls.name}"))
            starts += [
                (loaded, found, [found.node], found.qualname)
                for method in _BUILD_METHODS
                if (found := loaded.method(cls.name, method)) is not None
            ]
    if entry is not None and attr:
        for found in scanner.named(entry, attr.split(".")[0]):
            starts.append((scanner.module_of(found), found, [found.node], found.qualname))

    at_build: dict[tuple[str, int], Download] = {}
    visited: set[tuple[str, str]] = set()
    queue: list[tuple[_Module, _Function | None, list[ast.AST], tuple[str, ...]]] = [
        (m, f, nodes, (label,)) for m, f, nodes, label in starts
    ]
    while queue:
        where, function, nodes, via = queue.pop(0)
        key = (where.file, function.qualname if function else via[0])
        if key in visited or len(via) > _MAX_DEPTH:
            continue
        visited.add(key)
        owner = function.owner if function else None
        for call in (c for n in nodes for c in _calls(n)):
            called = _call_name(call)
            if called is not None:
                at_build.setdefault(
                    (where.file, call.lineno), Download(where.file, call.lineno, called, via)
                )
                continue
            for target in scanner.resolve(where, owner, call):
                queue.append(
                    (scanner.module_of(target), target, [target.node], (*via, target.qualname))
                )

    later = [
        Download(m.file, call.lineno, called)
        for m in scanner.modules.values()
        if m is not None
        for call in ast.walk(m.tree)
        if isinstance(call, ast.Call)
        and (called := _call_name(call)) is not None
        and (m.file, call.lineno) not in at_build
    ]
    scanned = tuple(sorted(m.file for m in scanner.modules.values() if m is not None))
    return DownloadScan(tuple(at_build.values()), tuple(later), scanned)
