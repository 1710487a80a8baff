"""bootstrap/argocd rendered as `kubectl apply -k` renders it, but offline: the release manifest it fetches from
GitHub is replaced by a local stand-in with the shape of the release's objects that the kustomization touches."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bootstrap import config
from bootstrap.prereqs import find_kubectl

KUSTOMIZATION = config.ARGOCD_KUSTOMIZATION / "kustomization.yaml"

# The release's objects that bootstrap/argocd changes, as manifests/install.yaml (v3.5.1) has them.
STUB = """
apiVersion: v1
kind: ConfigMap
metadata:
  labels: {app.kubernetes.io/name: argocd-cm, app.kubernetes.io/part-of: argocd}
  name: argocd-cm
---
apiVersion: v1
kind: ConfigMap
metadata:
  labels: {app.kubernetes.io/name: argocd-cmd-params-cm, app.kubernetes.io/part-of: argocd}
  name: argocd-cmd-params-cm
---
apiVersion: v1
kind: Service
metadata:
  labels: {app.kubernetes.io/component: server, app.kubernetes.io/name: argocd-server}
  name: argocd-server
spec:
  ports:
  - {name: tcp-argocdserver, port: 80, protocol: TCP, targetPort: 8080}
  - {name: tcp-argocdservertls, port: 443, protocol: TCP, targetPort: 8080}
  selector: {app.kubernetes.io/name: argocd-server}
"""

Objects = dict[tuple[str, str], dict[str, Any]]


def remote_resources() -> list[str]:
    resources = yaml.safe_load(KUSTOMIZATION.read_text())["resources"]
    return [r for r in resources if "://" in r or r.startswith("github.com")]


def render(scratch: Path) -> tuple[subprocess.CompletedProcess[str], Objects]:
    """The kustomize run and its objects by (kind, name); skips the test without a kubectl."""
    kubectl = find_kubectl({"PATH": ""}, sys.executable) or shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl (run `make venv`)")
    copy = scratch / "argocd"
    shutil.copytree(config.ARGOCD_KUSTOMIZATION, copy)
    (url,) = remote_resources()
    (copy / "kustomization.yaml").write_text(KUSTOMIZATION.read_text().replace(url, "install.yaml"))
    (copy / "install.yaml").write_text(STUB)
    done = subprocess.run([kubectl, "kustomize", str(copy)], capture_output=True, text=True, timeout=30)
    objects = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(done.stdout)} if done.stdout else {}
    return done, objects
