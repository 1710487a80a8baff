"""The test tree keeps its layout (the rules and their checks: tests/support/layout.py): fixtures alone in conftest
files, shared helpers in tests/support/, no module importing a test module or a conftest. Each check runs on the
real tree and on a small tree that breaks its rule, next to cases that keep it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from registry import ROOT
from tests.support.import_graph import build_graph, modules_under
from tests.support.layout import (
    CHECKS,
    Files,
    helpers_in_conftests,
    imported_tests_and_conftests,
    is_conftest,
    misplaced_helpers,
)

REAL = modules_under(ROOT, "tests")


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_tests_keep_the_layout(check: Callable[[Files], list[str]]) -> None:
    assert check(REAL) == []


def test_the_checks_read_the_real_tree() -> None:
    """Checks that saw no conftest and no import would pass too: the known ones are seen."""
    assert sorted(module for module in REAL if is_conftest(module)) == [
        "tests.bootstrap.conftest",
        "tests.conftest",
        "tests.policy.conftest",
        "tests.services.conftest",
    ]
    graph = build_graph(REAL)
    assert {"tests.services.protected", "tests.services.service_apps", "tests.support.callers"} <= graph[
        "tests.services.test_posts"
    ]
    assert "tests.support.stacks" in graph["tests.conftest"]
    assert "tests.support.manifests" in graph["tests.services.test_users_memory"]


def tree(root: Path, files: dict[str, str]) -> Files:
    """A tests/ package of `files` (path under tests/ -> text), every folder with its __init__.py."""
    for name, text in {"__init__.py": "", **files}.items():
        path = root / "tests" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)
    return modules_under(root, "tests")


def test_a_module_importing_a_test_module_or_a_conftest_is_named(tmp_path: Path) -> None:
    files = tree(
        tmp_path,
        {
            "conftest.py": "",
            "a/conftest.py": "",
            "a/test_x.py": "from tests.a.test_y import row\nfrom tests.a.rows import row as same\n",
            "a/test_y.py": "def test_late():\n    from tests.conftest import Caller\n",
            "a/rows.py": "from . import conftest\n",  # a relative import, from a helper
        },
    )
    assert imported_tests_and_conftests(files) == [
        "tests.a.rows imports tests.a.conftest: move what it needs into a helper module",
        "tests.a.test_x imports tests.a.test_y: move what it needs into a helper module",
        "tests.a.test_y imports tests.conftest: move what it needs into a helper module",
    ]


def test_a_conftest_defining_a_helper_is_named(tmp_path: Path) -> None:
    conftest = """
import pytest
from pytest import fixture

from tests.a.apps import app_fixtures

@pytest.fixture
def plain(): ...

@pytest.fixture(scope="session")
def called(): ...

@fixture
def bare(): ...

@fixture(autouse=True)
async def bare_called(): ...

def pytest_configure(config): ...

users_app, users = app_fixtures("users")

def _make(): ...

async def later(): ...

@staticmethod
def decorated(): ...

class Caller: ...
"""
    files = tree(tmp_path, {"a/conftest.py": conftest, "a/apps.py": "def app_fixtures(name): ...\n"})
    hint = "neither a fixture nor a pytest_* hook: helpers live in a module beside it"
    assert helpers_in_conftests(files) == [
        f"tests.a.conftest defines _make(), {hint}",
        f"tests.a.conftest defines later(), {hint}",
        f"tests.a.conftest defines decorated(), {hint}",
        f"tests.a.conftest defines the class Caller, {hint}",
    ]


def test_a_helper_used_outside_its_area_is_named(tmp_path: Path) -> None:
    files = tree(
        tmp_path,
        {
            "policy/manifests.py": "",
            "policy/test_rules.py": "from tests.policy.manifests import load\nfrom tests.support.shared import x\n",
            "services/test_memory.py": "from tests.policy import manifests\nfrom tests.support import shared\n",
            "test_root.py": "import tests.policy.manifests\n",
            "support/shared.py": "",
            "support/fixtures.py": "from tests.support.shared import x\nfrom tests.policy.manifests import load\n",
        },
    )
    assert misplaced_helpers(files) == [
        "tests.services.test_memory imports tests.policy.manifests, a helper of tests.policy: shared helpers live "
        "in tests/support/",
        "tests.support.fixtures imports tests.policy.manifests: tests/support/ imports from no area",
        "tests.test_root imports tests.policy.manifests, a helper of tests.policy: shared helpers live in "
        "tests/support/",
    ]
