"""The plan functions: pure, from what is known (None: not known, as in the dry run) to steps."""

from __future__ import annotations

import io

import pytest

from bootstrap import plan
from bootstrap.cluster import main
from bootstrap.config import Settings
from bootstrap.images import Image
from bootstrap.steps import ApiCall, Command, Note, describe
from tests.bootstrap.programs import clean_env

SETTINGS = Settings("https://x/r.git", "test", "main", "test", 900, "4", "6g")


def dry_run(tmp_path, **facts) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    env = clean_env(tmp_path, REPO_URL="https://x/r.git", REVISION="main")
    assert main(["up", "--dry-run"], env=env, facts=facts, out=out) == 0
    return out.getvalue()


def test_dry_run_keeps_the_secrets_it_is_told_exist(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = dry_run(tmp_path, existing_secrets={"users-db-credentials", "offers-db-credentials"})
    assert "keep  Secret default/users-db-credentials: exists, its values stay as they are" in out
    assert "keep  Secret default/offers-db-credentials: exists" in out
    assert (
        "api   create Secret default/routes-db-credentials (POSTGRES_USER=routes POSTGRES_PASSWORD=<random>)\n" in out
    )
    assert "create Secret default/users-db-credentials" not in out
    assert "routes-db-credentials (POSTGRES_USER=routes POSTGRES_PASSWORD=<random>)   # only if absent" not in out


def test_dry_run_with_a_running_profile_does_not_start_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = dry_run(tmp_path, minikube_running=True)
    assert "keep  Minikube profile marketplace: already running, not started again" in out
    assert "minikube start" not in out


def test_secret_steps() -> None:
    unknown = plan.secret_steps(None)
    assert [describe(s) for s in unknown][0] == (
        "api   create Secret default/users-db-credentials (POSTGRES_USER=users POSTGRES_PASSWORD=<random>)"
        "   # only if absent"
    )
    assert all(isinstance(s, ApiCall) for s in plan.secret_steps(set()))
    kept = plan.secret_steps({"routes-db-credentials", "unrelated"})
    assert [type(s) for s in kept] == [ApiCall, Note, ApiCall, ApiCall]


def test_minikube_start() -> None:
    (start,) = plan.start_minikube("minikube", "docker", SETTINGS, running=False)
    assert isinstance(start, Command) and start.why == ""
    assert start.argv == (
        "minikube",
        "-p",
        "marketplace",
        "start",
        "--driver=docker",
        "--kubernetes-version=v1.35.1",
        "--cni=calico",
        "--addons=metrics-server",
        "--cpus=4",
        "--memory=6g",
    )
    (unknown,) = plan.start_minikube("minikube", None, SETTINGS, running=None)
    assert "--driver=<driver>" in unknown.argv and unknown.why == "only if not already running"
    assert isinstance(plan.start_minikube("minikube", "docker", SETTINGS, running=True)[0], Note)


@pytest.mark.parametrize(
    ("status", "running"),
    [
        ('{"Host":"Running","Kubelet":"Running","APIServer":"Running"}', True),
        ('{"Host":"Running","Kubelet":"Stopped","APIServer":"Stopped"}', False),
        ('[{"Host":"Running","Kubelet":"Running","APIServer":"Running"}]', True),
        ('* Profile "marketplace" not found. Run "minikube profile list" to view all profiles.', False),
        ("", False),
    ],
)
def test_is_running(status: str, running: bool) -> None:
    assert plan.is_running(status) is running


def test_addon_problems() -> None:
    assert plan.addon_problems(None, None) == []  # dry run: unknown is no problem
    assert plan.addon_problems(True, True) == []
    calico, metrics = plan.addon_problems(False, False)
    assert "without Calico" in calico and "`make cluster-down` then `make cluster`" in calico
    assert "minikube addons enable metrics-server -p marketplace" in metrics


def test_argocd_is_installed_server_side_from_its_git_owned_kustomization() -> None:
    apply, *waits = plan.install_argocd("kubectl")
    assert apply.argv == (
        "kubectl",
        "--context",
        "marketplace",
        "apply",
        "--server-side",
        "--force-conflicts",
        "-k",
        "gitops/argocd/install",
    )
    assert all(step.argv[:3] == ("kubectl", "--context", "marketplace") for step in waits)


def test_an_installed_argocd_is_not_applied_again_its_application_owns_it() -> None:
    (kept,) = plan.install_argocd("kubectl", installed=True)
    assert isinstance(kept, Note) and "the Application argocd syncs gitops/argocd/install" in kept.text
    assert all(isinstance(step, Command) for step in plan.install_argocd("kubectl", installed=False))


def test_summary_and_the_macos_docker_hint() -> None:
    lines = plan.summary("10.0.0.5", "pw", "docker", "linux")
    assert lines[0].startswith("Argo CD UI:      http://10.0.0.5:30080")
    assert lines[1] == "Admin password:  pw"
    assert lines[2:] == [
        f"{svc + ':':<16} http://10.0.0.5:{port}/{svc}/ping"
        for svc, port in (("users", 30001), ("routes", 30002), ("offers", 30003), ("posts", 30004))
    ]
    assert "minikube service -p marketplace --url" in plan.summary(None, None, "docker", "darwin")[-1]


def test_refresh_steps() -> None:
    steps = plan.refresh_steps(["users", "routes"])
    assert [s.target for s in steps] == [
        "Application argocd/users (annotation argocd.argoproj.io/refresh=hard)",
        "Application argocd/routes (annotation argocd.argoproj.io/refresh=hard)",
    ]


IMAGES = [
    Image("users", "ghcr.io/gitops-marketplace/users:0.1.0"),
    Image("posts", "ghcr.io/gitops-marketplace/posts@sha256:" + "a" * 64),
]


def test_image_steps_build_what_is_absent_and_never_what_is_pinned_by_digest() -> None:
    unknown = plan.image_steps("minikube", IMAGES, None)
    assert [describe(step) for step in unknown] == [
        "run   minikube -p marketplace image build -t ghcr.io/gitops-marketplace/users:0.1.0 -f users/Dockerfile"
        " apps   # only if absent",
        "pull  ghcr.io/gitops-marketplace/posts@sha256:" + "a" * 64 + ": pinned by digest, the cluster pulls it"
        " from its registry",
    ]
    (absent, _) = plan.image_steps("minikube", IMAGES, set())
    assert isinstance(absent, Command) and absent.why == ""
    (kept, _) = plan.image_steps("minikube", IMAGES, {"ghcr.io/gitops-marketplace/users:0.1.0"})
    assert isinstance(kept, Note)


def test_only_the_roots_project_is_created_before_the_root_application_the_rest_comes_from_git() -> None:
    steps = plan.apply_argocd_objects({"kind": "AppProject"}, {"kind": "Application"}, SETTINGS)
    calls = [step for step in steps if not isinstance(step, Note)]
    assert [(step.verb, step.target.split(" (")[0]) for step in calls] == [
        ("create", "AppProject argocd/marketplace-root"),
        ("apply", "Application argocd/marketplace-root"),
    ]
    notes = [step.text for step in steps if isinstance(step, Note)]
    assert "skip  the AppProjects come from Git now: the root Application syncs gitops/clusters/minikube" in notes
