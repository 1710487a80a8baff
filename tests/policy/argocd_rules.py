"""The policy rules for the Argo CD objects (build/manifests/argocd.yaml): same shape as rules.py, a
violation starts with the `Kind/name` of the object at fault."""

from __future__ import annotations

from registry import ROOT
from tests.policy import contract
from tests.policy.appproject import may_deploy_to, may_manage
from tests.support.manifests import Obj, of_kind, ref

FINALIZER = "resources-finalizer.argocd.argoproj.io"
APPS_PATH = "gitops/argocd/apps"
# design.md "Argo CD", least privilege: the root Application's project may create Applications in argocd only;
# the services' project may deploy to default only and create no Argo CD object.
ROOT_PROJECT = "marketplace-root"
IN_CLUSTER_NAME = "in-cluster"  # the name Argo CD gives the in-cluster destination
APPLICATION = ("argoproj.io", "Application")
ARGOCD_KINDS = (APPLICATION, ("argoproj.io", "AppProject"), ("argoproj.io", "ApplicationSet"))
PDB = ("policy", "PodDisruptionBudget")  # one per app (design.md "Cluster"), admitted ahead of its manifests
# Namespaces and kinds a project is asked about: its own must be permitted, every other one refused.
PROBE_NAMESPACES = ("default", "argocd", "kube-system", "kube-public", "any-other")
OTHER_CLUSTER = ("https://other-cluster.example.com:6443", "other")
RBAC = "rbac.authorization.k8s.io"
# Kinds neither project deploys: what grants rights or holds credentials.
NEVER = (("", "Secret"), (RBAC, "Role"), (RBAC, "RoleBinding"))
CLUSTER_SCOPED = (
    ("", "Namespace"),
    (RBAC, "ClusterRole"),
    (RBAC, "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
)


def env_path(service: str) -> str:
    return f"gitops/envs/minikube/{service}"


def _application(app: Obj, path: str, namespace: str, project: str) -> list[str]:
    """What every Application of the marketplace must say: where it reads, where it writes, how it syncs."""
    spec, found = app["spec"], []
    source, destination = spec.get("source") or {}, spec.get("destination") or {}
    automated = (spec.get("syncPolicy") or {}).get("automated") or {}
    checks = {
        f"lives in namespace {contract.ARGOCD_NAMESPACE}": app["metadata"].get("namespace")
        == contract.ARGOCD_NAMESPACE,
        f"belongs to project {project}": spec.get("project") == project,
        f"reads {contract.REPO_URL}": source.get("repoURL") == contract.REPO_URL,
        f"reads path {path}, which exists": source.get("path") == path and (ROOT / path).is_dir(),
        f"deploys to namespace {namespace} of {contract.IN_CLUSTER}": destination
        == {"server": contract.IN_CLUSTER, "namespace": namespace},
        "syncs automatically, with prune and self-heal": automated.get("enabled", True) is True
        and automated.get("prune") is True
        and automated.get("selfHeal") is True,
        f"has the finalizer {FINALIZER}": FINALIZER in (app["metadata"].get("finalizers") or []),
    }
    found += [f"{ref(app)}: must be so: {what}" for what, holds in checks.items() if not holds]
    return found


def applications(docs: list[Obj]) -> list[str]:
    """The root Application and one Application per service, each well-formed."""
    found = []
    by_name = {app["metadata"]["name"]: app for app in of_kind(docs, "Application")}
    wanted = {contract.ROOT_APP: (APPS_PATH, contract.ARGOCD_NAMESPACE, ROOT_PROJECT)}
    wanted.update({service: (env_path(service), contract.NAMESPACE, contract.PROJECT) for service in contract.SERVICES})
    for name, (path, namespace, project) in wanted.items():
        if name not in by_name:
            found.append(f"Application/{name}: missing")
        else:
            found += _application(by_name[name], path, namespace, project)
    found += [f"{ref(by_name[name])}: not one of the marketplace's" for name in by_name.keys() - wanted.keys()]
    root = by_name.get(contract.ROOT_APP)
    if root is not None:
        patched = str((root["spec"].get("source") or {}).get("kustomize", {}).get("patches"))
        if not all(path in patched for path in ("/spec/source/repoURL", "/spec/source/targetRevision")):
            found.append(f"{ref(root)}: must hand repoURL and targetRevision on to its children (kustomize.patches)")
    return found


def _reach(project: Obj, namespace: str) -> list[str]:
    """The project deploys to `namespace` of the in-cluster server, and to no other namespace or cluster."""
    found = []
    for probe in PROBE_NAMESPACES:
        permitted = may_deploy_to(project, contract.IN_CLUSTER, IN_CLUSTER_NAME, probe)
        if permitted != (probe == namespace):
            found.append(
                f"{ref(project)}: {'may' if permitted else 'may not'} deploy to namespace {probe} in-cluster"
                f" (its Applications deploy to {namespace} only)"
            )
    if may_deploy_to(project, *OTHER_CLUSTER, namespace):
        found.append(f"{ref(project)}: may deploy to another cluster")
    return found


def _kinds(project: Obj, needed: set[tuple[str, str]], refused: tuple[tuple[str, str], ...]) -> list[str]:
    spec, found = project["spec"], []
    if spec.get("namespaceResourceWhitelist") is None:
        found.append(f"{ref(project)}: has no namespaceResourceWhitelist, which admits every namespaced kind")
    whitelist = {(item.get("group"), item.get("kind")) for item in spec.get("namespaceResourceWhitelist") or []}
    if any("*" in (group or "") + (kind or "") for group, kind in whitelist):
        found.append(f"{ref(project)}: namespaceResourceWhitelist must name kinds, not patterns")
    found += [
        f"{ref(project)}: does not admit {kind} ({group or 'core'}), which it deploys"
        for group, kind in sorted(needed)
        if not may_manage(project, group, kind)
    ]
    found += [
        f"{ref(project)}: admits {kind} ({group or 'core'})"
        for group, kind in refused
        if may_manage(project, group, kind)
    ]
    found += [
        f"{ref(project)}: admits the cluster-scoped {kind}"
        for group, kind in CLUSTER_SCOPED
        if may_manage(project, group, kind, namespaced=False)
    ]
    if spec.get("clusterResourceWhitelist"):
        found.append(f"{ref(project)}: admits cluster-scoped resources; nothing it deploys is cluster-scoped")
    return found


def projects(docs: list[Obj], deployed: list[Obj]) -> list[str]:
    """The two AppProjects: each admits this repository only; the root's creates Applications in argocd and
    nothing else; the services' deploys the kinds `deployed` has (and PodDisruptionBudgets) to default only,
    and no Argo CD object at all."""
    by_name = {project["metadata"]["name"]: project for project in of_kind(docs, "AppProject")}
    found = [f"AppProject/{name}: missing" for name in (ROOT_PROJECT, contract.PROJECT) if name not in by_name]
    found += [
        f"{ref(by_name[name])}: not one of the marketplace's"
        for name in sorted(by_name.keys() - {ROOT_PROJECT, contract.PROJECT})
    ]
    for project in by_name.values():
        if project["spec"].get("sourceRepos") != [contract.REPO_URL]:
            found.append(f"{ref(project)}: sourceRepos must be exactly [{contract.REPO_URL}]")
    if ROOT_PROJECT in by_name:
        root = by_name[ROOT_PROJECT]
        found += _reach(root, contract.ARGOCD_NAMESPACE)
        service_kinds = tuple(sorted({_group_kind(doc) for doc in deployed}))
        found += _kinds(root, {APPLICATION}, (*ARGOCD_KINDS[1:], *NEVER, *service_kinds))
    if contract.PROJECT in by_name:
        services = by_name[contract.PROJECT]
        found += _reach(services, contract.NAMESPACE)
        found += _kinds(services, {_group_kind(doc) for doc in deployed} | {PDB}, (*ARGOCD_KINDS, *NEVER))
    return found


def _group_kind(doc: Obj) -> tuple[str, str]:
    return doc["apiVersion"].rpartition("/")[0], doc["kind"]
