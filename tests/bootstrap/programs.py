"""Fake programs on a controlled PATH, an environment with nothing from the developer's, and the bootstrap
command run among them. No test here needs Minikube, Docker, a cluster or the network."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bootstrap.config import REPO_ROOT
from tests.bootstrap import fake_minikube

GIT = shutil.which("git")


def make_bin(directory: Path, programs: dict[str, str], log: Path) -> Path:
    """A directory of fake programs: each appends `name args...` to `log`, then runs its shell `body`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in programs.items():
        script = directory / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{body}\n')
        script.chmod(0o755)
    return directory


def tools_bin(directory: Path, log: Path, **minikube: Any) -> tuple[Path, Path]:
    """Every tool `make cluster` needs: the stand-in minikube (fake_minikube.py, with `minikube` as its state),
    and kubectl and docker that only log their calls. Returns the directory and minikube's state file."""
    make_bin(directory, {"kubectl": "exit 0", "docker": "exit 0"}, log)
    return directory, fake_minikube.install(directory, log, **minikube)


def clean_env(path: Path | str, **extra: str) -> dict[str, str]:
    """An environment with nothing from the developer's: only PATH, HOME and what the test adds."""
    env = {"PATH": str(path), "HOME": str(Path(path).parent), "LANG": "C.UTF-8", "GIT_CONFIG_NOSYSTEM": "1"}
    env.update(extra)
    return env


def run_cluster(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bootstrap.cluster ...` as the Makefile runs it: from the repository root, this Python."""
    return subprocess.run(
        [sys.executable, "-m", "bootstrap.cluster", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
