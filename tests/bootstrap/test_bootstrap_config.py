"""Settings: REPO_URL and REVISION defaults from git, their overrides, and what cannot be resolved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap import config
from bootstrap.config import https_url, resolve_repo_url, resolve_revision, resolve_settings


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/acme/marketplace.git", "https://github.com/acme/marketplace.git"),
        ("git@github.com:acme/marketplace.git", "https://github.com/acme/marketplace.git"),
        ("github.com:acme/marketplace", "https://github.com/acme/marketplace"),
        ("ssh://git@github.com/acme/marketplace.git", "https://github.com/acme/marketplace.git"),
        ("ssh://git@gitlab.example.com:2222/team/m.git", "https://gitlab.example.com/team/m.git"),
        ("https://user:ghp_secret@github.com/acme/m.git", "https://github.com/acme/m.git"),
        ("http://gitea.local:3000/acme/m.git", "http://gitea.local:3000/acme/m.git"),
        ("/work/main", None),
        ("../main", None),
        ("file:///work/main", None),
    ],
)
def test_https_url(remote: str, expected: str | None) -> None:
    assert https_url(remote) == expected


def fake_git(answers: dict[str, str | None]) -> config.GitRunner:
    return lambda args: answers.get(" ".join(args))


def test_repo_url_defaults_to_origin_converted_to_https() -> None:
    git = fake_git({"remote get-url origin": "git@github.com:acme/m.git"})
    url, source = resolve_repo_url({}, git)
    assert url == "https://github.com/acme/m.git"
    assert source == "the `origin` remote git@github.com:acme/m.git in https form: SSH would need a key in the cluster"


def test_repo_url_from_env_wins() -> None:
    git = fake_git({"remote get-url origin": "git@github.com:acme/m.git"})
    assert resolve_repo_url({"REPO_URL": "https://x/y.git"}, git) == ("https://x/y.git", "from REPO_URL")


def test_no_origin_or_a_local_origin_is_a_problem_with_a_placeholder() -> None:
    settings = resolve_settings({}, fake_git({"rev-parse --abbrev-ref HEAD": "main"}))
    assert settings.repo_url == config.REPO_URL_PLACEHOLDER
    assert settings.problems == (
        "There is no `origin` remote (or no git): set REPO_URL to the https URL of the repository that Argo CD"
        " should read, e.g. `make cluster REPO_URL=https://github.com/<owner>/<repo>.git`.",
    )
    local = resolve_settings({}, fake_git({"remote get-url origin": "/work/main", "rev-parse HEAD": "abc"}))
    assert "is a local path that Argo CD inside Minikube cannot reach" in local.problems[0]


def test_revision_is_the_branch_else_the_commit() -> None:
    assert resolve_revision({}, fake_git({"rev-parse --abbrev-ref HEAD": "feat"})) == ("feat", "the current branch")
    detached = fake_git({"rev-parse --abbrev-ref HEAD": "HEAD", "rev-parse HEAD": "0123abc"})
    assert resolve_revision({}, detached)[0] == "0123abc"
    assert resolve_revision({"REVISION": "v2"}, detached) == ("v2", "from REVISION")
    assert resolve_revision({}, fake_git({}))[0] is None


def test_wait_timeout_and_minikube_sizes_from_env() -> None:
    git = fake_git({"remote get-url origin": "https://x/y.git", "rev-parse --abbrev-ref HEAD": "main"})
    settings = resolve_settings({"WAIT_TIMEOUT": "60", "MINIKUBE_CPUS": "2", "MINIKUBE_MEMORY": "4g"}, git)
    assert (settings.wait_timeout, settings.cpus, settings.memory, settings.problems) == (60, "2", "4g", ())
    assert resolve_settings({}, git).wait_timeout == 900
    assert resolve_settings({"WAIT_TIMEOUT": "soon"}, git).problems == (
        "WAIT_TIMEOUT='soon' is not a positive number of seconds.",
    )


def test_git_runner_reads_a_real_repository(git_repo: Callable[..., Path]) -> None:
    git_dir = git_repo(origin="git@github.com:acme/m.git", branch="dev", detached=True)
    import os

    git = config.git_runner({**os.environ, "GIT_DIR": str(git_dir)})
    assert git(["remote", "get-url", "origin"]) == "git@github.com:acme/m.git"
    revision, source = resolve_revision({}, git)
    assert len(revision or "") == 40 and source == "the current commit (detached HEAD)"
    assert config.git_runner({"PATH": ""})(["status"]) is None  # no git at all
