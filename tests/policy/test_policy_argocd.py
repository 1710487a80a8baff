"""The Argo CD objects: the project, the root Application and one Application per service."""

from __future__ import annotations

import pytest

from tests.policy.argocd_rules import applications, project
from tests.policy.breaches import Breach, Change
from tests.policy.manifests import Obj, find


def test_applications_are_the_root_and_one_per_service(argocd_docs: list[Obj]) -> None:
    assert applications(argocd_docs) == []


def test_project_admits_this_repository_and_what_is_deployed(argocd_docs: list[Obj], minikube: list[Obj]) -> None:
    assert project(argocd_docs, minikube) == []


@pytest.mark.parametrize(
    "breach",
    [
        Breach("applications", "Application/users", "no self-heal",
               ("spec", "syncPolicy", "automated", "selfHeal"), False),
        Breach("applications", "Application/posts", "another path", ("spec", "source", "path"), "gitops/posts"),
        Breach("applications", "Application/marketplace-root", "children keep the placeholder",
               ("spec", "source", "kustomize")),
        Breach("applications", "Application/offers", "no finalizer", ("metadata", "finalizers")),
    ],
    ids=lambda breach: breach.what,
)
def test_applications_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj]) -> None:
    found = applications(breach.applied_to(argocd_docs))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found


def _without_kind(kind: str) -> Change:
    def remove(docs: list[Obj]) -> None:
        spec = find(docs, "AppProject", "marketplace")["spec"]
        kinds = spec["namespaceResourceWhitelist"]
        kinds[:] = [item for item in kinds if item["kind"] != kind]

    return remove


@pytest.mark.parametrize(
    "breach",
    [
        Breach("project", "AppProject/marketplace", "any repository", ("spec", "sourceRepos"), ["*"]),
        Breach("project", "AppProject/marketplace", "any namespace", ("spec", "destinations", 0, "namespace"), "*"),
        Breach("project", "AppProject/marketplace", "HPAs not admitted",
               custom=_without_kind("HorizontalPodAutoscaler")),
    ],
    ids=lambda breach: breach.what,
)
def test_project_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj], minikube: list[Obj]) -> None:
    found = project(breach.applied_to(argocd_docs), minikube)
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found
