"""e2e.yml's diagnostics (python3 -m bootstrap.diagnostics) with the real, pinned kubectl, against a tiny API
server that answers as the Kubernetes API does for the few paths it serves (legacy discovery, pods, logs, events,
Applications), and with a 404 Status for everything else."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bootstrap import diagnostics
from registry import ROOT
from tests.support.fake_kube_api import QuietHandler, serving

KUBECTL = Path(sys.executable).parent / "kubectl"
PODS = {  # namespace -> pod -> (init containers, containers, containers that restarted)
    "default": {"users-6f9c-abcde": ([], ["app"], ["app"]), "users-migrate-x1": ([], ["migrate"], [])},
    "argocd": {"argocd-repo-server-7d-q": (["copyutil"], ["argocd-repo-server"], [])},
}
APPLICATIONS = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationList",
    "metadata": {},
    "items": [
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "users", "namespace": "argocd"},
            "status": {"sync": {"status": "OutOfSync"}, "health": {"status": "Degraded"}},
        }
    ],
}


def pod(namespace: str, name: str) -> dict[str, Any]:
    init, containers, restarted = PODS[namespace][name]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "initContainers": [{"name": c, "image": "i"} for c in init],
            "containers": [{"name": c, "image": "i"} for c in containers],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {"name": c, "restartCount": int(c in restarted), "ready": True, "image": "i", "imageID": ""}
                for c in containers
            ],
        },
    }


def status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


def resource(name: str, kind: str, namespaced: bool = True) -> dict[str, Any]:
    return {"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]}


DISCOVERY = {
    "/api": {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    },
    "/apis": {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": "argoproj.io",
                "versions": [{"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"}],
                "preferredVersion": {"groupVersion": "argoproj.io/v1alpha1", "version": "v1alpha1"},
            }
        ],
    },
    "/api/v1": {
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [resource("pods", "Pod"), resource("pods/log", "Pod"), resource("events", "Event")],
    },
    "/apis/argoproj.io/v1alpha1": {
        "kind": "APIResourceList",
        "groupVersion": "argoproj.io/v1alpha1",
        "resources": [resource("applications", "Application")],
    },
}


def answer(path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    if path in DISCOVERY:
        return 200, DISCOVERY[path]
    parts = path.strip("/").split("/")  # api v1 namespaces <ns> pods [<name> [log]]
    if parts[:3] == ["apis", "argoproj.io", "v1alpha1"] and parts[3:] == ["namespaces", "argocd", "applications"]:
        return 200, APPLICATIONS
    if parts[:3] != ["api", "v1", "namespaces"] or len(parts) < 5 or parts[3] not in PODS:
        return 404, status(404, "NotFound", "the server could not find the requested resource")
    namespace, kind, rest = parts[3], parts[4], parts[5:]
    if kind == "events" and not rest:
        return 200, {"apiVersion": "v1", "kind": "EventList", "metadata": {}, "items": []}
    if kind != "pods":
        return 404, status(404, "NotFound", "the server could not find the requested resource")
    if not rest:
        return 200, {
            "apiVersion": "v1",
            "kind": "PodList",
            "metadata": {},
            "items": [pod(namespace, name) for name in PODS[namespace]],
        }
    name = rest[0]
    if name not in PODS[namespace]:
        return 404, status(404, "NotFound", f'pods "{name}" not found')
    if rest[1:] == ["log"]:
        container = query.get("container", [""])[0]
        if query.get("previous") == ["true"] and container not in PODS[namespace][name][2]:
            # The kubelet's answer for a container that never restarted: kubernetes/kubernetes
            # pkg/kubelet/kubelet_pods.go, validateContainerLogStatus.
            message = f'previous terminated container "{container}" in pod "{name}" not found'
            return 400, status(400, "BadRequest", message)
        which = "previous" if query.get("previous") == ["true"] else "current"
        return 200, f"2026-01-01T00:00:00Z {which} log of {namespace}/{name}/{container}\n"
    return 200, pod(namespace, name)


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            self.reply(*answer(url.path, parse_qs(url.query)))

    with serving(Handler, tmp_path / "kubeconfig") as path:
        yield path


def run_script(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """As e2e.yml runs it, from the repository root, with a Python that has nothing installed (-S: no
    site-packages), as setup-python's python3 is when `make cluster` failed before `make venv`."""
    return subprocess.run(
        [sys.executable, "-S", "-m", "bootstrap.diagnostics", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def kube_env(kubeconfig: Path, tmp_path: Path) -> dict[str, str]:
    return {"PATH": str(KUBECTL.parent), "HOME": str(tmp_path), "KUBECONFIG": str(kubeconfig)}


def test_collects_applications_events_descriptions_and_every_containers_logs(kubeconfig: Path, tmp_path: Path) -> None:
    out = tmp_path / "diagnostics"
    result = run_script(out, kube_env(kubeconfig, tmp_path))
    assert result.returncode == 0, result.stderr
    applications = (out / "argocd" / "applications.yaml").read_text()
    assert "name: users" in applications and "status: Degraded" in applications
    assert (out / "default" / "logs" / "users-6f9c-abcde.app.log").read_text() == (
        "2026-01-01T00:00:00Z current log of default/users-6f9c-abcde/app\n"
    )
    assert (out / "default" / "logs" / "users-6f9c-abcde.app.previous.log").read_text() == (
        "2026-01-01T00:00:00Z previous log of default/users-6f9c-abcde/app\n"
    )
    # An init container's logs too; and a container with no previous instance: the error, not a stop.
    assert (
        "current log of argocd/argocd-repo-server-7d-q/copyutil"
        in (out / "argocd" / "logs" / "argocd-repo-server-7d-q.copyutil.log").read_text()
    )
    missing = (out / "default" / "logs" / "users-migrate-x1.migrate.previous.log").read_text()
    assert 'previous terminated container "migrate" in pod "users-migrate-x1" not found' in missing
    assert missing.startswith("$ kubectl logs users-migrate-x1 --container=migrate --timestamps --previous\n")
    assert "Name:         users-6f9c-abcde" in (out / "default" / "describe-pods.txt").read_text()
    assert "Init Containers:\n  copyutil:" in (out / "argocd" / "describe-pods.txt").read_text()
    for namespace in ("default", "argocd"):
        assert (out / namespace / "events.txt").read_text() == f"No resources found in {namespace} namespace.\n"
    logs = sorted(p.name for p in (out / "default" / "logs").iterdir())
    assert logs == [
        "users-6f9c-abcde.app.log",
        "users-6f9c-abcde.app.previous.log",
        "users-migrate-x1.migrate.log",
        "users-migrate-x1.migrate.previous.log",
    ]
    assert "3 command(s) failed" in result.stdout  # the previous logs of the three containers that never restarted


def test_uses_the_profiles_context_not_the_current_one(kubeconfig: Path, tmp_path: Path) -> None:
    """The kubeconfig's current context points nowhere: had the script followed it, no log would be read."""
    out = tmp_path / "diagnostics"
    assert run_script(out, kube_env(kubeconfig, tmp_path)).returncode == 0
    assert (
        "current log of default/users-6f9c-abcde/app"
        in (out / "default" / "logs" / "users-6f9c-abcde.app.log").read_text()
    )


def test_an_unreachable_cluster_still_leaves_a_file_per_command_with_its_error(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "marketplace",
                "clusters": [{"name": "gone", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "marketplace", "context": {"cluster": "gone", "user": "u"}}],
            }
        )
    )
    out = tmp_path / "diagnostics"
    result = run_script(out, kube_env(kubeconfig, tmp_path))
    assert result.returncode == 0, result.stderr
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        "argocd/applications.yaml",
        "argocd/containers.txt",
        "argocd/describe-pods.txt",
        "argocd/events.txt",
        "argocd/pods.txt",
        "default/containers.txt",
        "default/describe-pods.txt",
        "default/events.txt",
        "default/pods.txt",
    ]
    assert "connection refused" in (out / "argocd" / "applications.yaml").read_text()


def test_without_kubectl_one_sentence_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagnostics, "REPO_ROOT", tmp_path)  # no .venv/bin/kubectl there
    assert diagnostics.main(["--out", str(tmp_path / "d")], env={"PATH": str(tmp_path)}) == 1
    assert not (tmp_path / "d").exists()


def test_the_dry_run_lists_every_command_with_the_profiles_context(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert diagnostics.main(["--out", str(tmp_path / "d"), "--dry-run"], env={"PATH": ""}) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * 3 + 1 + 2 * 2  # 3 overviews per namespace, the Applications, 2 logs per container
    assert all(line.startswith("kubectl --context=marketplace --namespace=") for line in lines)
    assert not (tmp_path / "d").exists()
