"""Concurrent tag bumps against a local bare repository, through the scripts the workflows run.

Each clone does what a deliver job does after its build: `bump_image_tag.py` for its own service, then
`python -m scripts.delivery.push_with_retry` (commit, push, on rejection `git pull --rebase` and push again).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from registry import ROOT
from scripts.delivery import push_with_retry as retry
from tests.scripts.commands import SCRIPTS
from tests.support.fixture_gitops import FIXTURES
from tests.support.git_repos import git, git_env

KUSTOMIZATION = "gitops/envs/minikube/{}/kustomization.yaml"


@pytest.fixture
def origin(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A bare repository whose main holds the fixture gitops/ tree; and the git environment to use."""
    env = {**git_env(tmp_path / "home"), "PYTHONPATH": str(ROOT)}  # for `python -m scripts.delivery...`
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", str(bare), env=env)
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(bare), str(seed), env=env)
    subprocess.run(["cp", "-r", str(FIXTURES / "gitops"), str(seed / "gitops")], check=True)
    git(seed, "add", "gitops", env=env)
    git(seed, "commit", "--quiet", "-m", "environments", env=env)
    git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main", env=env)
    return bare, env


def clone(origin: tuple[Path, dict[str, str]], name: str) -> Path:
    bare, env = origin
    path = bare.parent / name
    git(bare.parent, "clone", "--quiet", "--branch", "main", str(bare), str(path), env=env)
    return path


def bump_command(repo: Path, service: str, tag: str) -> list[str]:
    return [
        sys.executable,
        str(SCRIPTS / "bump_image_tag.py"),
        "--gitops-dir",
        str(repo / "gitops"),
        f"{service}={tag}",
    ]


def push_command(repo: Path, service: str, tag: str, attempts: int = 10) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scripts.delivery.push_with_retry",
        "--repo",
        str(repo),
        "--delay",
        "0.05",
        "--attempts",
        str(attempts),
        "--message",
        f"deliver: {service} {tag}",
        "gitops/envs",
    ]


def deliver(repo: Path, service: str, tag: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    subprocess.run(bump_command(repo, service, tag), env=env, check=True, capture_output=True)
    return subprocess.run(push_command(repo, service, tag), env=env, capture_output=True, text=True)


def deployed_tags(origin: tuple[Path, dict[str, str]]) -> dict[str, str]:
    """The newTag of each service on the bare repository's main."""
    bare, env = origin
    tags = {}
    for service in ("users", "routes", "posts", "offers"):
        text = git(bare, "show", f"main:{KUSTOMIZATION.format(service)}", env=env)
        tags[service] = next(e for e in yaml.safe_load(text)["images"] if e["name"] == service)["newTag"]
    return tags


def test_a_stale_push_is_rebased_and_both_tags_land(origin: tuple[Path, dict[str, str]]) -> None:
    _, env = origin
    first, second = clone(origin, "job-users"), clone(origin, "job-routes")  # both start from the same main

    landed = deliver(first, "users", "aaa111", env)
    assert landed.returncode == 0, landed.stderr
    late = deliver(second, "routes", "bbb222", env)  # its main is now stale: the first push is rejected

    assert late.returncode == 0, late.stderr
    assert "push rejected" in late.stdout and "attempt 2 of 10" in late.stdout
    assert deployed_tags(origin) == {"users": "aaa111", "routes": "bbb222", "posts": "0.1.0", "offers": "0.1.0"}
    history = git(origin[0], "log", "--format=%s", "main", env=env).splitlines()
    assert history == ["deliver: routes bbb222", "deliver: users aaa111", "environments"]  # linear, no merge


def test_concurrent_bumps_of_four_services_all_land(origin: tuple[Path, dict[str, str]]) -> None:
    _, env = origin
    tags = {"users": "u1", "routes": "r2", "posts": "p3", "offers": "o4"}
    repos = {service: clone(origin, f"job-{service}") for service in tags}
    for service, repo in repos.items():
        subprocess.run(bump_command(repo, service, tags[service]), env=env, check=True, capture_output=True)

    # All four pushes at once, as four matrix jobs would: all but one find main moved.
    processes = {
        s: subprocess.Popen(
            push_command(repo, s, tags[s]), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for s, repo in repos.items()
    }
    results = {s: (p.wait(timeout=120), *p.communicate()) for s, p in processes.items()}

    assert all(code == 0 for code, _, _ in results.values()), results
    assert deployed_tags(origin) == tags
    history = git(origin[0], "log", "--format=%s", "main", env=env).splitlines()
    assert sorted(history[:4]) == sorted(f"deliver: {s} {t}" for s, t in tags.items())
    assert len(history) == 5


def test_two_writers_of_the_same_line_fail_instead_of_overwriting(origin: tuple[Path, dict[str, str]]) -> None:
    _, env = origin
    first, second = clone(origin, "deliver-users"), clone(origin, "promote-users")
    assert deliver(first, "users", "from-deliver", env).returncode == 0

    conflicting = deliver(second, "users", "from-promote", env)

    assert conflicting.returncode == 1
    assert "rebase onto origin/main failed" in conflicting.stderr
    assert deployed_tags(origin)["users"] == "from-deliver"
    assert not (second / ".git" / "rebase-merge").exists() and not (second / ".git" / "rebase-apply").exists()


def test_nothing_to_commit_is_success(origin: tuple[Path, dict[str, str]]) -> None:
    _, env = origin
    repo = clone(origin, "idle")
    result = subprocess.run(push_command(repo, "users", "0.1.0"), env=env, capture_output=True, text=True)
    assert result.returncode == 0
    assert "nothing to commit" in result.stdout


def test_a_refusal_that_is_not_a_race_fails_at_once(origin: tuple[Path, dict[str, str]]) -> None:
    bare, env = origin
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected branch' >&2\nexit 1\n")
    hook.chmod(0o755)
    repo = clone(origin, "refused")

    result = deliver(repo, "users", "abc", env)

    assert result.returncode == 1
    assert "push to origin/main failed" in result.stderr
    assert "push rejected" not in result.stdout  # no retry: waiting would not help


# --- the retry loop, with git replaced --------------------------------------------------------------


class AlwaysRejected:
    """Stands in for `Git`: every push is rejected as non-fast-forward; every pull succeeds."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        if args[0] == "push":
            return subprocess.CompletedProcess(args, 1, "", " ! [rejected]        HEAD -> main (fetch first)\n")
        return subprocess.CompletedProcess(args, 0, "", "")


def test_the_retry_is_bounded_with_exponential_backoff() -> None:
    git, waits = AlwaysRejected(), []

    with pytest.raises(retry.PushError, match="gave up after 4 rejected pushes"):
        retry.push_with_retry(git, "origin", "main", attempts=4, delay=1.0, log=lambda _: None, sleep=waits.append)

    assert [c[0] for c in git.calls] == ["push", "pull", "push", "pull", "push", "pull", "push"]
    assert len(waits) == 3
    for n, wait in enumerate(waits):
        assert 2**n <= wait <= 1.5 * 2**n


def test_backoff_doubles_and_jitter_adds_at_most_half() -> None:
    assert [retry.backoff(n, 2.0, jitter=lambda: 0.0) for n in (1, 2, 3)] == [2.0, 4.0, 8.0]
    assert retry.backoff(2, 2.0, jitter=lambda: 1.0) == 6.0


@pytest.mark.parametrize(
    "stderr, race",
    [
        (" ! [rejected]        HEAD -> main (fetch first)", True),
        (" ! [rejected]        HEAD -> main (non-fast-forward)", True),
        (" ! [remote rejected] HEAD -> main (cannot lock ref 'refs/heads/main')", True),
        (" ! [remote rejected] HEAD -> main (protected branch hook declined)", False),
        ("fatal: Authentication failed", False),
    ],
)
def test_only_a_moved_branch_counts_as_a_race(stderr: str, race: bool) -> None:
    assert retry.is_race(stderr) is race
