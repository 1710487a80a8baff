"""scripts/changed_services.py: which images a push changes, as the deliver workflow's build matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.changed_services import SERVICES, services_for_paths
from tests.scripts.helpers import git, git_env, run_script


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["apps/users/users/api.py"], ["users"]),
        (["apps/posts/Dockerfile", "apps/routes/requirements.txt"], ["routes", "posts"]),
        (["apps/core/service_core/db.py"], list(SERVICES)),
        (["apps/.dockerignore"], list(SERVICES)),
        (["apps/offers/offers/models.py", "apps/core/requirements.txt"], list(SERVICES)),
        (["gitops/envs/minikube/users/kustomization.yaml", "docs/delivery.md", "tests/services/test_users.py"], []),
        (["apps/billing/app.py", "apps/README.md"], []),
        ([], []),
    ],
)
def test_services_for_paths(paths: list[str], expected: list[str]) -> None:
    assert services_for_paths(paths) == expected


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    env = git_env(tmp_path / "home")
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "--quiet", env=env)
    (path / "apps" / "users").mkdir(parents=True)
    (path / "apps" / "users" / "a.py").write_text("1\n")
    git(path, "add", ".", env=env)
    git(path, "commit", "--quiet", "-m", "one", env=env)
    base = git(path, "rev-parse", "HEAD", env=env)
    (path / "apps" / "users" / "a.py").write_text("2\n")
    (path / "gitops").mkdir()
    (path / "gitops" / "x.yaml").write_text("x: 1\n")
    git(path, "add", ".", env=env)
    git(path, "commit", "--quiet", "-m", "two", env=env)
    return path, env, base


def test_the_services_changed_between_two_commits(repo: tuple[Path, dict[str, str], str]) -> None:
    path, env, base = repo
    result = run_script("changed_services.py", base, "HEAD", cwd=path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["users"]


@pytest.mark.parametrize("base", ["", "0" * 40, "1234567890abcdef1234567890abcdef12345678"])
def test_without_a_usable_base_every_service_is_built(repo: tuple[Path, dict[str, str], str], base: str) -> None:
    path, env, _ = repo
    result = run_script("changed_services.py", base, "HEAD", cwd=path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == list(SERVICES)
