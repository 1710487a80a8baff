"""The Argo CD objects: the two projects, the root Application and one Application per service."""

from __future__ import annotations

import pytest

from tests.policy.appproject import glob_match, may_deploy_to, may_manage
from tests.policy.argocd_rules import applications, projects
from tests.policy.breaches import Breach, Change
from tests.support.manifests import Obj, find

IN_CLUSTER = "https://kubernetes.default.svc"


def test_applications_are_the_root_and_one_per_service(argocd_docs: list[Obj]) -> None:
    assert applications(argocd_docs) == []


def test_projects_admit_this_repository_and_only_what_each_deploys(argocd_docs: list[Obj], minikube: list[Obj]) -> None:
    assert projects(argocd_docs, minikube) == []


def test_the_service_project_cannot_reach_argocd_nor_create_argocd_objects(argocd_docs: list[Obj]) -> None:
    """The claim of design.md "least privilege", asked the way Argo CD asks it."""
    services, root = find(argocd_docs, "AppProject", "marketplace"), find(argocd_docs, "AppProject", "marketplace-root")
    assert not may_deploy_to(services, IN_CLUSTER, "in-cluster", "argocd")
    assert may_deploy_to(services, IN_CLUSTER, "in-cluster", "default")
    for kind in ("Application", "AppProject", "ApplicationSet"):
        assert not may_manage(services, "argoproj.io", kind), kind
    assert may_deploy_to(root, IN_CLUSTER, "in-cluster", "argocd")
    assert not may_deploy_to(root, IN_CLUSTER, "in-cluster", "default")
    assert may_manage(root, "argoproj.io", "Application") and not may_manage(root, "apps", "Deployment")
    own = {"marketplace-root": "marketplace-root", "argocd": "argocd"}
    for app in (doc for doc in argocd_docs if doc["kind"] == "Application"):
        expected = own.get(app["metadata"]["name"], "marketplace")
        assert app["spec"]["project"] == expected, app["metadata"]["name"]


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("*", "argocd", True),
        ("default", "argocd", False),
        ("arg*", "argocd", True),
        ("?rgocd", "argocd", True),
        ("{default,argocd}", "argocd", True),
        ("[a-c]rgocd", "argocd", True),
        ("[!a]rgocd", "argocd", False),
        ("!kube-system", "argocd", True),
        ("!argocd", "argocd", False),
        ("!def*", "default", False),
        ("", "argocd", False),
        ("a.c", "abc", False),
        ("\\*", "*", True),
    ],
)
def test_glob_match_follows_argo_cds_globs(pattern: str, value: str, matches: bool) -> None:
    assert glob_match(pattern, value) is matches


def test_a_deny_pattern_destination_refuses_as_argo_cd_does() -> None:
    project = {
        "spec": {"destinations": [{"server": "*", "namespace": "*"}, {"server": IN_CLUSTER, "namespace": "!argocd"}]}
    }
    assert may_deploy_to(project, IN_CLUSTER, "in-cluster", "default")
    assert not may_deploy_to(project, IN_CLUSTER, "in-cluster", "argocd")


def test_an_absent_whitelist_admits_every_kind_and_an_empty_one_none() -> None:
    assert may_manage({"spec": {}}, "argoproj.io", "Application")
    assert not may_manage({"spec": {"namespaceResourceWhitelist": []}}, "apps", "Deployment")
    assert not may_manage({"spec": {"clusterResourceWhitelist": None}}, "", "Namespace", namespaced=False)
    denied = {
        "spec": {
            "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}],
            "namespaceResourceBlacklist": [{"group": "argoproj.io", "kind": "*"}],
        }
    }
    assert may_manage(denied, "apps", "Deployment") and not may_manage(denied, "argoproj.io", "AppProject")


@pytest.mark.parametrize(
    "breach",
    [
        Breach(
            "applications", "Application/users", "no self-heal", ("spec", "syncPolicy", "automated", "selfHeal"), False
        ),
        Breach("applications", "Application/posts", "another path", ("spec", "source", "path"), "gitops/posts"),
        Breach(
            "applications",
            "Application/marketplace-root",
            "children keep the placeholder",
            ("spec", "source", "kustomize"),
        ),
        Breach("applications", "Application/offers", "no finalizer", ("metadata", "finalizers")),
        Breach(
            "applications",
            "Application/users",
            "a service in the root's project",
            ("spec", "project"),
            "marketplace-root",
        ),
        Breach(
            "applications",
            "Application/marketplace-root",
            "the root in the services' project",
            ("spec", "project"),
            "marketplace",
        ),
    ],
    ids=lambda breach: breach.what,
)
def test_applications_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj]) -> None:
    found = applications(breach.applied_to(argocd_docs))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found


def _whitelist(project: str, change: str, group: str = "", kind: str = "") -> Change:
    """Add group/kind to the project's namespaceResourceWhitelist, remove `kind` from it, or drop the list."""

    def edit(docs: list[Obj]) -> None:
        spec = find(docs, "AppProject", project)["spec"]
        if change == "drop":
            del spec["namespaceResourceWhitelist"]
        elif change == "add":
            spec["namespaceResourceWhitelist"].append({"group": group, "kind": kind})
        else:
            spec["namespaceResourceWhitelist"][:] = [i for i in spec["namespaceResourceWhitelist"] if i["kind"] != kind]

    return edit


def _destination(project: str, namespace: str, server: str = IN_CLUSTER) -> Change:
    def add(docs: list[Obj]) -> None:
        find(docs, "AppProject", project)["spec"]["destinations"].append({"server": server, "namespace": namespace})

    return add


ROOT_PROJECT, SERVICES_PROJECT = "AppProject/marketplace-root", "AppProject/marketplace"


@pytest.mark.parametrize(
    "breach",
    [
        Breach(
            "projects",
            ROOT_PROJECT,
            "root project missing",
            custom=lambda docs: docs.remove(find(docs, "AppProject", "marketplace-root")),
        ),
        Breach("projects", ROOT_PROJECT, "root: any repository", ("spec", "sourceRepos"), ["*"]),
        Breach("projects", ROOT_PROJECT, "root: any namespace", ("spec", "destinations", 0, "namespace"), "*"),
        Breach("projects", ROOT_PROJECT, "root: also default", custom=_destination("marketplace-root", "default")),
        Breach("projects", ROOT_PROJECT, "root: every kind", custom=_whitelist("marketplace-root", "drop")),
        Breach(
            "projects", ROOT_PROJECT, "root: Secrets too", custom=_whitelist("marketplace-root", "add", "", "Secret")
        ),
        Breach(
            "projects",
            ROOT_PROJECT,
            "root: Deployments too",
            custom=_whitelist("marketplace-root", "add", "apps", "Deployment"),
        ),
        Breach(
            "projects",
            ROOT_PROJECT,
            "root: cluster-scoped kinds",
            ("spec", "clusterResourceWhitelist"),
            [{"group": "*", "kind": "*"}],
        ),
        Breach("projects", SERVICES_PROJECT, "services: any repository", ("spec", "sourceRepos"), ["*"]),
        Breach("projects", SERVICES_PROJECT, "services: any namespace", ("spec", "destinations", 0, "namespace"), "*"),
        Breach("projects", SERVICES_PROJECT, "services: argocd by name", custom=_destination("marketplace", "argocd")),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: argocd by a pattern",
            custom=_destination("marketplace", "{default,argo*}"),
        ),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: all but kube-system",
            custom=_destination("marketplace", "!kube-system"),
        ),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: another cluster",
            custom=_destination("marketplace", "default", "https://other-cluster.example.com:6443"),
        ),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: Applications",
            custom=_whitelist("marketplace", "add", "argoproj.io", "Application"),
        ),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: every Argo CD kind",
            custom=_whitelist("marketplace", "add", "argoproj.io", "*"),
        ),
        Breach("projects", SERVICES_PROJECT, "services: every kind", custom=_whitelist("marketplace", "drop")),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: HPAs not admitted",
            custom=_whitelist("marketplace", "remove", kind="HorizontalPodAutoscaler"),
        ),
        Breach(
            "projects",
            SERVICES_PROJECT,
            "services: PDBs not admitted",
            custom=_whitelist("marketplace", "remove", kind="PodDisruptionBudget"),
        ),
    ],
    ids=lambda breach: breach.what,
)
def test_projects_rule_reports_its_breach(breach: Breach, argocd_docs: list[Obj], minikube: list[Obj]) -> None:
    found = projects(breach.applied_to(argocd_docs), minikube)
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found
