"""The `run:` scripts of deliver.yml, executed as GitHub runs them, against a local bare repository.

The scripts are read from the workflow file (not copied), and run with `bash --noprofile --norc -eo pipefail`
in a clone, with the variables GitHub would set. The repository holds this checkout's scripts/ and the
fixture environments of tests/scripts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import registry
from tests.support.fixture_gitops import FIXTURES
from tests.support.git_repos import git, git_env

Origin = tuple[Path, dict[str, str], list[str]]  # bare repository, git environment, the two code commits
SCRIPTS = ("__init__.py", "bump_image_tag.py", "delivery")  # what the workflows run, under scripts/


def step_script(workflow: str, job: str, name_start: str) -> str:
    document = yaml.safe_load((registry.ROOT / ".github" / "workflows" / workflow).read_text())
    step = next(s for s in document["jobs"][job]["steps"] if s.get("name", "").startswith(name_start))
    return step["run"]


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    """A bare repository: one commit with the environments, scripts and Dockerfiles, then two commits of users."""
    env = git_env(tmp_path / "home")
    # `python` is this virtualenv's (it has ruamel.yaml), as setup-python + pip provide in the workflow.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    bare, seed = tmp_path / "origin.git", tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--bare", str(bare), env=env)
    git(tmp_path, "clone", "--quiet", str(bare), str(seed), env=env)
    shutil.copytree(FIXTURES / "gitops", seed / "gitops")
    (seed / "scripts").mkdir()
    for name in SCRIPTS:
        source, target = registry.ROOT / "scripts" / name, seed / "scripts" / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    for service in registry.NAMES:  # a service is a folder of apps/ with a Dockerfile
        (seed / "apps" / service).mkdir(parents=True)
        (seed / "apps" / service / "Dockerfile").write_text("FROM scratch\n")
    git(seed, "add", ".", env=env)
    git(seed, "commit", "--quiet", "-m", "environments and scripts", env=env)
    commits = []
    for n in (1, 2):
        (seed / "apps" / "users").mkdir(parents=True, exist_ok=True)
        (seed / "apps" / "users" / "app.py").write_text(f"version = {n}\n")
        git(seed, "add", ".", env=env)
        git(seed, "commit", "--quiet", "-m", f"users v{n}", env=env)
        commits.append(git(seed, "rev-parse", "HEAD", env=env))
    git(seed, "push", "--quiet", "origin", "HEAD:refs/heads/main", env=env)
    return bare, env, commits


def checkout(origin: Origin, name: str, sha: str) -> Path:
    """What actions/checkout leaves for a push event: branch main at the pushed commit, full history."""
    bare, env, _ = origin
    path = bare.parent / name
    git(bare.parent, "clone", "--quiet", str(bare), str(path), env=env)
    git(path, "checkout", "--quiet", "-B", "main", sha, env=env)
    return path


def deployed(origin: Origin, service: str) -> str:
    bare, env, _ = origin
    text = git(bare, "show", f"main:gitops/envs/minikube/{service}/kustomization.yaml", env=env)
    return next(e for e in yaml.safe_load(text)["images"] if e["name"] == service)["newTag"]


BUMP = step_script("deliver.yml", "deliver", "Point the minikube environment")


def deliver(origin: Origin, service: str, sha: str) -> subprocess.CompletedProcess[str]:
    _, env, _ = origin
    workdir = checkout(origin, f"job-{service}-{sha[:7]}", sha)
    return run_step(BUMP, workdir, {**env, "DEPLOY_ENV": "minikube", "SERVICE": service, "COMMIT": sha})


def test_the_bump_step_lands_the_commit_sha_on_main(origin: Origin) -> None:
    second = origin[2][1]
    result = deliver(origin, "users", second)
    assert result.returncode == 0, result.stderr
    assert deployed(origin, "users") == second


def test_the_bump_step_works_from_a_commit_main_has_moved_past(origin: Origin) -> None:
    """Two deliveries of different services, both checked out at the first commit: both land."""
    _, _, (first, _) = origin
    assert deliver(origin, "users", first).returncode == 0
    late = deliver(origin, "routes", first)
    assert late.returncode == 0, late.stderr
    assert (deployed(origin, "users"), deployed(origin, "routes")) == (first, first)


def test_the_bump_step_never_goes_back_to_an_older_commit(origin: Origin) -> None:
    _, _, (first, second) = origin
    assert deliver(origin, "users", second).returncode == 0
    older = deliver(origin, "users", first)  # e.g. the older run got its turn last
    assert older.returncode == 0, older.stderr
    assert "already runs" in older.stdout
    assert deployed(origin, "users") == second


def changes(origin: Origin, tmp_path: Path, commit: str, event: str = "workflow_run") -> list[str]:
    """The changes job: a checkout of the newest main (what is deployed now), COMMIT the one ci tested."""
    bare, env, _ = origin
    workdir = checkout(
        origin, f"changes-{len(list(tmp_path.glob('changes-*')))}", git(bare, "rev-parse", "main", env=env)
    )
    output = workdir / "github_output"
    script = step_script("deliver.yml", "changes", "Services whose image")
    result = run_step(
        script,
        workdir,
        {**env, "DEPLOY_ENV": "minikube", "COMMIT": commit, "GITHUB_EVENT_NAME": event, "GITHUB_OUTPUT": str(output)},
    )
    assert result.returncode == 0, result.stderr
    key, _, value = output.read_text().strip().partition("=")
    assert key == "services"
    return json.loads(value)


def push_change(origin: Origin, path: str, text: str) -> str:
    """A developer's push to main: one file changed. Returns the new commit."""
    bare, env, _ = origin
    work = checkout(origin, f"dev-{path.replace('/', '-')}", git(bare, "rev-parse", "main", env=env))
    (work / path).parent.mkdir(parents=True, exist_ok=True)
    (work / path).write_text(text)
    git(work, "add", ".", env=env)
    git(work, "commit", "--quiet", "-m", f"change {path}", env=env)
    git(work, "push", "--quiet", "origin", "HEAD:main", env=env)
    return git(work, "rev-parse", "HEAD", env=env)


def test_the_changes_step_lists_every_service_while_none_runs_a_commit(origin: Origin, tmp_path: Path) -> None:
    assert changes(origin, tmp_path, origin[2][1]) == sorted(registry.NAMES)  # the fixture deploys 0.1.0: no commit


def test_the_changes_step_lists_only_the_services_changed_since_the_deployed_commit(
    origin: Origin, tmp_path: Path
) -> None:
    _, _, (first, second) = origin
    for service in registry.NAMES:
        assert deliver(origin, service, first).returncode == 0
    assert changes(origin, tmp_path, second) == ["users"]  # second changes apps/users only
    assert changes(origin, tmp_path, first) == []  # what runs already


def test_the_changes_step_skips_a_commit_older_than_the_deployed_one(origin: Origin, tmp_path: Path) -> None:
    """ci of an older push may finish last: its delivery must not be built at all."""
    _, _, (first, second) = origin
    for service in registry.NAMES:
        assert deliver(origin, service, second).returncode == 0
    assert changes(origin, tmp_path, first) == []


def test_the_changes_step_delivers_what_a_push_with_failed_tests_left_behind(origin: Origin, tmp_path: Path) -> None:
    """A push whose ci failed is not delivered; the next green push must deliver its changes too. Its
    `before` (the failed push) would have missed them: the deployed tag does not."""
    _, _, (first, _) = origin
    for service in registry.NAMES:
        assert deliver(origin, service, first).returncode == 0
    push_change(origin, "apps/routes/app.py", "broken = True\n")  # its ci fails: no workflow_run gets through
    fixed = push_change(origin, "apps/users/app.py", "version = 3\n")
    assert changes(origin, tmp_path, fixed) == ["routes", "users"]


def test_the_changes_step_by_hand_lists_every_service(origin: Origin, tmp_path: Path) -> None:
    _, _, (_, second) = origin
    for service in registry.NAMES:
        assert deliver(origin, service, second).returncode == 0
    assert changes(origin, tmp_path, second, event="workflow_dispatch") == sorted(registry.NAMES)
