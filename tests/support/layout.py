"""How the test tree is laid out, read with `ast` (nothing is imported): each check returns what breaks its rule.

- Nothing imports a test module or a conftest module: pytest loads those itself, and a helper reached through
  one is a helper in the wrong place.
- A conftest.py holds fixtures (and pytest_* hooks) only: no other top-level function, no class.
- A helper module of an area (tests/<area>/x.py) is imported from that area only; one that other areas use too
  lives in tests/support/, which imports from no area.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.support.import_graph import build_graph

Files = Mapping[str, Path]  # dotted module name (tests.<area>.<module>) -> its file
SUPPORT = "tests.support"


def is_test(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("test_")


def is_conftest(module: str) -> bool:
    return module.rsplit(".", 1)[-1] == "conftest"


def area(module: str) -> str:
    """`tests.policy.rules` -> `tests.policy`; a module at the top of tests/ is in the area `tests`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def _imports(files: Files) -> list[tuple[str, str]]:
    """(importer, imported module) for every import of one module of `files` by another, package `__init__`s
    left out (importing `tests.policy.rules` runs tests/policy/__init__.py, which is no helper)."""
    modules = {module for module, path in files.items() if path.name != "__init__.py"}
    return sorted(
        (importer, target)
        for importer, targets in build_graph(files).items()
        for target in targets
        if target in modules
    )


def imported_tests_and_conftests(files: Files) -> list[str]:
    return [
        f"{importer} imports {target}: move what it needs into a helper module"
        for importer, target in _imports(files)
        if is_test(target) or is_conftest(target)
    ]


def _is_fixture(decorator: ast.expr) -> bool:
    """`@pytest.fixture`, `@pytest.fixture(...)`, `@fixture`, `@fixture(...)`."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(target, ast.Attribute) and target.attr == "fixture") or (
        isinstance(target, ast.Name) and target.id == "fixture"
    )


def _helper(node: ast.stmt) -> str | None:
    """How a top-level class or function that is neither a fixture nor a pytest_* hook is named; None otherwise."""
    if isinstance(node, ast.ClassDef):
        return f"the class {node.name}"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        hook_or_fixture = node.name.startswith("pytest_") or any(map(_is_fixture, node.decorator_list))
        return None if hook_or_fixture else f"{node.name}()"
    return None


def helpers_in_conftests(files: Files) -> list[str]:
    return [
        f"{module} defines {helper}, neither a fixture nor a pytest_* hook: helpers live in a module beside it"
        for module, path in sorted(files.items())
        if is_conftest(module)
        for helper in map(_helper, ast.parse(path.read_text(encoding="utf-8"), str(path)).body)
        if helper
    ]


def misplaced_helpers(files: Files) -> list[str]:
    found = []
    for importer, target in _imports(files):
        if is_test(target) or is_conftest(target):
            continue  # imported_tests_and_conftests names these
        if area(importer) == SUPPORT and area(target) != SUPPORT:
            found.append(f"{importer} imports {target}: tests/support/ imports from no area")
        elif area(target) not in (SUPPORT, area(importer)):
            found.append(
                f"{importer} imports {target}, a helper of {area(target)}: shared helpers live in tests/support/"
            )
    return found


CHECKS: tuple[Callable[[Files], list[str]], ...] = (
    imported_tests_and_conftests,
    helpers_in_conftests,
    misplaced_helpers,
)
