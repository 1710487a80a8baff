"""bootstrap/argocd: Argo CD pinned to v3.5.1, and the local settings patched onto the release.

The release manifest cannot be fetched here (no network in tests), so the patches are rendered against a
local stub with the same shape as the release's objects (tests/bootstrap/argocd_offline.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from bootstrap import config
from tests.bootstrap.argocd_offline import KUSTOMIZATION, remote_resources, render

PINNED = re.compile(r"^https://raw\.githubusercontent\.com/argoproj/argo-cd/(v\d+\.\d+\.\d+)/manifests/install\.yaml$")
HPA_HEALTH = "resource.customizations.health.autoscaling_HorizontalPodAutoscaler"


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
    done, objects = render(tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # a deprecation warning is a failure too
    assert ("Namespace", "argocd") in objects
    assert all(o["metadata"].get("namespace") == "argocd" for (kind, _), o in objects.items() if kind != "Namespace")
    health = (config.ARGOCD_KUSTOMIZATION / "health" / "hpa.lua").read_text()
    assert objects["ConfigMap", "argocd-cm"]["data"] == {
        "timeout.reconciliation": "30s",
        "timeout.reconciliation.jitter": "0s",
        HPA_HEALTH: health,
    }
    assert objects["ConfigMap", "argocd-cmd-params-cm"]["data"] == {"server.insecure": "true"}
    service = objects["Service", "argocd-server"]["spec"]
    assert service["type"] == "NodePort"
    assert [(p["name"], p["port"], p["targetPort"], p["nodePort"]) for p in service["ports"]] == [
        ("tcp-argocdserver", 80, 8080, config.ARGOCD_UI_NODEPORT),
        ("tcp-argocdservertls", 443, 8080, 30443),
    ]
