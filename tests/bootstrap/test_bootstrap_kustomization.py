"""bootstrap/argocd: Argo CD pinned to v3.5.1, and the local settings patched onto the release.

The release manifest cannot be fetched here (no network in tests), so the patches are rendered against a
local stub with the same shape as the release's objects.
"""

from __future__ import annotations

import re
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
PINNED = re.compile(r"^https://raw\.githubusercontent\.com/argoproj/argo-cd/(v\d+\.\d+\.\d+)/manifests/install\.yaml$")

# The release's objects that the patches touch, as manifests/install.yaml has them.
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


def kustomization() -> dict[str, Any]:
    return yaml.safe_load(KUSTOMIZATION.read_text())


def remote_resources() -> list[str]:
    return [r for r in kustomization()["resources"] if "://" in r or r.startswith("github.com")]


def test_argocd_is_pinned_to_the_release_of_the_schemas() -> None:
    (url,) = remote_resources()
    match = PINNED.match(url)
    assert match, f"{url} is not a pinned release tag"
    assert match[1] == config.ARGOCD_VERSION == "v3.5.1"
    text = KUSTOMIZATION.read_text()
    for moving in ("stable", "master", "/main/", "latest", "?ref="):
        assert moving not in url
    assert "/stable/" not in text


def test_the_local_settings_render_onto_the_release(tmp_path: Path) -> None:
    kubectl = find_kubectl({"PATH": ""}, sys.executable) or shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("no kubectl (run `make venv`)")
    copy = tmp_path / "argocd"
    shutil.copytree(config.ARGOCD_KUSTOMIZATION, copy)
    (url,) = remote_resources()
    (copy / "kustomization.yaml").write_text(KUSTOMIZATION.read_text().replace(url, "install.yaml"))
    (copy / "install.yaml").write_text(STUB)

    done = subprocess.run([kubectl, "kustomize", str(copy)], capture_output=True, text=True, timeout=30)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a deprecation warning is a failure too
    objects = {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(done.stdout)}
    assert ("Namespace", "argocd") in objects
    assert all(o["metadata"].get("namespace") == "argocd" for (kind, _), o in objects.items() if kind != "Namespace")
    assert objects["ConfigMap", "argocd-cm"]["data"] == {"timeout.reconciliation": "30s"}
    assert objects["ConfigMap", "argocd-cmd-params-cm"]["data"] == {"server.insecure": "true"}
    service = objects["Service", "argocd-server"]["spec"]
    assert service["type"] == "NodePort"
    assert [(p["name"], p["port"], p["targetPort"], p["nodePort"]) for p in service["ports"]] == [
        ("tcp-argocdserver", 80, 8080, config.ARGOCD_UI_NODEPORT), ("tcp-argocdservertls", 443, 8080, 30443)]
