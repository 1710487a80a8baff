"""The stand-in minikube refuses what the real one refuses, or the tests that use it would prove nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bootstrap.config import REPO_ROOT
from tests.bootstrap.fake_minikube import image_store, install

NOT_FOUND = 'Profile "minikube" not found. Run "minikube profile list" to view all profiles.'


def minikube(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not (tmp_path / "bin" / "minikube").exists():
        install(tmp_path / "bin", tmp_path / "log")
    return subprocess.run(
        [str(tmp_path / "bin" / "minikube"), *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["status", "--output=json"], 85, NOT_FOUND),
        (["start", "--driver=docker"], 85, NOT_FOUND),
        (["delete"], 85, NOT_FOUND),
        (
            ["image", "ls", "--format=json"],
            14,
            'Exiting due to MK_USAGE: loading profile: cluster "minikube" does not exist',
        ),
        (["image", "build", "-t", "x:1", "-f", "users/Dockerfile", "apps"], 14, "loading profile"),
        (["-p", "minikube", "status"], 85, NOT_FOUND),  # the default profile, named: still not ours
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(value),
)
def test_a_call_without_our_profile_is_refused_with_minikubes_words(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    done = minikube(tmp_path, *args)
    assert done.returncode == code
    assert message in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "marketplace", "stat"], 'Error: unknown command "stat" for "minikube"'),
        (["-p", "marketplace", "image", "list-all"], 'Error: unknown command "image list-all" for "minikube"'),
        (["-p", "marketplace", "status", "--json"], "Error: unknown flag: --json"),
        (["-p", "marketplace", "image", "build", "--tags=x", "apps"], "Error: unknown flag: --tags"),
        (["-p", "marketplace", "image", "build", "-t", "x:1"], "Please provide a path or url to build"),
    ],
)
def test_unknown_commands_and_flags_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    done = minikube(tmp_path, *args)
    assert done.returncode == 14
    assert message in done.stderr


def test_a_build_needs_its_dockerfile_in_the_context_and_lands_in_the_store(tmp_path: Path) -> None:
    assert (
        minikube(
            tmp_path, "-p", "marketplace", "image", "build", "-t", "x:1", "-f", "apps/users/Dockerfile", "apps"
        ).returncode
        == 80
    )  # -f is relative to the context, not to the working directory
    done = minikube(tmp_path, "--profile=marketplace", "image", "build", "-t", "x:1", "-f", "users/Dockerfile", "apps")
    assert done.returncode == 0, done.stderr
    assert image_store(tmp_path / "bin" / "minikube.state.json") == ["x:1"]
    listed = minikube(tmp_path, "-p", "marketplace", "image", "ls", "--format=json")
    assert '"repoTags": ["x:1"]' in listed.stdout
