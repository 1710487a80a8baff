"""The policy rules for the Argo CD objects (build/manifests/argocd.yaml): same shape as rules.py, a
violation starts with the `Kind/name` of the object at fault."""

from __future__ import annotations

from registry import ROOT
from tests.policy import contract
from tests.policy.appproject import may_deploy_to, may_manage
from tests.support.manifests import Obj, of_kind, ref

FINALIZER = "resources-finalizer.argocd.argoproj.io"
CLUSTER_PATH = "gitops/clusters/minikube"  # what the root Application syncs on Minikube
INSTALL_PATH = "gitops/argocd/install"  # what Argo CD's own Application syncs
ARGOCD_APP = ARGOCD_PROJECT = "argocd"
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
# The kinds of argoproj/argo-cd v3.5.1 manifests/install.yaml (`grep '^kind:' | sort -u` of the tag's file), and
# the Namespace that gitops/argocd/install adds: exactly what Argo CD's own project must admit.
INSTALL_NAMESPACED = {
    ("", "ConfigMap"),
    ("", "Secret"),
    ("", "Service"),
    ("", "ServiceAccount"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("networking.k8s.io", "NetworkPolicy"),
    (RBAC, "Role"),
    (RBAC, "RoleBinding"),
}
INSTALL_CLUSTER_SCOPED = set(CLUSTER_SCOPED)
# Argo CD's own Application: what keeps self-management from deleting Argo CD (gitops/argocd/argocd-app.yaml).
SELF_SYNC_OPTIONS = {"ServerSideApply=true", "Replace=false"}
# Where the root's patches must write the repository and revision, for each kind it syncs.
ROOT_PATCH_PATHS = (
    "/spec/source/repoURL",
    "/spec/source/targetRevision",
    "/spec/generators/0/git/repoURL",
    "/spec/generators/0/git/revision",
    "/spec/template/spec/source/repoURL",
    "/spec/template/spec/source/targetRevision",
    "/spec/sourceRepos",
)


def env_path(service: str) -> str:
    return f"gitops/envs/minikube/{service}"


def _application(app: Obj, path: str, namespace: str, project: str) -> list[str]:
    """What every Application of the marketplace must say: where it reads, where it writes, how it syncs.
    Argo CD's own is the exception that never prunes and has no finalizer (self_managed)."""
    spec, found = app["spec"], []
    source, destination = spec.get("source") or {}, spec.get("destination") or {}
    automated = (spec.get("syncPolicy") or {}).get("automated") or {}
    if app["metadata"]["name"] == ARGOCD_APP:
        return [f"{ref(app)}: must be so: {what}" for what, holds in _self_managed(app, path).items() if not holds]
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


def _self_managed(app: Obj, path: str) -> dict[str, bool]:
    spec = app["spec"]
    source, sync = spec.get("source") or {}, spec.get("syncPolicy") or {}
    automated = sync.get("automated") or {}
    return {
        f"lives in namespace {contract.ARGOCD_NAMESPACE}": app["metadata"].get("namespace")
        == contract.ARGOCD_NAMESPACE,
        f"belongs to project {ARGOCD_PROJECT}": spec.get("project") == ARGOCD_PROJECT,
        f"reads {contract.REPO_URL} path {path}": (source.get("repoURL"), source.get("path"))
        == (contract.REPO_URL, path),
        f"deploys to namespace {contract.ARGOCD_NAMESPACE}": spec.get("destination")
        == {"server": contract.IN_CLUSTER, "namespace": contract.ARGOCD_NAMESPACE},
        "syncs automatically with self-heal and never prunes Argo CD": automated.get("enabled", True) is True
        and automated.get("selfHeal") is True
        and automated.get("prune") is False,
        f"syncs with {', '.join(sorted(SELF_SYNC_OPTIONS))}": set(sync.get("syncOptions") or []) >= SELF_SYNC_OPTIONS,
        "has no finalizer (deleting it must not delete Argo CD)": not app["metadata"].get("finalizers"),
    }


def applications(docs: list[Obj]) -> list[str]:
    """The root Application, Argo CD's own and one Application per service, each well-formed."""
    found = []
    by_name = {app["metadata"]["name"]: app for app in of_kind(docs, "Application")}
    wanted = {
        contract.ROOT_APP: (CLUSTER_PATH, contract.ARGOCD_NAMESPACE, ROOT_PROJECT),
        ARGOCD_APP: (INSTALL_PATH, contract.ARGOCD_NAMESPACE, ARGOCD_PROJECT),
    }
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
        if not all(path in patched for path in ROOT_PATCH_PATHS):
            found.append(f"{ref(root)}: must hand repoURL and targetRevision on to what it syncs (kustomize.patches)")
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


def _install_kinds(project: Obj) -> list[str]:
    """Argo CD's own project admits exactly the kinds of its release manifest, and only in argocd."""
    spec = project["spec"]
    listed = {(i.get("group"), i.get("kind")) for i in spec.get("namespaceResourceWhitelist") or []}
    cluster = {(i.get("group"), i.get("kind")) for i in spec.get("clusterResourceWhitelist") or []}
    found = _reach(project, contract.ARGOCD_NAMESPACE)
    if spec.get("namespaceResourceWhitelist") is None or listed != INSTALL_NAMESPACED:
        found.append(f"{ref(project)}: namespaceResourceWhitelist must be exactly the install's namespaced kinds")
    if cluster != INSTALL_CLUSTER_SCOPED:
        found.append(f"{ref(project)}: clusterResourceWhitelist must be exactly the install's cluster-scoped kinds")
    return found


def projects(docs: list[Obj], deployed: list[Obj]) -> list[str]:
    """The three AppProjects: each admits this repository only; the root's creates Argo CD objects in argocd
    and nothing else; Argo CD's own admits its install's kinds; the services' deploys the kinds `deployed` has
    (and PodDisruptionBudgets) to default only, and no Argo CD object at all."""
    by_name = {project["metadata"]["name"]: project for project in of_kind(docs, "AppProject")}
    names = (ROOT_PROJECT, ARGOCD_PROJECT, contract.PROJECT)
    found = [f"AppProject/{name}: missing" for name in names if name not in by_name]
    found += [f"{ref(by_name[name])}: not one of the marketplace's" for name in sorted(by_name.keys() - set(names))]
    for project in by_name.values():
        if project["spec"].get("sourceRepos") != [contract.REPO_URL]:
            found.append(f"{ref(project)}: sourceRepos must be exactly [{contract.REPO_URL}]")
    if ROOT_PROJECT in by_name:
        root = by_name[ROOT_PROJECT]
        found += _reach(root, contract.ARGOCD_NAMESPACE)
        service_kinds = tuple(sorted({_group_kind(doc) for doc in deployed}))
        found += _kinds(root, set(ARGOCD_KINDS), (*NEVER, *service_kinds))
    if ARGOCD_PROJECT in by_name:
        found += _install_kinds(by_name[ARGOCD_PROJECT])
    if contract.PROJECT in by_name:
        services = by_name[contract.PROJECT]
        found += _reach(services, contract.NAMESPACE)
        found += _kinds(services, {_group_kind(doc) for doc in deployed} | {PDB}, (*ARGOCD_KINDS, *NEVER))
    return found


def _group_kind(doc: Obj) -> tuple[str, str]:
    return doc["apiVersion"].rpartition("/")[0], doc["kind"]
