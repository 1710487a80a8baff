"""Helpers for the bootstrap tests: fake programs on a controlled PATH, a throwaway git repository, and a
fake Kube that records the API calls. No test here needs Minikube, Docker, a cluster or the network."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import registry
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


def app(name: str, sync: str = "Synced", health: str = "Healthy", **status: Any) -> dict[str, Any]:
    """An Argo CD Application as the API lists it, reduced to what the bootstrap reads."""
    return {"metadata": {"name": name}, "status": {"sync": {"status": sync}, "health": {"status": health}, **status}}


class FakeKube:
    """Stands in for bootstrap.kube.Kube: answers from its attributes and logs each call to `log`."""

    def __init__(
        self,
        log: Path,
        existing_secrets: set[str] | None = None,
        applications: list[dict[str, Any]] | None = None,
        addons: bool = True,
    ) -> None:
        self.log = log
        self.secrets = set(existing_secrets or ())
        self.created: dict[str, dict[str, str]] = {}
        self.applied: list[dict[str, Any]] = []
        self.annotated: list[tuple[str, str, str]] = []
        self.apps = (
            applications if applications is not None else [app(name) for name in ("marketplace-root", *registry.NAMES)]
        )
        self.addons = addons

    def _log(self, line: str) -> None:
        with self.log.open("a") as handle:
            handle.write(f"api {line}\n")

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        self._log(f"read {kind} {namespace}/{name}")
        return self.addons

    def secret_names(self, namespace: str) -> set[str]:
        self._log(f"list Secrets {namespace}")
        return set(self.secrets)

    def create_secret(self, namespace: str, name: str, string_data: dict[str, str], labels: dict[str, str]) -> bool:
        self._log(f"create Secret {namespace}/{name}")
        self.created[name] = string_data
        self.secrets.add(name)
        return True

    def apply(self, obj: dict[str, Any], field_manager: str) -> None:
        self._log(f"apply {obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']} {field_manager}")
        self.applied.append(obj)

    def applications(self, namespace: str) -> list[dict[str, Any]]:
        self._log(f"list Applications {namespace}")
        return self.apps

    def annotate_application(self, namespace: str, name: str, key: str, value: str) -> None:
        self._log(f"patch Application {namespace}/{name} {key}={value}")
        self.annotated.append((name, key, value))

    def node_ip(self) -> str:
        self._log("read Node addresses")
        return "192.168.49.2"

    def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        self._log(f"read Secret {namespace}/{name}")
        return "admin-pw-from-secret"
