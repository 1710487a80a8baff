"""`make cluster DRY_RUN=1` as a newcomer runs it: a subprocess with a PATH the test controls."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

from bootstrap.cluster import main
from bootstrap.prereqs import DRIVER_HINT, KUBECTL_HINT, MINIKUBE_HINT
from tests.bootstrap.conftest import GIT, clean_env, make_bin, run_cluster


def positions(text: str, *needles: str) -> list[int]:
    """Where each needle first occurs; a missing one fails with its name."""
    found = []
    for needle in needles:
        assert needle in text, f"{needle!r} is not in the output:\n{text}"
        found.append(text.index(needle))
    return found


def test_on_a_machine_without_any_tool_it_names_each_and_still_prints_the_whole_plan(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = run_cluster(["up", "--dry-run"], clean_env(empty))

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    assert MINIKUBE_HINT in out
    assert DRIVER_HINT in out
    assert "There is no `origin` remote (or no git): set REPO_URL" in out  # no git on this PATH either
    assert "a real run would stop here" in out
    # Placeholders where a tool or a value is missing; the plan is complete.
    assert "--driver=<driver>" in out
    assert "repoURL=<REPO_URL>" in out
    assert re.search(r"^\s+18\. api   read Secret argocd/argocd-initial-admin-secret", out, re.M), out
    assert "http://<minikube-ip>:30004/posts/ping" in out


def test_kubectl_missing_is_named_with_how_to_get_it(tmp_path: Path) -> None:
    """The venv's kubectl counts: hide it by pretending Python lives elsewhere, and give an empty PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    out = io.StringIO()
    assert main(["up", "--dry-run"], env=clean_env(empty), executable=str(empty / "python"), out=out) == 0
    assert KUBECTL_HINT in out.getvalue()
    assert "run   kubectl --context marketplace apply --server-side" in out.getvalue()


def test_the_steps_come_in_order(tmp_path: Path) -> None:
    done = run_cluster(["up", "--dry-run"], clean_env(tmp_path, REPO_URL="https://example.com/r.git",
                                                      REVISION="main"))
    assert done.returncode == 0, done.stderr
    order = positions(
        done.stdout,
        "run   minikube status -p marketplace",
        "run   minikube start -p marketplace",
        "api   list Secrets default",
        "api   create Secret default/users-db-credentials",
        "api   create Secret default/posts-db-credentials",
        "apply --server-side --force-conflicts -k bootstrap/argocd",
        "wait --for=condition=Established",
        "api   apply AppProject argocd/marketplace",
        "api   apply Application argocd/marketplace-root",
        "api   wait Applications argocd/{marketplace-root,users,routes,offers,posts} Synced and Healthy",
        "Argo CD UI:      http://<minikube-ip>:30080",
    )
    assert order == sorted(order)
    start = next(line for line in done.stdout.splitlines() if "minikube start" in line)
    assert "--cni=calico" in start and "--addons=metrics-server" in start
    assert "--kubernetes-version=v1.36.4" in start
    assert "Argo CD v3.5.1" in done.stdout
    assert "POSTGRES_PASSWORD=<random>" in done.stdout


def test_repository_and_revision_default_to_origin_in_https_form_and_current_branch(
    tmp_path: Path, git_repo: Callable[..., Path]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(GIT, bin_dir / "git")
    git_dir = git_repo(origin="git@github.com:acme/marketplace.git", branch="feature/hpa")

    done = run_cluster(["up", "--dry-run"], clean_env(bin_dir, GIT_DIR=str(git_dir)))

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert ("REPO_URL     = https://github.com/acme/marketplace.git  (the `origin` remote"
            " git@github.com:acme/marketplace.git in https form: SSH would need a key in the cluster)") in out
    assert "REVISION     = feature/hpa  (the current branch" in out
    assert "sourceRepos=[https://github.com/acme/marketplace.git]" in out
    assert "repoURL=https://github.com/acme/marketplace.git targetRevision=feature/hpa" in out
    assert "MISSING" not in out.replace("MISSING  minikube", "").replace("MISSING  No Minikube driver", "")


def test_repo_url_and_revision_from_the_environment_win(tmp_path: Path, git_repo: Callable[..., Path]) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(GIT, bin_dir / "git")
    git_dir = git_repo(origin="https://github.com/acme/marketplace.git")
    env = clean_env(bin_dir, GIT_DIR=str(git_dir), REPO_URL="https://github.com/fork/m.git", REVISION="v1.2")

    out = run_cluster(["up", "--dry-run"], env).stdout

    assert "REPO_URL     = https://github.com/fork/m.git  (from REPO_URL)" in out
    assert "repoURL=https://github.com/fork/m.git targetRevision=v1.2" in out


def test_down_and_sync_dry_runs(tmp_path: Path) -> None:
    down = run_cluster(["down", "--dry-run"], clean_env(tmp_path))
    assert down.returncode == 0
    assert MINIKUBE_HINT in down.stdout
    assert "run   minikube delete -p marketplace" in down.stdout

    sync = run_cluster(["sync", "--dry-run"], clean_env(tmp_path))
    assert sync.returncode == 0
    positions(sync.stdout, "api   list Applications argocd",
              "api   patch Application argocd/<each one listed> (annotation argocd.argoproj.io/refresh=hard)")


def test_the_dry_run_runs_no_program_and_makes_no_api_call(tmp_path: Path) -> None:
    """Every tool present (fakes that log their calls), yet nothing is run and the API is never reached."""
    log = tmp_path / "calls.log"
    bin_dir = make_bin(tmp_path / "bin", {"minikube": "exit 0", "kubectl": "exit 0", "docker": "exit 0"}, log)

    def connect() -> None:
        raise AssertionError("the dry run connected to the API")

    for command in ("up", "down", "sync"):
        out = io.StringIO()
        rc = main([command, "--dry-run"], env=clean_env(bin_dir, REPO_URL="https://x/r.git", REVISION="main"),
                  executable=str(bin_dir / "python"), connect=connect, out=out)
        assert rc == 0, out.getvalue()
        assert "MISSING" not in out.getvalue()
    assert not log.exists()
