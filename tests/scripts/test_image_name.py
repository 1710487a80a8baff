"""scripts/delivery/image_name.py: the image name and the deployed tag that the deliver and promote jobs read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scripts.commands import run_module
from tests.support.fixture_gitops import copy_fixture_gitops


def image_name(gitops: Path, *args: str):
    return run_module("image_name", "--gitops-dir", str(gitops), *args)


def test_the_name_and_the_tag_come_from_the_kustomization(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    name, tag = image_name(gitops, "users"), image_name(gitops, "--tag", "users")
    assert (name.returncode, name.stdout) == (0, "ghcr.io/gitops-marketplace/users\n"), name.stderr
    assert (tag.returncode, tag.stdout) == (0, "0.1.0\n"), tag.stderr


def test_a_pinned_digest_is_the_deployed_ref(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    digest = "sha256:" + "ab" * 32
    assert run_module("bump", "--gitops-dir", str(gitops), f"routes={digest}").returncode == 0
    assert image_name(gitops, "--tag", "routes").stdout == f"{digest}\n"


def test_a_new_service_needs_only_its_folder(tmp_path: Path) -> None:
    gitops = copy_fixture_gitops(tmp_path)
    folder = gitops / "envs" / "minikube" / "billing"
    folder.mkdir()
    (folder / "kustomization.yaml").write_text("images:\n  - name: billing\n    newName: ghcr.io/x/billing\n")
    assert image_name(gitops, "billing").stdout == "ghcr.io/x/billing\n"
    assert image_name(gitops, "--tag", "billing").stdout == "latest\n"  # an image reference without a tag means :latest


@pytest.mark.parametrize(
    "args, message",
    [
        (["billing"], "missing; environment 'minikube' does not deploy 'billing'"),
        (
            ["--env", "production", "users"],
            "unknown environment 'production': expected one of broken, minikube, staging",
        ),
        (["--env", "broken", "routes"], "has no images: list"),
    ],
)
def test_what_cannot_be_read_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = image_name(copy_fixture_gitops(tmp_path), *args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("image_name: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
