"""bootstrap.kube.Kube against a tiny fake API server: the paths, verbs, content types and query parameters
that the real API server would receive, and how its answers are read."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bootstrap.executor import BootstrapError
from bootstrap.kube import Kube
from tests.support.fake_kube_api import QuietHandler, serving

APPS = "/apis/argoproj.io/v1alpha1/namespaces/argocd"
ROUTES: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/api/v1/namespaces/default/secrets"): (200, {"items": [{"metadata": {"name": "users-db-credentials"}}]}),
    ("POST", "/api/v1/namespaces/default/secrets"): (201, None),  # None: echo the request body
    ("GET", "/api/v1/namespaces/argocd/secrets/argocd-initial-admin-secret"): (
        200,
        {"metadata": {"name": "x"}, "data": {"password": base64.b64encode(b"pw-123").decode()}},
    ),
    ("GET", "/api/v1/nodes"): (
        200,
        {
            "items": [
                {
                    "metadata": {"name": "marketplace"},
                    "status": {
                        "addresses": [
                            {"type": "Hostname", "address": "marketplace"},
                            {"type": "InternalIP", "address": "192.168.49.2"},
                        ]
                    },
                }
            ]
        },
    ),
    ("GET", f"{APPS}/applications"): (200, {"items": [{"metadata": {"name": "users"}}]}),
    ("PATCH", f"{APPS}/appprojects/marketplace"): (200, None),
    ("PATCH", f"{APPS}/applications/users"): (200, None),
    ("GET", "/apis/apps/v1/namespaces/kube-system/daemonsets/calico-node"): (
        404,
        {"kind": "Status", "code": 404, "reason": "NotFound", "message": "not found"},
    ),
    ("GET", "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server"): (
        200,
        {"metadata": {"name": "metrics-server"}},
    ),
}


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Serves ROUTES on a free port, points KUBECONFIG at it, and yields the requests it received."""
    received: list[dict[str, Any]] = []

    class Handler(QuietHandler):
        def _serve(self) -> None:
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "type": self.headers.get("Content-Type"),
                    "body": json.loads(body or "null"),
                }
            )
            status, answer = ROUTES.get((self.command, url.path), (404, {"kind": "Status", "code": 404}))
            self.reply(status, received[-1]["body"] if answer is None else answer)

        do_GET = do_POST = do_PATCH = _serve

    with serving(Handler, tmp_path / "kubeconfig") as kubeconfig:
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        yield received


def test_reads(api: list[dict[str, Any]]) -> None:
    kube = Kube("marketplace")  # not the current context: the bootstrap never follows that
    assert kube.secret_names("default") == {"users-db-credentials"}
    assert kube.secret_value("argocd", "argocd-initial-admin-secret", "password") == "pw-123"
    assert kube.secret_value("argocd", "missing", "password") is None
    assert kube.node_ip() == "192.168.49.2"
    assert kube.applications("argocd") == [{"metadata": {"name": "users"}}]
    assert kube.exists("DaemonSet", "kube-system", "calico-node") is False
    assert kube.exists("Deployment", "kube-system", "metrics-server") is True


def test_create_secret_sends_string_data(api: list[dict[str, Any]]) -> None:
    assert (
        Kube("marketplace").create_secret(
            "default",
            "routes-db-credentials",
            {"POSTGRES_USER": "routes", "POSTGRES_PASSWORD": "p"},
            {"app.kubernetes.io/name": "routes"},
        )
        is True
    )
    (request,) = api
    assert (request["method"], request["path"]) == ("POST", "/api/v1/namespaces/default/secrets")
    assert request["body"]["metadata"] == {
        "name": "routes-db-credentials",
        "namespace": "default",
        "labels": {"app.kubernetes.io/name": "routes"},
    }
    assert request["body"]["stringData"] == {"POSTGRES_USER": "routes", "POSTGRES_PASSWORD": "p"}


def test_apply_is_a_forced_server_side_apply(api: list[dict[str, Any]]) -> None:
    project = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "marketplace", "namespace": "argocd"},
        "spec": {"sourceRepos": ["r"]},
    }
    Kube("marketplace").apply(project, "marketplace-bootstrap")
    (request,) = api
    assert (request["method"], request["path"]) == ("PATCH", f"{APPS}/appprojects/marketplace")
    assert request["type"] == "application/apply-patch+yaml"
    # The API server parses force with Go's ParseBool, which takes "True".
    assert request["query"] == {"fieldManager": ["marketplace-bootstrap"], "force": ["True"]}
    assert request["body"] == project


def test_hard_refresh_is_a_merge_patch_of_one_annotation(api: list[dict[str, Any]]) -> None:
    Kube("marketplace").annotate_application("argocd", "users", "argocd.argoproj.io/refresh", "hard")
    (request,) = api
    assert (request["method"], request["path"], request["type"]) == (
        "PATCH",
        f"{APPS}/applications/users",
        "application/merge-patch+json",
    )
    assert request["body"] == {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}}}


def test_an_unknown_context_is_a_plain_error(api: list[dict[str, Any]]) -> None:
    with pytest.raises(BootstrapError, match="there is no kube context `nope`"):
        Kube("nope")
