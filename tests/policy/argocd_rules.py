"""The policy rules for the Argo CD objects (build/manifests/argocd.yaml): same shape as rules.py, a
violation starts with the `Kind/name` of the object at fault."""

from __future__ import annotations

from pathlib import Path

from tests.policy import contract
from tests.policy.manifests import Obj, of_kind, ref

ROOT = Path(__file__).resolve().parents[2]
FINALIZER = "resources-finalizer.argocd.argoproj.io"
APPS_PATH = "gitops/argocd/apps"


def env_path(service: str) -> str:
    return f"gitops/envs/minikube/{service}"


def _application(app: Obj, path: str, namespace: str) -> list[str]:
    """What every Application of the marketplace must say: where it reads, where it writes, how it syncs."""
    spec, found = app["spec"], []
    source, destination = spec.get("source") or {}, spec.get("destination") or {}
    automated = (spec.get("syncPolicy") or {}).get("automated") or {}
    checks = {
        f"lives in namespace {contract.ARGOCD_NAMESPACE}": app["metadata"].get("namespace")
        == contract.ARGOCD_NAMESPACE,
        f"belongs to project {contract.PROJECT}": spec.get("project") == contract.PROJECT,
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
    wanted = {contract.ROOT_APP: (APPS_PATH, contract.ARGOCD_NAMESPACE)}
    wanted.update({service: (env_path(service), contract.NAMESPACE) for service in contract.SERVICES})
    for name, (path, namespace) in wanted.items():
        if name not in by_name:
            found.append(f"Application/{name}: missing")
        else:
            found += _application(by_name[name], path, namespace)
    found += [f"{ref(by_name[name])}: not one of the marketplace's" for name in by_name.keys() - wanted.keys()]
    root = by_name.get(contract.ROOT_APP)
    if root is not None:
        patched = str((root["spec"].get("source") or {}).get("kustomize", {}).get("patches"))
        if not all(path in patched for path in ("/spec/source/repoURL", "/spec/source/targetRevision")):
            found.append(f"{ref(root)}: must hand repoURL and targetRevision on to its children (kustomize.patches)")
    return found


def project(docs: list[Obj], deployed: list[Obj]) -> list[str]:
    """The AppProject admits this repository, the namespaces and the kinds that are deployed, nothing more."""
    projects = [p for p in of_kind(docs, "AppProject") if p["metadata"]["name"] == contract.PROJECT]
    if not projects:
        return [f"AppProject/{contract.PROJECT}: missing"]
    (project,) = projects
    spec, found = project["spec"], []
    if spec.get("sourceRepos") != [contract.REPO_URL]:
        found.append(f"{ref(project)}: sourceRepos must be exactly [{contract.REPO_URL}]")
    allowed = {(contract.IN_CLUSTER, contract.NAMESPACE), (contract.IN_CLUSTER, contract.ARGOCD_NAMESPACE)}
    for destination in spec.get("destinations") or []:
        if (destination.get("server"), destination.get("namespace")) not in allowed:
            found.append(f"{ref(project)}: destination {destination} is neither default nor argocd in-cluster")
    if spec.get("clusterResourceWhitelist"):
        found.append(f"{ref(project)}: admits cluster-scoped resources; nothing deployed is cluster-scoped")
    whitelist = {(item.get("group"), item.get("kind")) for item in spec.get("namespaceResourceWhitelist") or []}
    if any("*" in (group, kind) for group, kind in whitelist):
        found.append(f"{ref(project)}: namespaceResourceWhitelist must name kinds, not `*`")
    needed = {(doc["apiVersion"].rpartition("/")[0], doc["kind"]) for doc in deployed + of_kind(docs, "Application")}
    found += [
        f"{ref(project)}: does not admit {kind} ({group or 'core'}), which is deployed"
        for group, kind in sorted(needed - whitelist)
    ]
    return found
