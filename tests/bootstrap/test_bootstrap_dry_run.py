"""`make cluster DRY_RUN=1` as a newcomer runs it: a subprocess with a PATH the test controls."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

from bootstrap.cluster import main
from bootstrap.prereqs import DRIVER_HINT, KUBECTL_HINT, MINIKUBE_HINT
from tests.bootstrap.programs import GIT, clean_env, run_cluster, tools_bin


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
    assert re.search(r"^\s+25\. api   read Secret argocd/argocd-initial-admin-secret", out, re.M), out
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
    done = run_cluster(["up", "--dry-run"], clean_env(tmp_path, REPO_URL="https://example.com/r.git", REVISION="main"))
    assert done.returncode == 0, done.stderr
    order = positions(
        done.stdout,
        "run   minikube -p marketplace status",
        "run   minikube -p marketplace start",
        "api   read Deployment kube-system/metrics-server",
        "run   minikube -p marketplace image ls --format=json   # which images",
        "run   minikube -p marketplace image build -t ghcr.io/gitops-marketplace/users:0.1.0 -f users/Dockerfile apps",
        "run   minikube -p marketplace image build -t ghcr.io/gitops-marketplace/posts:0.1.0 -f posts/Dockerfile apps",
        "run   minikube -p marketplace image ls --format=json   # is every image there now?",
        "api   list Secrets default",
        "api   create Secret default/users-db-credentials",
        "api   create Secret default/posts-db-credentials",
        "api   read Deployment argocd/argocd-server",
        "apply --server-side --force-conflicts -k gitops/argocd/install",
        "wait --for=condition=Established",
        "skip  the AppProjects come from Git now: the root Application syncs gitops/clusters/minikube",
        "api   create AppProject argocd/marketplace-root",
        "api   apply Application argocd/marketplace-root (path=gitops/clusters/minikube",
        "api   wait Applications argocd/{marketplace-root,argocd,users,routes,offers,posts} Synced and Healthy",
        "Argo CD UI:      http://<minikube-ip>:30080",
    )
    assert order == sorted(order)
    start = next(line for line in done.stdout.splitlines() if "minikube -p marketplace start" in line)
    assert "--cni=calico" in start and "--addons=metrics-server" in start
    assert "--kubernetes-version=v1.35.1" in start
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
    assert (
        "REPO_URL     = https://github.com/acme/marketplace.git  (the `origin` remote"
        " git@github.com:acme/marketplace.git in https form: SSH would need a key in the cluster)"
    ) in out
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
    assert "run   minikube -p marketplace delete" in down.stdout

    sync = run_cluster(["sync", "--dry-run"], clean_env(tmp_path))
    assert sync.returncode == 0
    positions(
        sync.stdout,
        "api   list Applications argocd",
        "api   patch Application argocd/<each one listed> (annotation argocd.argoproj.io/refresh=hard)",
    )


def test_the_dry_run_runs_no_program_and_makes_no_api_call(tmp_path: Path) -> None:
    """Every tool present (fakes that log their calls), yet nothing is run and the API is never reached."""
    log = tmp_path / "calls.log"
    bin_dir, _ = tools_bin(tmp_path / "bin", log)

    def connect() -> None:
        raise AssertionError("the dry run connected to the API")

    for command in ("up", "down", "sync"):
        out = io.StringIO()
        rc = main(
            [command, "--dry-run"],
            env=clean_env(bin_dir, REPO_URL="https://x/r.git", REVISION="main"),
            executable=str(bin_dir / "python"),
            connect=connect,
            out=out,
        )
        assert rc == 0, out.getvalue()
        assert "MISSING" not in out.getvalue()
    assert not log.exists()


def minikube_commands(out: str) -> list[str]:
    """Every minikube command the output shows: the `run` steps, and the ones quoted in hints."""
    return [
        *re.findall(r"^\s+\d+\. run   (\S*minikube\b.*?)(?:   #.*)?$", out, re.M),
        *re.findall(r"`(minikube [^`]*)`", out),
    ]


def test_every_minikube_line_of_the_dry_run_names_the_profile(tmp_path: Path) -> None:
    bin_dir, _ = tools_bin(tmp_path / "bin", tmp_path / "calls.log")
    env = clean_env(bin_dir, REPO_URL="https://x/r.git", REVISION="main")
    outputs = []
    for command, platform in (("up", "darwin"), ("down", "linux")):  # darwin + docker: the tunnel hint too
        out = io.StringIO()
        assert (
            main([command, "--dry-run"], env=env, executable=str(bin_dir / "python"), out=out, platform=platform) == 0
        )
        outputs.append(out.getvalue())
    commands = minikube_commands("\n".join(outputs))

    assert len(commands) == 11, commands  # status, start, image ls, 4 builds, image ls, delete; 2 in the hint
    assert [c for c in commands if not re.search(r"(^| )(-p marketplace|--profile=marketplace)( |$)", c)] == []


def test_images_the_profile_has_are_kept_and_only_the_others_built(tmp_path: Path) -> None:
    present = {f"ghcr.io/gitops-marketplace/{svc}:0.1.0" for svc in ("users", "routes", "offers")}
    out = io.StringIO()
    env = clean_env(tmp_path, REPO_URL="https://x/r.git", REVISION="main")
    assert main(["up", "--dry-run"], env=env, facts={"minikube_images": present}, out=out) == 0
    text = out.getvalue()

    assert "       keep  image ghcr.io/gitops-marketplace/users:0.1.0: already in the profile's image store\n" in text
    builds = [line for line in text.splitlines() if " image build -t " in line]
    assert builds == [
        "   6. run   minikube -p marketplace image build -t ghcr.io/gitops-marketplace/posts:0.1.0"
        " -f posts/Dockerfile apps"
    ]  # known absent: no "only if" left
    assert "   7. run   minikube -p marketplace image ls --format=json   # is every image there now?" in text

    all_there = io.StringIO()
    facts = {"minikube_images": present | {"ghcr.io/gitops-marketplace/posts:0.1.0"}}
    assert main(["up", "--dry-run"], env=env, facts=facts, out=all_there) == 0
    assert " image build -t " not in all_there.getvalue() and "is every image there now?" not in all_there.getvalue()


def test_a_minikube_too_old_is_named_with_the_minimum_and_where_to_get_it(tmp_path: Path) -> None:
    bin_dir, _ = tools_bin(tmp_path / "bin", tmp_path / "calls.log")
    env = clean_env(bin_dir, REPO_URL="https://x/r.git", REVISION="main")
    for version, expected in (
        (
            "v1.37.0",
            "MISSING  minikube v1.37.0 is too old for Kubernetes v1.35.1: install"
            " minikube v1.38.1 or newer from https://minikube.sigs.k8s.io/docs/start/.",
        ),
        ("v1.38.1", f"found    minikube: {bin_dir / 'minikube'} (v1.38.1)"),
        (None, f"found    minikube: {bin_dir / 'minikube'} (a real run checks for v1.38.1 or newer)"),
    ):
        out = io.StringIO()
        facts = {"minikube_version": version} if version else {}
        assert main(["up", "--dry-run"], env=env, executable=str(bin_dir / "python"), facts=facts, out=out) == 0
        assert f"  {expected}\n" in out.getvalue()
