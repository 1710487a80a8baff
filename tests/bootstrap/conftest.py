"""Fixtures of the bootstrap tests: a throwaway git repository. The helpers are beside it: fake programs on a
controlled PATH (programs.py) and a fake Kube that records the API calls (fake_kube.py)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bootstrap.programs import GIT


@pytest.fixture
def git_repo(tmp_path: Path) -> Callable[..., Path]:
    """`git_repo(origin=..., branch=...)`: the .git directory of a new repository with one commit."""
    if GIT is None:
        pytest.skip("git is not installed")

    def make(origin: str | None = None, branch: str = "main", detached: bool = False) -> Path:
        work = tmp_path / "repo"
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}

        def git(*args: str) -> None:
            subprocess.run([GIT, *args], cwd=work, env=env, check=True, capture_output=True)

        work.mkdir()
        git("init", "-q", "-b", branch)
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "x")
        if origin:
            git("remote", "add", "origin", origin)
        if detached:
            git("checkout", "-q", "--detach")
        return work / ".git"

    return make
