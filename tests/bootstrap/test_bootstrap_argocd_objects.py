"""REPO_URL and REVISION put into the AppProject and the root Application, and handed on to the children.

Small fixtures pin the behaviour; the committed files of gitops/argocd are checked too, down to rendering
the child Applications with the root Application's patches as Argo CD's repo-server would.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import registry
from bootstrap import argocd_objects, config
from bootstrap.prereqs import find_kubectl

REPO, REVISION = "https://github.com/acme/marketplace.git", "feature/x"
PLACEHOLDER = "https://github.com/placeholder/repo.git"


def root(patches: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    source: dict[str, Any] = {"repoURL": PLACEHOLDER, "targetRevision": "HEAD", "path": "gitops/argocd/apps"}
    if patches is not None:
        source["kustomize"] = {"patches": patches}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "marketplace-root", "namespace": "argocd"},
        "spec": {"source": source},
    }


def values_of(patch: dict[str, Any]) -> dict[str, str]:
    doc = yaml.safe_load(patch["patch"])
    if isinstance(doc, list):
        return {op["path"]: op["value"] for op in doc}
    return {f"/spec/source/{k}": v for k, v in doc["spec"]["source"].items()}


CHILD_VALUES = {"/spec/source/repoURL": REPO, "/spec/source/targetRevision": REVISION}


def test_without_patches_one_is_added_for_the_children() -> None:
    original = root()
    result = argocd_objects.with_source(original, REPO, REVISION)
    source = result["spec"]["source"]
    assert (source["repoURL"], source["targetRevision"], source["path"]) == (REPO, REVISION, "gitops/argocd/apps")
    (patch,) = source["kustomize"]["patches"]
    assert patch["target"] == {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application"}
    assert values_of(patch) == CHILD_VALUES
    assert original == root()  # not mutated


def test_an_existing_json6902_patch_is_rewritten_in_place() -> None:
    ops = [
        {"op": "replace", "path": "/spec/source/repoURL", "value": PLACEHOLDER},
        {"op": "replace", "path": "/spec/source/targetRevision", "value": "HEAD"},
    ]
    committed = {"target": {"kind": "Application"}, "patch": yaml.safe_dump(ops)}
    (patch,) = argocd_objects.with_source(root([committed]), REPO, REVISION)["spec"]["source"]["kustomize"]["patches"]
    assert patch["target"] == {"kind": "Application"}
    assert values_of(patch) == CHILD_VALUES
    assert [op["op"] for op in yaml.safe_load(patch["patch"])] == ["replace", "replace"]


def test_a_strategic_merge_patch_is_rewritten_and_others_are_kept() -> None:
    smp = {
        "target": {"kind": "Application"},
        "patch": yaml.safe_dump(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {"name": "any"},
                "spec": {"source": {"repoURL": PLACEHOLDER}},
            }
        ),
    }
    other = {"target": {"kind": "Application"}, "patch": "- {op: add, path: /metadata/labels/x, value: y}"}
    file_patch = {"path": "some-file.yaml"}
    patches = argocd_objects.with_source(root([other, smp, file_patch]), REPO, REVISION)["spec"]["source"]["kustomize"][
        "patches"
    ]
    assert patches[0] == other and patches[2] == file_patch
    assert values_of(patches[1]) == {"/spec/source/repoURL": REPO}
    assert values_of(patches[3]) == CHILD_VALUES  # the revision was not covered: ours comes last and wins


def test_the_project_allows_exactly_this_repository() -> None:
    project = {
        "kind": "AppProject",
        "metadata": {"name": "marketplace", "namespace": "argocd"},
        "spec": {"sourceRepos": [PLACEHOLDER, "*"], "destinations": [{"namespace": "default"}]},
    }
    result = argocd_objects.with_repository(project, REPO)
    assert result["spec"] == {"sourceRepos": [REPO], "destinations": [{"namespace": "default"}]}
    assert project["spec"]["sourceRepos"] == [PLACEHOLDER, "*"]


# --- the committed files ----------------------------------------------------------------------------------

committed = pytest.mark.skipif(
    not all(path.is_file() for path in (config.ROOT_PROJECT_FILE, config.ROOT_APP_FILE)),
    reason="gitops/argocd is not there yet",
)


@committed
def test_the_committed_files_have_the_names_the_bootstrap_applies_and_waits_for() -> None:
    root_project, root_app = argocd_objects.load(config.ROOT_PROJECT_FILE), argocd_objects.load(config.ROOT_APP_FILE)
    argocd_app = argocd_objects.load(config.REPO_ROOT / "gitops" / "argocd" / "argocd-app.yaml")
    for obj, kind, name in (
        (root_project, "AppProject", "marketplace-root"),
        (root_app, "Application", "marketplace-root"),
        (argocd_app, "Application", "argocd"),
    ):
        assert (obj["kind"], obj["metadata"]["name"], obj["metadata"]["namespace"]) == (kind, name, "argocd")
    assert (config.ROOT_PROJECT_NAME, config.ROOT_APP_NAME, config.ARGOCD_APP_NAME) == (
        "marketplace-root",
        "marketplace-root",
        "argocd",
    )
    assert root_app["spec"]["project"] == config.ROOT_PROJECT_NAME
    assert config.expected_applications() == ["marketplace-root", "argocd", *registry.NAMES]


@committed
def test_no_placeholder_survives_in_what_is_applied() -> None:
    root_project, root_app = argocd_objects.load(config.ROOT_PROJECT_FILE), argocd_objects.load(config.ROOT_APP_FILE)
    placeholder = root_app["spec"]["source"]["repoURL"]
    applied = yaml.safe_dump(
        [
            argocd_objects.with_repository(root_project, REPO),
            argocd_objects.with_source(root_app, REPO, REVISION, config.cluster_path("minikube")),
        ]
    )
    assert placeholder in yaml.safe_dump(root_project)
    assert placeholder not in applied
    assert yaml.safe_dump(root_app) != applied  # and the committed object itself is untouched


def synced_with_root_patches(tmp_path: Path, env: str) -> str:
    """What Argo CD's repo-server renders for the root Application: gitops/clusters/<env> with the root's
    spec.source.kustomize.patches added to its kustomization, done with the pinned kustomize in a copy."""
    kubectl = find_kubectl({"PATH": ""}, sys.executable) or shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl (run `make venv`)")
    root_app = argocd_objects.load(config.ROOT_APP_FILE)
    root_app = argocd_objects.with_source(root_app, REPO, REVISION, config.cluster_path(env))
    checkout = tmp_path / "checkout"
    for folder in ("argocd", "clusters"):  # what the cluster folder includes
        shutil.copytree(config.GITOPS_DIR / folder, checkout / "gitops" / folder)
    kustomization = checkout / root_app["spec"]["source"]["path"] / "kustomization.yaml"
    doc = yaml.safe_load(kustomization.read_text())
    doc["patches"] = [*(doc.get("patches") or []), *copy.deepcopy(root_app["spec"]["source"]["kustomize"]["patches"])]
    kustomization.write_text(yaml.safe_dump(doc))
    done = subprocess.run([kubectl, "kustomize", str(kustomization.parent)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


@committed
@pytest.mark.parametrize("env", sorted(path.parent.name for path in config.CLUSTERS_DIR.glob("*/kustomization.yaml")))
def test_everything_the_root_syncs_reads_the_real_repository(tmp_path: Path, env: str) -> None:
    text = synced_with_root_patches(tmp_path, env)
    placeholder = argocd_objects.load(config.ROOT_APP_FILE)["spec"]["source"]["repoURL"]
    objects = [doc for doc in yaml.safe_load_all(text) if doc]

    assert placeholder not in text  # no object was missed by the patches
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)
    assert sorted(by_kind) == ["AppProject", "Application", "ApplicationSet"]
    for app in by_kind["Application"]:
        assert (app["spec"]["source"]["repoURL"], app["spec"]["source"]["targetRevision"]) == (REPO, REVISION)
    for appset in by_kind["ApplicationSet"]:
        git = appset["spec"]["generators"][0]["git"]
        source = appset["spec"]["template"]["spec"]["source"]
        assert (git["repoURL"], git["revision"], source["repoURL"], source["targetRevision"]) == (
            REPO,
            REVISION,
            REPO,
            REVISION,
        )
    assert [project["spec"]["sourceRepos"] for project in by_kind["AppProject"]] == [[REPO]] * 3
