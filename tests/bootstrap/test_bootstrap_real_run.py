"""The real run's execution path without a cluster: fake minikube/kubectl on PATH and a fake Kube.

What is checked is what the dry run cannot show: the calls really happen in the promised order, decisions
follow what was read (running profile, existing secrets), and secrets never reach the output.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

import registry
from bootstrap.cluster import main
from tests.bootstrap.fake_kube import FakeKube, app
from tests.bootstrap.fake_minikube import image_store
from tests.bootstrap.programs import clean_env, tools_bin

REPO = {"REPO_URL": "https://github.com/acme/marketplace.git", "REVISION": "feature/x"}
IMAGES = [f"ghcr.io/gitops-marketplace/{svc}:0.1.0" for svc in registry.NAMES]


def run(
    tmp_path: Path, kube: FakeKube, args: list[str], minikube: dict[str, Any] | None = None, **env: str
) -> tuple[int, str, list[str]]:
    """`main(args)` with the stand-in tools; `minikube` is the stand-in's state (running, images, version...)."""
    log = kube.log
    bin_dir, _ = tools_bin(tmp_path / "bin", log, **(minikube or {}))
    out = io.StringIO()
    rc = main(
        args,
        env=clean_env(bin_dir, **env),
        executable=str(bin_dir / "python"),
        connect=lambda: kube,
        out=out,
        platform="linux",
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return rc, out.getvalue(), calls


def dockerfile_of(image: str) -> str:
    """`ghcr.io/o/users:0.1.0` -> `users/Dockerfile`, the file it is built from (relative to apps/)."""
    return f"{image.split('/')[-1].split(':')[0]}/Dockerfile"


def index(calls: list[str], prefix: str) -> int:
    matching = [i for i, call in enumerate(calls) if call.startswith(prefix)]
    assert matching, f"no call starting with {prefix!r} in {calls}"
    return matching[0]


def test_first_run_does_everything_in_order(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, out, calls = run(tmp_path, kube, ["up"], **REPO)

    assert rc == 0, out
    order = [
        index(calls, prefix)
        for prefix in (
            "minikube -p marketplace version --short",
            "minikube -p marketplace status",
            "minikube -p marketplace start --driver=docker --kubernetes-version=v1.35.1 --cni=calico"
            " --addons=metrics-server",
            "api read DaemonSet kube-system/calico-node",
            "minikube -p marketplace image ls --format=json",
            *(f"minikube -p marketplace image build -t {image} -f {dockerfile_of(image)} apps" for image in IMAGES),
            "api list Secrets default",
            "api create Secret default/users-db-credentials",
            "api read Deployment argocd/argocd-server",
            "kubectl --context marketplace apply --server-side --force-conflicts -k gitops/argocd/install",
            "kubectl --context marketplace wait --for=condition=Established",
            "kubectl --context marketplace -n argocd rollout status",
            "api create AppProject argocd/marketplace-root",
            "api apply Application argocd/marketplace-root marketplace-bootstrap",
            "api list Applications argocd",
            "api read Node addresses",
            "api read Secret argocd/argocd-initial-admin-secret",
        )
    ]
    assert order == sorted(order)
    assert "Argo CD UI:      http://192.168.49.2:30080" in out
    assert "Admin password:  admin-pw-from-secret" in out
    for service, port in (("users", 30001), ("routes", 30002), ("offers", 30003), ("posts", 30004)):
        assert f"http://192.168.49.2:{port}/{service}/ping" in out


def test_secrets_are_random_well_formed_and_never_printed(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, out, _ = run(tmp_path, kube, ["up"], **REPO)

    assert rc == 0
    assert set(kube.created) == {f"{s}-db-credentials" for s in registry.NAMES}
    passwords = {data["POSTGRES_PASSWORD"] for data in kube.created.values()}
    assert len(passwords) == len(registry.NAMES) and all(len(p) >= 32 for p in passwords)
    assert kube.created["users-db-credentials"]["POSTGRES_USER"] == "users"
    assert not any(password in out for password in passwords)


def test_rerun_on_a_running_cluster_keeps_minikube_and_the_existing_secrets(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log", existing_secrets={"users-db-credentials", "posts-db-credentials"})
    rc, out, calls = run(tmp_path, kube, ["up"], minikube={"running": True, "images": IMAGES}, **REPO)

    assert rc == 0, out
    assert not [call for call in calls if " start" in call or " image build" in call]
    assert "keep  Minikube profile marketplace: already running" in out
    assert set(kube.created) == {"routes-db-credentials", "offers-db-credentials"}
    assert "keep  Secret default/users-db-credentials: exists" in out
    assert "keep  Secret default/posts-db-credentials: exists" in out


def test_the_argocd_objects_carry_the_repository_and_revision(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, _, _ = run(tmp_path, kube, ["up"], **REPO)

    assert rc == 0
    root_project, root = kube.applied  # the services' and Argo CD's projects come from Git
    assert [(obj["kind"], obj["metadata"]["name"]) for obj in kube.applied] == [
        ("AppProject", "marketplace-root"),
        ("Application", "marketplace-root"),
    ]
    assert root_project["spec"]["sourceRepos"] == [REPO["REPO_URL"]]
    assert root["spec"]["project"] == "marketplace-root"
    assert root["spec"]["source"]["path"] == "gitops/clusters/minikube"
    assert root["spec"]["source"]["repoURL"] == REPO["REPO_URL"]
    assert root["spec"]["source"]["targetRevision"] == REPO["REVISION"]
    values = {
        op["path"]: op["value"]
        for patch in root["spec"]["source"]["kustomize"]["patches"]
        for op in yaml.safe_load(patch["patch"])
    }
    url, revision = REPO["REPO_URL"], REPO["REVISION"]
    assert values == {
        "/spec/source/repoURL": url,
        "/spec/source/targetRevision": revision,
        "/spec/generators/0/git/repoURL": url,
        "/spec/generators/0/git/revision": revision,
        "/spec/template/spec/source/repoURL": url,
        "/spec/template/spec/source/targetRevision": revision,
        "/spec/sourceRepos": [url],
    }


def test_a_rerun_does_not_apply_the_install_again_its_application_owns_it(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log", argocd_installed=True)
    rc, out, calls = run(tmp_path, kube, ["up"], minikube={"running": True}, **REPO)

    assert rc == 0, out
    assert not [call for call in calls if "-k gitops/argocd/install" in call]
    assert "keep  Argo CD: installed already; the Application argocd syncs gitops/argocd/install from Git" in out


def test_a_profile_without_calico_stops_the_run_with_how_to_fix_it(tmp_path: Path, capsys: Any) -> None:
    kube = FakeKube(tmp_path / "calls.log", addons=False)
    rc, _, calls = run(tmp_path, kube, ["up"], minikube={"running": True}, **REPO)

    assert rc == 1
    err = capsys.readouterr().err
    assert "runs without Calico, so NetworkPolicies would not be enforced" in err
    assert "`make cluster-down` then `make cluster`" in err
    assert not [call for call in calls if "Secret" in call]


def test_missing_prerequisites_stop_the_real_run_before_anything(tmp_path: Path, capsys: Any) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    log = tmp_path / "calls.log"
    kube = FakeKube(log)
    rc = main(
        ["up"], env=clean_env(empty, **REPO), executable=str(empty / "python"), connect=lambda: kube, out=io.StringIO()
    )

    assert rc == 1
    err = capsys.readouterr().err
    assert "minikube is not installed" in err and "kubectl was found neither" in err
    assert "No Minikube driver was found" in err
    assert not log.exists()


def test_no_origin_and_no_repo_url_stops_the_real_run(tmp_path: Path, capsys: Any) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, _, calls = run(tmp_path, kube, ["up"], REVISION="main")  # no git on PATH, no REPO_URL

    assert rc == 1
    assert "set REPO_URL to the https URL" in capsys.readouterr().err
    assert calls == ["minikube -p marketplace version --short"]  # the prerequisite check only reads


@pytest.mark.parametrize("timeout", ["0.01"])
def test_timeout_names_the_applications_that_are_not_ready(tmp_path: Path, timeout: str, capsys: Any) -> None:
    apps = [
        app("marketplace-root"),
        app("users", "OutOfSync", "Missing"),
        app("routes", "Synced", "Degraded", operationState={"phase": "Failed", "message": "boom"}),
    ]
    kube = FakeKube(tmp_path / "calls.log", applications=apps)
    rc, out, _ = run(tmp_path, kube, ["up"], WAIT_TIMEOUT=timeout, **REPO)

    assert rc == 1
    err = capsys.readouterr().err
    assert "users: OutOfSync/Missing" in err
    assert "routes: Synced/Degraded (sync Failed: boom)" in err
    assert "offers: not created yet" in err and "posts: not created yet" in err
    assert "marketplace-root" not in err.split("Healthy:")[1]
    assert "users: OutOfSync/Missing" in out  # the progress lines


def test_sync_asks_for_a_hard_refresh_of_every_application(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, out, calls = run(tmp_path, kube, ["sync"])

    assert rc == 0, out
    assert kube.annotated == [
        (name, "argocd.argoproj.io/refresh", "hard") for name in sorted(["marketplace-root", "argocd", *registry.NAMES])
    ]
    assert calls[0] == "api list Applications argocd"


def test_down_deletes_the_profile(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, _, calls = run(tmp_path, kube, ["down"])

    assert rc == 0
    assert calls == ["minikube -p marketplace delete"]


def test_an_api_error_is_one_line_naming_the_call(tmp_path: Path, capsys: Any) -> None:
    from kubernetes.client.exceptions import ApiException

    class Forbidden(FakeKube):
        def create_secret(self, *args: Any) -> bool:
            error = ApiException(status=403, reason="Forbidden")
            error.body = '{"kind": "Status", "message": "secrets is forbidden: User \\"x\\" cannot create"}'
            raise error

    rc, _, _ = run(tmp_path, Forbidden(tmp_path / "calls.log"), ["up"], **REPO)

    assert rc == 1
    assert capsys.readouterr().err == (
        "error: `create Secret default/users-db-credentials (POSTGRES_USER=users POSTGRES_PASSWORD=<random>)`"
        ' failed: HTTP 403 Forbidden: secrets is forbidden: User "x" cannot create\n'
    )


# --- the images, and minikube's version ----------------------------------------------------------------------


def test_only_the_missing_images_are_built_and_they_land_in_the_profiles_store(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, out, calls = run(tmp_path, kube, ["up"], minikube={"images": IMAGES[:3]}, **REPO)

    assert rc == 0, out
    assert [call for call in calls if " image build " in call] == [
        "minikube -p marketplace image build -t ghcr.io/gitops-marketplace/posts:0.1.0 -f posts/Dockerfile apps"
    ]
    assert sorted(image_store(tmp_path / "bin" / "minikube.state.json")) == sorted(IMAGES)
    assert "keep  image ghcr.io/gitops-marketplace/users:0.1.0: already in the profile's image store" in out


def test_every_minikube_call_names_the_profile(tmp_path: Path) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    for args in (["up"], ["down"]):
        rc, out, _ = run(tmp_path, kube, args, **REPO)
        assert rc == 0, out
    minikube_calls = [call for call in kube.log.read_text().splitlines() if call.startswith("minikube ")]
    assert len(minikube_calls) >= 10
    assert all(call.startswith("minikube -p marketplace ") for call in minikube_calls), minikube_calls


@pytest.mark.parametrize("exits", [False, True], ids=["exits 0 as minikube does", "exits non-zero"])
def test_a_failed_image_build_stops_the_run_before_argocd(tmp_path: Path, exits: bool, capsys: Any) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, _, calls = run(tmp_path, kube, ["up"], minikube={"fail_build": "posts/Dockerfile", "fail_exits": exits}, **REPO)

    assert rc == 1
    err = capsys.readouterr().err
    if exits:
        assert "image build -t ghcr.io/gitops-marketplace/posts:0.1.0 -f posts/Dockerfile apps` failed" in err
    else:
        assert "the profile's image store still lacks ghcr.io/gitops-marketplace/posts:0.1.0: the build failed" in err
    assert not [call for call in calls if "Secret" in call or call.startswith(("kubectl", "api apply"))]


def test_a_minikube_too_old_for_the_kubernetes_version_stops_the_run(tmp_path: Path, capsys: Any) -> None:
    kube = FakeKube(tmp_path / "calls.log")
    rc, _, calls = run(tmp_path, kube, ["up"], minikube={"version": "v1.38.0"}, **REPO)

    assert rc == 1
    assert capsys.readouterr().err == (
        "  MISSING  minikube v1.38.0 is too old for Kubernetes v1.35.1: install minikube v1.38.1 or newer from"
        " https://minikube.sigs.k8s.io/docs/start/.\n"
    )
    assert calls == ["minikube -p marketplace version --short"]
