"""scripts/delivery/changed_services.py: which images a push changes, as the deliver workflow's build matrix.

The services are not a list: they are the apps/<svc>/ folders with a Dockerfile in the HEAD commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.delivery.changed_services import services_for_paths
from tests.scripts.commands import run_module
from tests.support.git_repos import git, git_env

SERVICES = ("offers", "posts", "routes", "users")
Repo = tuple[Path, dict[str, str], str]  # the repository, its git environment, the first commit


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["apps/users/users/api.py"], ["users"]),
        (["apps/posts/Dockerfile", "apps/routes/requirements.txt"], ["posts", "routes"]),
        (["apps/core/service_core/db.py"], list(SERVICES)),
        (["apps/.dockerignore"], list(SERVICES)),
        (["apps/offers/offers/models.py", "apps/core/requirements.txt"], list(SERVICES)),
        (["gitops/envs/minikube/users/kustomization.yaml", "docs/delivery.md", "tests/services/test_users.py"], []),
        (["apps/billing/app.py", "apps/README.md"], []),
        ([], []),
    ],
)
def test_services_for_paths(paths: list[str], expected: list[str]) -> None:
    assert services_for_paths(paths, SERVICES) == expected


def commit(path: Path, env: dict[str, str], files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", ".", env=env)
    git(path, "commit", "--quiet", "-m", message, env=env)
    return git(path, "rev-parse", "HEAD", env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """Four services with a Dockerfile, apps/core without one; then a commit changing users and gitops/."""
    env = git_env(tmp_path / "home")
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "--quiet", env=env)
    files = {f"apps/{service}/Dockerfile": "FROM scratch\n" for service in SERVICES}
    base = commit(path, env, {**files, "apps/users/a.py": "1\n", "apps/core/c.py": "1\n"}, "one")
    commit(path, env, {"apps/users/a.py": "2\n", "gitops/x.yaml": "x: 1\n"}, "two")
    return path, env, base


def changed(repo: Repo, base: str, head: str = "HEAD") -> list[str]:
    path, env, _ = repo
    result = run_module("changed_services", base, head, cwd=path, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_services_changed_between_two_commits(repo: Repo) -> None:
    assert changed(repo, repo[2]) == ["users"]


@pytest.mark.parametrize("base", ["", "0" * 40, "1234567890abcdef1234567890abcdef12345678"])
def test_without_a_usable_base_every_service_is_built(repo: Repo, base: str) -> None:
    assert changed(repo, base) == list(SERVICES)


def test_a_new_service_is_a_folder_with_a_dockerfile(repo: Repo) -> None:
    """No list to edit: a fifth service counts from the commit that adds its Dockerfile; a folder without one
    (apps/core, the shared package; apps/docs) is no service, though a change of apps/core builds them all."""
    path, env, base = repo
    head = commit(path, env, {"apps/billing/Dockerfile": "FROM scratch\n", "apps/docs/x.md": "x\n"}, "billing")
    assert changed(repo, "", head) == ["billing", *SERVICES]
    assert changed(repo, base, head) == ["billing", "users"]
    assert changed(repo, "", base) == list(SERVICES)  # the services of HEAD, not of the working tree
    assert changed(repo, head, commit(path, env, {"apps/core/c.py": "2\n"}, "core")) == ["billing", *SERVICES]


@pytest.mark.parametrize("head", ["", "nope", "1234567890abcdef1234567890abcdef12345678"])
def test_a_head_that_is_no_commit_is_refused_in_one_line(repo: Repo, head: str) -> None:
    path, env, base = repo
    result = run_module("changed_services", base, head, cwd=path, env=env)
    assert (result.returncode, result.stdout) == (2, "")
    assert (
        result.stderr
        == f"changed_services: {head!r} is not a commit here (fetch it first, e.g. git fetch origin main)\n"
    )


def test_wrong_arguments_say_how_to_call_it(repo: Repo) -> None:
    path, env, _ = repo
    result = run_module("changed_services", "HEAD", cwd=path, env=env)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("usage: changed_services BASE HEAD")
