"""Schema validation: built-in objects with `kubernetes-validate --strict`, Argo CD objects with the CRD
schemas of Argo CD v3.5.1. Each check is also shown to fail on an unknown field, naming the object."""

from __future__ import annotations

import pytest

from tests.policy.breaches import Breach
from tests.policy.schemas import VERSIONS, Validators, argocd_validators, argocd_violations, kubernetes_violations
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj


@pytest.fixture(scope="session")
def validators() -> Validators:
    return argocd_validators()


@pytest.mark.parametrize("variant", VARIANTS)
def test_builtin_objects_pass_kubernetes_validate_strict(variant: str, variant_docs: dict[str, list[Obj]]) -> None:
    docs = variant_docs[variant]
    assert all(not doc["apiVersion"].startswith("argoproj.io/") for doc in docs)
    assert kubernetes_violations(docs, VERSIONS) == []


def test_argocd_objects_pass_the_crd_schemas(argocd_docs: list[Obj], validators: Validators) -> None:
    assert {doc["kind"] for doc in argocd_docs} == {"AppProject", "Application", "ApplicationSet"}
    assert argocd_violations(argocd_docs, validators) == []


def test_kubernetes_validate_reports_an_unknown_field(minikube: list[Obj]) -> None:
    breach = Breach("kubernetes-schema", "Deployment/users", "misspelt field", ("spec", "replica"), 2)
    found = kubernetes_violations(breach.applied_to(minikube), VERSIONS)
    assert any(violation.startswith("Deployment/users: spec: ") for violation in found), found


@pytest.mark.parametrize(
    "breach",
    [
        Breach(
            "argocd-schema",
            "Application/users",
            "misspelt selfHeal",
            ("spec", "syncPolicy", "automated", "selfheal"),
            True,
        ),
        Breach(
            "argocd-schema", "AppProject/marketplace", "unknown metadata field", ("metadata", "annotation"), {"a": "b"}
        ),
    ],
    ids=lambda breach: breach.what,
)
def test_crd_validation_reports_an_unknown_field(
    breach: Breach, argocd_docs: list[Obj], validators: Validators
) -> None:
    found = argocd_violations(breach.applied_to(argocd_docs), validators)
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found
