"""docs/cluster.md shows what the code prints: the dry run exactly, the real-run lines as the dry run numbers them."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bootstrap import images
from bootstrap.cluster import main
from bootstrap.config import REPO_ROOT
from tests.bootstrap.programs import GIT, clean_env, tools_bin

DOC = REPO_ROOT / "docs" / "cluster.md"
VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"  # so that kubectl is the pinned .venv/bin/kubectl
SHOWN_MINIKUBE = "/usr/local/bin/minikube"  # where the documented machine has it
FRESH_FORK_TAG = "0.1.0"


def blocks(text: str) -> list[str]:
    return re.findall(r"^```\n(.*?)^```$", text, re.M | re.S)


def documented(command: str) -> str:
    """The first code block of docs/cluster.md that starts with `$ <command>`, without that line."""
    block = next(block for block in blocks(DOC.read_text(encoding="utf-8")) if block.startswith(f"$ {command}\n"))
    return block.split("\n", 1)[1]


@pytest.fixture
def dry_run_output(tmp_path: Path, git_repo: Callable[..., Path]) -> str:
    """`make cluster DRY_RUN=1` on the documented machine: every tool found, an SSH origin, branch main."""
    if GIT is None or not (VENV_PYTHON.parent / "kubectl").is_file():
        pytest.skip("needs git and the venv's kubectl (make venv)")
    bin_dir, _ = tools_bin(tmp_path / "bin", tmp_path / "calls.log")
    os.symlink(GIT, bin_dir / "git")
    git_dir = git_repo(origin="git@github.com:gitops-marketplace/marketplace.git", branch="main")
    out = io.StringIO()
    assert (
        main(
            ["up", "--dry-run"],
            env=clean_env(bin_dir, GIT_DIR=str(git_dir)),
            executable=str(VENV_PYTHON),
            out=out,
            platform="linux",
        )
        == 0
    )
    text = out.getvalue().replace(str(bin_dir / "minikube"), SHOWN_MINIKUBE)
    for image in images.wanted_images()[0]:  # the docs show a fresh fork's tags; CI's deliveries bump them
        text = text.replace(image.ref, f"{image.ref.rsplit(':', 1)[0]}:{FRESH_FORK_TAG}")
    return text


def test_the_documented_dry_run_is_what_it_prints(dry_run_output: str) -> None:
    assert documented("make cluster DRY_RUN=1") == dry_run_output


def test_each_documented_real_run_step_is_the_dry_runs_step_of_that_number(dry_run_output: str) -> None:
    """The real run prints `==> [n] <step>` where the dry run prints `n. <step>`; a condition the real run has
    decided (`# only if ...`) is dropped."""
    planned = dict(re.findall(r"^\s+(\d+)\. (.*)$", dry_run_output, re.M))
    real = re.findall(r"^==> \[(\d+)\] (.*)$", documented_real_run(), re.M)
    assert len(real) >= 8
    for number, step in real:
        assert step == re.sub(r"   # only if .*$", "", planned[number]), number


def documented_real_run() -> str:
    return next(block for block in blocks(DOC.read_text(encoding="utf-8")) if block.startswith("==> [1] "))
