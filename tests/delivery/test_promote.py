"""scripts/delivery/promote.py against a local bare repository, with a `gh` stand-in (tests/delivery/fake_gh.py)
that refuses what the real `gh pr create` refuses: the promotion is a branch and a pull request, never a push to
main, and its body holds the rendered diff of the target environment."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import registry
from scripts.delivery import promote
from tests.support.git_repos import git, git_env

DIGEST = "sha256:" + "1234abcd" * 8
FAKE_GH = Path(__file__).with_name("fake_gh.py")


def inspect(reference: str) -> str:
    """What `imagetools inspect --format '{{json .Manifest}}'` prints: the index's media type, digest, size."""
    assert reference == "ghcr.io/gitops-marketplace/users:0.1.0"
    return json.dumps({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": DIGEST, "size": 856})


@pytest.fixture
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A clone of a bare origin holding this checkout's gitops/ (minikube and production), gh on the PATH."""
    env = git_env(tmp_path / "home")
    for key in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "HOME"):
        monkeypatch.setenv(key, env[key])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_GH}" "$@"\n')
    (bin_dir / "gh").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{env['PATH']}")
    monkeypatch.setenv("FAKE_GH_RECORD", str(tmp_path / "gh.json"))
    bare, work = tmp_path / "origin.git", tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--bare", str(bare), env=env)
    git(tmp_path, "clone", "--quiet", str(bare), str(work), env=env)
    for part in ("envs", "services", "service-template", "components"):
        shutil.copytree(registry.ROOT / "gitops" / part, work / "gitops" / part)
    git(work, "add", ".", env=env)
    git(work, "commit", "--quiet", "-m", "environments", env=env)
    git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main", env=env)
    return bare, work


def test_a_promotion_is_a_branch_and_a_pull_request_with_the_diff(clone: tuple[Path, Path], tmp_path: Path) -> None:
    bare, work = clone
    env = git_env(tmp_path / "home")
    branch = promote.promote(work, "minikube", "production", ["users"], "owner/marketplace", inspect=inspect)
    assert branch == "promote/production/users-1234abcd1234"
    record = json.loads((tmp_path / "gh.json").read_text())
    assert (record["repo"], record["base"], record["head"]) == ("owner/marketplace", "main", branch)
    assert f"- `users`: `{DIGEST}`" in record["body"]
    assert f"-        image: ghcr.io/gitops-marketplace/users@{promote.NEVER_PROMOTED}" in record["body"]
    assert f"+        image: ghcr.io/gitops-marketplace/users@{DIGEST}" in record["body"]
    pushed = git(bare, "show", f"{branch}:gitops/envs/production/users/kustomization.yaml", env=env)
    assert f"digest: {DIGEST}" in pushed
    main = git(bare, "show", "main:gitops/envs/production/users/kustomization.yaml", env=env)
    assert f"digest: {promote.NEVER_PROMOTED}" in main  # main is untouched: merging the PR is the deploy
    changed = git(bare, "diff", "--name-only", "main", branch, env=env).splitlines()
    assert changed == ["gitops/envs/production/users/kustomization.yaml"]


def test_a_second_run_with_the_same_digest_opens_nothing(clone: tuple[Path, Path], tmp_path: Path) -> None:
    _, work = clone
    promote.promote(work, "minikube", "production", ["users"], "owner/marketplace", inspect=inspect)
    (tmp_path / "gh.json").unlink()
    assert promote.promote(work, "minikube", "production", ["users"], "owner/marketplace", inspect=inspect) == ""
    assert not (tmp_path / "gh.json").exists()


def test_a_never_promoted_source_is_refused(clone: tuple[Path, Path]) -> None:
    _, work = clone
    with pytest.raises(promote.PromoteError, match="production has never been promoted for users"):
        promote.source_digest(work / "gitops", "production", "users", inspect)


def test_a_registry_answer_without_a_digest_is_refused() -> None:
    with pytest.raises(promote.PromoteError, match="holds no sha256 digest"):
        promote.digest_of("ghcr.io/x/users:1", lambda _: json.dumps({"mediaType": "x"}))


@pytest.mark.parametrize(
    "args, refusal",
    [
        (["pr", "create", "--base", "main", "--head", "b", "--title", "t", "--body", "x"], "--repo"),
        (["pr", "create", "--repo", "o/r", "--base", "main", "--title", "t", "--body", "x"], "--head"),
        (["pr", "create", "--repo", "o/r", "--head", "b", "--title", "t", "--body", "x"], "--base"),
        (["pr", "create", "--repo", "o/r", "--base", "m", "--head", "b", "--title", "t", "--body", "x", "--yes"], ""),
    ],
)
def test_the_gh_stand_in_refuses_what_gh_refuses(args: list[str], refusal: str, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(FAKE_GH), *args], capture_output=True, text=True, check=False,
                            env={"FAKE_GH_RECORD": str(tmp_path / "r.json")})  # fmt: skip
    assert result.returncode != 0
    assert refusal in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_the_workflow_step_opens_the_pull_request(clone: tuple[Path, Path], tmp_path: Path) -> None:
    """promote.yml's step, run as GitHub runs it, with a docker stand-in that answers only the one inspect call
    promote.py makes (`buildx imagetools inspect NAME --format TEMPLATE`) and refuses anything else."""
    bare, work = clone
    env = git_env(tmp_path / "home")
    shutil.copytree(registry.ROOT / "scripts", work / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    manifest = json.dumps({"digest": DIGEST})
    docker = tmp_path / "bin" / "docker"
    docker.write_text(
        '#!/bin/sh\n[ "$1 $2 $3" = "buildx imagetools inspect" ] && [ "$5 $6" = "--format {{json .Manifest}}" ] '
        f"&& [ $# -eq 6 ] || {{ echo \"docker stand-in: unknown call: $*\" >&2; exit 125; }}\necho '{manifest}'\n"
    )
    docker.chmod(0o755)
    document = yaml.safe_load((registry.ROOT / ".github" / "workflows" / "promote.yml").read_text())
    step = next(s for s in document["jobs"]["promote"]["steps"] if s.get("name", "").startswith("Open the promotion"))
    variables = {"SERVICE": "users", "FROM_ENV": "minikube", "TO_ENV": "production", "REPOSITORY": "o/marketplace"}
    path = f"{tmp_path / 'bin'}:{Path(sys.executable).parent}:{env['PATH']}"
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=work, env={**env, **variables, "PATH": path, "FAKE_GH_RECORD": str(tmp_path / "gh.json")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert git(bare, "branch", "--list", "promote/*", env=env) == "promote/production/users-1234abcd1234"
    assert json.loads((tmp_path / "gh.json").read_text())["head"] == "promote/production/users-1234abcd1234"
