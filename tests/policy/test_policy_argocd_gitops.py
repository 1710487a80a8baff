"""Argo CD runs from Git: what the root Application syncs (gitops/clusters/<env>) is rendered, it includes the
AppProjects that bootstrap/ no longer applies, Argo CD's own Application is safe, and the ApplicationSet makes
one Application per service folder of each environment."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bootstrap import config, plan
from scripts.delivery import render
from tests.policy import contract
from tests.policy.argocd_rules import applications
from tests.policy.breaches import Breach
from tests.policy.schemas import Validators, argocd_validators, argocd_violations
from tests.support.manifests import Obj, find, load

CLUSTERS = sorted(path.parent.name for path in (render.GITOPS / "clusters").glob("*/kustomization.yaml"))


def service_folders(gitops: Path, env: str) -> list[str]:
    return sorted(path.name for path in (gitops / "envs" / env).iterdir() if path.is_dir() and path.name != "settings")


def generated(gitops: Path, env: str, kubectl: Path) -> list[Obj]:
    cluster = load(render.kustomize(gitops / "clusters" / env, kubectl))
    return render.generated_applications(cluster, gitops.parent)


@pytest.mark.parametrize("env", CLUSTERS)
def test_the_generator_yields_one_application_per_service_folder(env: str, kubectl: Path) -> None:
    apps = generated(render.GITOPS, env, kubectl)
    assert [app["metadata"]["name"] for app in apps] == service_folders(render.GITOPS, env)
    assert "settings" not in [app["metadata"]["name"] for app in apps]
    assert [app["spec"]["source"]["path"] for app in apps] == [
        f"gitops/envs/{env}/{app}" for app in service_folders(render.GITOPS, env)
    ]


def test_adding_a_folder_adds_one_application(tmp_path: Path, kubectl: Path) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    before = generated(gitops, "minikube", kubectl)
    shutil.copytree(gitops / "envs" / "minikube" / "routes", gitops / "envs" / "minikube" / "parcels")
    after = generated(gitops, "minikube", kubectl)
    assert [app for app in after if app not in before] == [find(after, "Application", "parcels")]
    assert len(after) == len(before) + 1


@pytest.mark.parametrize("env", CLUSTERS)
def test_every_cluster_passes_the_argocd_rules_and_the_strict_crd_schemas(env: str, rendered: dict[str, str]) -> None:
    docs = load(rendered["argocd.yaml" if env == "minikube" else f"argocd-{env}.yaml"])
    validators: Validators = argocd_validators()
    assert argocd_violations(docs, validators) == []  # the ApplicationSet too
    if env == "minikube":
        assert applications(docs) == []


def test_editing_project_yaml_changes_what_the_root_application_syncs(tmp_path: Path, kubectl: Path) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(render.GITOPS, gitops)
    project = gitops / "argocd" / "project.yaml"
    project.write_text(
        project.read_text().replace(
            "kind: PodDisruptionBudget", 'kind: PodDisruptionBudget\n    - group: ""\n      kind: ConfigMap'
        )
    )
    before = find(load(render.kustomize(render.GITOPS / "clusters" / "minikube", kubectl)), "AppProject", "marketplace")
    after = find(load(render.kustomize(gitops / "clusters" / "minikube", kubectl)), "AppProject", "marketplace")
    assert {"group": "", "kind": "ConfigMap"} in after["spec"]["namespaceResourceWhitelist"]
    assert before != after


def test_bootstrap_applies_no_copy_of_the_projects_argocd_owns() -> None:
    steps = plan.apply_argocd_objects(
        {"kind": "AppProject"},
        {"kind": "Application"},
        config.resolve_settings({"REPO_URL": "https://example.com/r.git", "REVISION": "main"}, lambda _: None),
    )
    targets = [step.target for step in steps if not isinstance(step, plan.Note)]
    assert [t.split(" (")[0] for t in targets] == [
        f"AppProject argocd/{config.ROOT_PROJECT_NAME}",
        f"Application argocd/{config.ROOT_APP_NAME}",
    ]
    assert not hasattr(config, "PROJECT_FILE")  # nothing in bootstrap/ points at gitops/argocd/project.yaml
    for source in (config.REPO_ROOT / "bootstrap").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for owned in ('"project.yaml"', '"argocd-project.yaml"', '"argocd-app.yaml"', '"services.yaml"'):
            assert owned not in text, (source, owned)


@pytest.mark.parametrize(
    "breach",
    [
        Breach(
            "applications",
            "Application/argocd",
            "self-management prunes",
            ("spec", "syncPolicy", "automated", "prune"),
            True,
        ),
        Breach(
            "applications",
            "Application/argocd",
            "client-side apply",
            ("spec", "syncOptions"),
            None,
            custom=lambda docs: find(docs, "Application", "argocd")["spec"]["syncPolicy"].pop("syncOptions"),
        ),
        Breach(
            "applications",
            "Application/argocd",
            "a finalizer",
            ("metadata", "finalizers"),
            ["resources-finalizer.argocd.argoproj.io"],
        ),
        Breach("applications", "Application/argocd", "in the root's project", ("spec", "project"), "marketplace-root"),
    ],
    ids=lambda breach: breach.what,
)
def test_argocds_own_application_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj]) -> None:
    found = applications(breach.applied_to(argocd_docs))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found


def test_argocds_own_application_as_rendered(argocd_docs: list[Obj]) -> None:
    app = find(argocd_docs, "Application", "argocd")
    assert app["spec"]["syncPolicy"]["automated"] == {"enabled": True, "prune": False, "selfHeal": True}
    assert set(app["spec"]["syncPolicy"]["syncOptions"]) == {"ServerSideApply=true", "Replace=false"}
    assert "finalizers" not in app["metadata"]
    assert app["spec"]["destination"]["namespace"] == contract.ARGOCD_NAMESPACE
