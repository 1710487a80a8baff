"""scripts/delivery/render_diff.py (`make diff BASE=<ref>`) on a throwaway repository with a minimal gitops/ tree.

Rendering is the real one (scripts/delivery/render.py with the pinned kubectl); the tree is small enough for that.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.delivery import render_diff
from tests.support.git_repos import git, git_env

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: users
spec:
  selector:
    matchLabels: {app: users}
  template:
    metadata:
      labels: {app: users}
    spec:
      containers:
        - name: app
          image: users
"""
ENV = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - app.yaml
images:
  - name: users
    newName: ghcr.io/gitops-marketplace/users
    newTag: "0.1.0"
"""
PROJECT = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: marketplace\n"
APPS = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    env = git_env(tmp_path / "home")
    path = tmp_path / "repo"
    files = {
        "gitops/envs/minikube/users/kustomization.yaml": ENV,
        "gitops/envs/minikube/users/app.yaml": APP,
        "gitops/argocd/root-project.yaml": PROJECT.replace("marketplace", "marketplace-root"),
        "gitops/argocd/project.yaml": PROJECT,
        "gitops/argocd/root-app.yaml": PROJECT.replace("AppProject", "Application"),
        "gitops/argocd/apps/kustomization.yaml": APPS,
    }
    (path / "docs").mkdir(parents=True)
    (path / "docs" / "readme.md").write_text("before gitops/ existed\n")
    git(path, "init", "--quiet", env=env)
    git(path, "add", ".", env=env)
    git(path, "commit", "--quiet", "-m", "no gitops yet", env=env)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", ".", env=env)
    git(path, "commit", "--quiet", "-m", "gitops", env=env)
    return path


def run(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = render_diff.main(["--repo", str(repo), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_same_tree_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(repo, capsys, "HEAD")
    assert code == 0
    assert out == f"{render_diff.NO_DIFFERENCE} (working tree vs HEAD)\n"


def test_a_tag_bump_in_the_working_tree_shows_as_one_changed_image(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kustomization = repo / "gitops/envs/minikube/users/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace('"0.1.0"', '"abc1234"'))

    code, out, _ = run(repo, capsys, "HEAD")

    assert code == 0
    assert "--- a/minikube.yaml (HEAD)\n+++ b/minikube.yaml (working tree)\n" in out
    changes = [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert changes == [
        "-      - image: ghcr.io/gitops-marketplace/users:0.1.0",
        "+      - image: ghcr.io/gitops-marketplace/users:abc1234",
    ]


def test_a_base_without_gitops_shows_everything_as_added(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(repo, capsys, "HEAD~1")
    assert code == 0
    assert "--- /dev/null\n+++ b/argocd.yaml (working tree)\n" in out
    assert "--- /dev/null\n+++ b/minikube.yaml (working tree)\n" in out
    assert not [line for line in out.splitlines() if line.startswith("-") and not line.startswith("---")]


def test_an_unknown_base_exits_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(repo, capsys, "no-such-branch")
    assert code == 2
    assert out == ""
    assert "'no-such-branch' is not a commit here" in err


def test_a_tree_that_does_not_render_exits_1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "gitops/envs/minikube/users/kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    code, _, err = run(repo, capsys, "HEAD")
    assert code == 1
    assert err.startswith("render_diff: the working tree does not render:")


def test_diff_files_covers_added_removed_and_changed_files() -> None:
    text = render_diff.diff_files(
        {"a.yaml": "x: 1\n", "gone.yaml": "y: 1\n"}, {"a.yaml": "x: 2\n", "new.yaml": "z: 1\n"}, "main", "here"
    )
    assert "--- a/a.yaml (main)\n+++ b/a.yaml (here)\n" in text
    assert "--- a/gone.yaml (main)\n+++ /dev/null\n" in text
    assert "--- /dev/null\n+++ b/new.yaml (here)\n" in text
