"""The import graph of first-party code, read with `ast` (nothing is imported), and the circles in it.

Every import statement counts, wherever it stands: at module level, under `if TYPE_CHECKING:`, inside a
function. A circle through a TYPE_CHECKING-only or a function-level import works at run time, but it is still
two modules that cannot be understood (or moved) one without the other, and issue 12 asks for none anywhere.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

Graph = dict[str, set[str]]  # module -> the first-party modules it imports


def modules_under(root: Path, top: str) -> dict[str, Path]:
    """The dotted name -> file of the module `top` (root/top.py) or of every module in the package root/top/."""
    single = root / f"{top}.py"
    if single.is_file():
        return {top: single}
    found = {}
    for path in sorted((root / top).rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of `from <node.module> import ...` as written in `module`, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _statements(tree: ast.AST, in_functions: bool) -> Iterator[ast.AST]:
    for node in ast.iter_child_nodes(tree):
        if in_functions or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield node
            yield from _statements(node, in_functions)


def imported_names(module: str, path: Path, in_functions: bool = True) -> set[str]:
    """Every name `module` imports (`a.b` for `import a.b`; `a.b` and `a.b.c` for `from a.b import c`);
    with in_functions=False, only what importing the module itself imports."""
    names = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8"), str(path)), in_functions):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, path.name == "__init__.py", node)
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:index]) for index in range(1, len(parts))]


def build_graph(files: Mapping[str, Path]) -> Graph:
    """Edges to the first-party modules each one imports, and to the packages whose `__init__` that runs
    (but not to the importer's own packages: they are already being imported when it runs)."""
    graph: Graph = {}
    for module, path in files.items():
        own = set(_ancestors(module))
        targets = set()
        for name in imported_names(module, path):
            for target in (*_ancestors(name), name):
                if target in files and target != module and target not in own:
                    targets.add(target)
        graph[module] = targets
    return graph


def circles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One circle per back edge of a depth-first walk, e.g. ["a", "b", "a"]; none means the graph is acyclic."""
    found: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the walk's path, "done" after

    def walk(node: str, path: list[str]) -> None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, path)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    return found


def _allowed(name: str, allowed: Iterable[str]) -> bool:
    """`name` is one of `allowed`, inside one, or a package above one (importing `a.b` runs `a` too)."""
    return any(name == prefix or name.startswith(f"{prefix}.") or prefix.startswith(f"{name}.") for prefix in allowed)


def forbidden_imports(
    files: Mapping[str, Path], may_import: Mapping[str, Iterable[str]], in_functions: bool = True
) -> dict[str, list[str]]:
    """module -> what it imports beyond the standard library and the rule of the most specific key of
    `may_import` that it falls under (modules under no key are not checked)."""
    found = {}
    for module, path in sorted(files.items()):
        keys = [key for key in may_import if _allowed(module, [key]) and not key.startswith(f"{module}.")]
        if not keys:
            continue
        allowed = may_import[max(keys, key=len)]
        extra = sorted(
            name
            for name in imported_names(module, path, in_functions)
            if name.split(".")[0] not in sys.stdlib_module_names and not _allowed(name, allowed)
        )
        extra = [name for name in extra if not any(name.startswith(f"{other}.") for other in extra)]  # `a`, not `a.b`
        if extra:
            found[module] = extra
    return found
