"""Deleting a service's Application leaves its database behind (Prune=false,Delete=false): what it leaves must
keep that database closed. network-config-analyzer computes the connectivity of exactly what Argo CD keeps —
the objects with Delete=false — beside a stranger pod in the same namespace and the fixtures' pods elsewhere."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.policy.connectivity import database, nca
from tests.policy.contract import NAMESPACE, SERVICES
from tests.policy.rules import SYNC_OPTIONS, kept_by_argocd
from tests.support.manifests import Obj, annotations, find

# Any other pod of the namespace, carrying none of the marketplace's labels.
STRANGER = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "stranger", "namespace": NAMESPACE, "labels": {"app": "stranger"}},
    "spec": {"containers": [{"name": "stranger", "image": "registry.k8s.io/e2e-test-images/agnhost:2.53"}]},
}
DATABASES = {database(service) for service in SERVICES}


def left_after_deletion(docs: list[Obj]) -> list[Obj]:
    """What stays in the cluster once Argo CD has deleted the Applications (the resources finalizer)."""
    return [doc for doc in docs if kept_by_argocd(doc)]


def open_database_pairs(docs: list[Obj], scratch: Path) -> list[str]:
    """Every connection to or from a database that the objects left after deletion allow."""
    allowed = nca([*left_after_deletion(docs), copy.deepcopy(STRANGER)], scratch)
    return sorted(f"{src} => {dst}" for src, dst in allowed if DATABASES & {src, dst})


def test_deletion_keeps_each_database_its_backups_and_the_policies_that_select_it(minikube: list[Obj]) -> None:
    kept = {f"{doc['kind']}/{doc['metadata']['name']}" for doc in left_after_deletion(minikube)}
    assert kept == {
        name
        for service in SERVICES
        for name in (
            f"StatefulSet/{service}-db",
            f"PersistentVolumeClaim/{service}-db-backups",  # the dumps outlive it like the data
            f"NetworkPolicy/{service}-network-default-deny",
            f"NetworkPolicy/{service}-network-database",
        )
    }


def test_an_orphaned_database_is_closed(minikube: list[Obj], tmp_path: Path) -> None:
    assert open_database_pairs(minikube, tmp_path) == []


def _unprotected(docs: list[Obj], policy: str) -> list[Obj]:
    broken = copy.deepcopy(docs)
    del annotations(find(broken, "NetworkPolicy", policy))[SYNC_OPTIONS]
    return broken


@pytest.mark.parametrize(
    ("policy", "opened"),
    [
        # Without the deny-all only the ingress policy stays: the database may send anything.
        ("users-network-default-deny", "default/users-db => internet"),
        # Without both, nothing selects the database: the stranger reaches it.
        ("routes-network-default-deny+routes-network-database", "default/stranger => default/routes-db"),
    ],
)
def test_a_policy_deleted_with_its_application_opens_its_database(
    minikube: list[Obj], tmp_path: Path, policy: str, opened: str
) -> None:
    broken = minikube
    for name in policy.split("+"):
        broken = _unprotected(broken, name)
    assert opened in open_database_pairs(broken, tmp_path)


def test_the_deny_all_alone_keeps_a_database_closed(minikube: list[Obj], tmp_path: Path) -> None:
    """What network-policies.yaml says: the ingress policy is kept for the app's return, not for the closing."""
    without_ingress_policies = minikube
    for service in SERVICES:
        without_ingress_policies = _unprotected(without_ingress_policies, f"{service}-network-database")
    assert open_database_pairs(without_ingress_policies, tmp_path) == []
