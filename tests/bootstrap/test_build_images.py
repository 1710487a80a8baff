"""`make images` (python -m bootstrap.build_images): the plan without Minikube, and the run with a stand-in minikube."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bootstrap.build_images import commit_tag
from registry import ROOT
from tests.bootstrap.fake_minikube import image_store, install
from tests.support.fixture_gitops import copy_fixture_gitops, snapshot
from tests.support.git_repos import git, git_env


def build_images(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """As `make images` runs it: from the repository root, this Python."""
    return subprocess.run(
        [sys.executable, "-m", "bootstrap.build_images", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def bin_with_minikube(tmp_path: Path, **state: Any) -> tuple[dict[str, str], Path]:
    """An environment whose PATH has only the stand-in minikube (tests/bootstrap/fake_minikube.py, which refuses
    a call without `-p marketplace`) and /bin: no real minikube can be used. Its profile runs unless told."""
    bin_dir, log = tmp_path / "bin", tmp_path / "minikube.log"
    install(bin_dir, log, log_cwd=True, **{"running": True, **state})
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}/bin"}, log


def test_dry_run_without_minikube_says_so_and_still_prints_the_plan(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    empty = tmp_path / "empty-bin"
    empty.mkdir()

    result = build_images(
        "--dry-run",
        "--tag",
        "abc1234",
        "--gitops-dir",
        str(gitops),
        env={**os.environ, "PATH": str(empty)},
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("note: minikube is not installed")
    for service in ("users", "routes", "posts", "offers"):
        assert (
            f"  minikube -p marketplace image build -t ghcr.io/gitops-marketplace/{service}:abc1234"
            f" -f {service}/Dockerfile apps" in lines
        )
        assert f"  {service}: 0.1.0 -> abc1234" in lines
    assert "  minikube -p marketplace image ls --format=json   # lists every image built, or nothing is bumped" in lines
    assert any(line.startswith("then: python scripts/bump_image_tag.py --env minikube") for line in lines)
    assert snapshot(gitops) == before


def test_without_minikube_a_real_run_stops_with_one_sentence(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    result = build_images("--tag", "abc1234", "--gitops-dir", str(gitops), env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "build_images: minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/ (or run `make cluster`)."
    )
    assert snapshot(gitops) == before


def test_builds_in_minikube_then_bumps_the_minikube_environment(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    env, log = bin_with_minikube(tmp_path)

    result = build_images("--tag", "abc1234", "--gitops-dir", str(gitops), "users", "posts", env=env)

    assert result.returncode == 0, result.stderr
    builds = [line for line in log.read_text().splitlines() if " image build " in line]
    assert builds == [
        f"{ROOT} minikube -p marketplace image build -t ghcr.io/gitops-marketplace/users:abc1234 -f users/Dockerfile"
        " apps",
        f"{ROOT} minikube -p marketplace image build -t ghcr.io/gitops-marketplace/posts:abc1234 -f posts/Dockerfile"
        " apps",
    ]
    assert image_store(tmp_path / "bin" / "minikube.state.json") == [
        "ghcr.io/gitops-marketplace/users:abc1234",
        "ghcr.io/gitops-marketplace/posts:abc1234",
    ]
    calls = log.read_text().splitlines()
    assert calls and all(call.startswith(f"{ROOT} minikube -p marketplace ") for call in calls), calls
    for service, tag in {"users": "abc1234", "posts": "abc1234", "routes": "0.1.0"}.items():
        assert f'newTag: "{tag}"' in (gitops / "envs" / "minikube" / service / "kustomization.yaml").read_text()


def test_a_failed_build_bumps_nothing(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    env, _ = bin_with_minikube(tmp_path, fail_build="posts/Dockerfile", fail_exits=True)
    result = build_images("--tag", "abc1234", "--gitops-dir", str(gitops), env=env)
    assert result.returncode == 1
    assert "Building the posts image failed" in result.stderr
    assert snapshot(gitops) == before


def test_a_build_that_fails_but_exits_0_as_minikube_does_bumps_nothing(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    env, _ = bin_with_minikube(tmp_path, fail_build="posts/Dockerfile")
    result = build_images("--tag", "abc1234", "--gitops-dir", str(gitops), env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "build_images: The profile's image store lacks ghcr.io/gitops-marketplace/posts:abc1234 after the build:"
        " it failed (see above); nothing was bumped."
    )
    assert snapshot(gitops) == before


def test_a_stopped_profile_stops_a_real_run_and_the_dry_run_runs_no_program(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    before = snapshot(gitops)
    env, log = bin_with_minikube(tmp_path, running=False)

    dry = build_images("--dry-run", "--tag", "abc1234", "--gitops-dir", str(gitops), env=env)
    assert dry.returncode == 0, dry.stderr
    assert not log.exists()  # not even `minikube status`

    real = build_images("--tag", "abc1234", "--gitops-dir", str(gitops), env=env)
    assert real.returncode == 1
    assert real.stderr.strip() == (
        "build_images: The Minikube profile marketplace is not running: start it with `make cluster`."
    )
    assert log.read_text().splitlines() == [f"{ROOT} minikube -p marketplace status --format {{{{.Host}}}}"]
    assert snapshot(gitops) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["billing"], "unknown service 'billing'"),
        (["--tag", "bad:tag"], "invalid image tag"),
        (["--tag", "sha256:" + "a" * 64], "takes an image tag"),
    ],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = build_images("--dry-run", "--gitops-dir", str(copy_fixture_gitops(tmp_path)), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_the_tag_is_the_commit_and_marks_uncommitted_work(tmp_path: Path) -> None:
    env = git_env(tmp_path / "home")
    repo = tmp_path / "repo"
    (repo / "apps").mkdir(parents=True)
    (repo / "apps" / "a.py").write_text("1\n")
    git(repo, "init", "--quiet", env=env)
    git(repo, "add", ".", env=env)
    git(repo, "commit", "--quiet", "-m", "one", env=env)
    short = git(repo, "rev-parse", "--short", "HEAD", env=env)

    assert commit_tag(repo) == short
    (repo / "notes.txt").write_text("outside apps/: the images do not change\n")
    assert commit_tag(repo) == short
    (repo / "apps" / "a.py").write_text("2\n")
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert commit_tag(repo, now) == f"{short}-dirty-20260102030405"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_images_passes_dry_run_on() -> None:
    def recipe(*args: str) -> str:
        done = subprocess.run(["make", "-n", "images", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return next(line for line in done.stdout.splitlines() if "bootstrap.build_images" in line)

    assert recipe("DRY_RUN=1").endswith("-m bootstrap.build_images --dry-run")
    assert "--dry-run" not in recipe()
