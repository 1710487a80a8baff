"""Pure functions that turn settings, tools and what was read from the cluster into steps.

Nothing here runs a program or calls the API: the steps carry the call, the executor decides whether
it happens (RealRun) or is only printed (DryRun). An argument that is None means "not known" (the dry
run reads nothing), and the step then says what would decide it.
"""

from __future__ import annotations

import json
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

import registry
from bootstrap import argocd_objects, config, credentials
from bootstrap import minikube as cli
from bootstrap.config import (
    APP_NAMESPACE,
    ARGOCD_NAMESPACE,
    ARGOCD_UI_NODEPORT,
    ARGOCD_VERSION,
    FIELD_MANAGER,
    PROFILE,
    Settings,
)
from bootstrap.errors import BootstrapError
from bootstrap.images import Image
from bootstrap.steps import ApiCall, Command, Note, Step
from bootstrap.wait import wait_for_applications

if TYPE_CHECKING:
    from bootstrap.kube import Kube

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
ADMIN_SECRET = "argocd-initial-admin-secret"


# --- Minikube ----------------------------------------------------------------------------------------------


def is_running(status_json: str) -> bool:
    """Whether `minikube status --output=json` says that host, kubelet and API server all run."""
    try:
        status = json.loads(status_json)
    except ValueError:  # "Profile not found" and friends are plain text
        return False
    nodes = status if isinstance(status, list) else [status]
    return bool(nodes) and all(
        isinstance(node, dict) and (node.get("Host"), node.get("Kubelet"), node.get("APIServer")) == ("Running",) * 3
        for node in nodes
    )


def minikube_status(minikube: str) -> Command:
    return Command(
        cli.argv(minikube, "status", "--output=json"),
        why="is the profile already running?",
        read="minikube_running",
        parse=is_running,
        check=False,  # exits non-zero when stopped or absent: that is an answer, not an error
    )


def start_minikube(minikube: str, driver: str | None, settings: Settings, running: bool | None) -> list[Step]:
    if running:
        return [Note(f"keep  Minikube profile {PROFILE}: already running, not started again")]
    argv = cli.argv(
        minikube,
        "start",
        f"--driver={driver or '<driver>'}",
        f"--kubernetes-version={config.KUBERNETES_VERSION}",
        "--cni=calico",  # the default CNI does not enforce NetworkPolicies
        "--addons=metrics-server",  # the HPAs read CPU from it
        f"--cpus={settings.cpus}",
        f"--memory={settings.memory}",
    )
    why = "only if not already running" if running is None else ""
    return [Command(argv, why=why)]


def read_addons() -> list[ApiCall]:
    return [
        ApiCall(
            "read",
            "DaemonSet kube-system/calico-node",
            why="Calico enforces the NetworkPolicies",
            read="calico",
            call=lambda kube: kube.exists("DaemonSet", "kube-system", "calico-node"),
        ),
        ApiCall(
            "read",
            "Deployment kube-system/metrics-server",
            why="the HPAs need its CPU metrics",
            read="metrics_server",
            call=lambda kube: kube.exists("Deployment", "kube-system", "metrics-server"),
        ),
    ]


def addon_problems(calico: bool | None, metrics_server: bool | None) -> list[str]:
    """What a running profile made another way lacks: Calico cannot be added to it, metrics-server can."""
    problems = []
    if calico is False:
        problems.append(
            f"Minikube profile {PROFILE} runs without Calico, so NetworkPolicies would not be enforced:"
            " recreate it with `make cluster-down` then `make cluster`."
        )
    if metrics_server is False:
        problems.append(
            f"Minikube profile {PROFILE} has no metrics-server, so the HPAs would read <unknown>: run"
            f" `minikube addons enable metrics-server -p {PROFILE}`, then `make cluster` again."
        )
    return problems


# --- Images ------------------------------------------------------------------------------------------------


def _list_images(minikube: str, why: str, read: str) -> Command:
    return Command(cli.image_list(minikube), why=why, read=read, parse=cli.parse_image_list)


def read_images(minikube: str) -> Command:
    return _list_images(minikube, "which images the profile's image store has", "minikube_images")


def image_steps(minikube: str, images: list[Image], present: set[str] | None) -> list[Step]:
    """Build each image that is not in the profile's store, as the minikube environment names it, from apps/ of
    this checkout: the tags that the environment names (0.1.0 in a fresh fork) exist in no registry."""
    steps: list[Step] = []
    for image in images:
        if not image.buildable:
            steps.append(Note(f"pull  {image.ref}: pinned by digest, the cluster pulls it from its registry"))
        elif present is not None and image.ref in present:
            steps.append(Note(f"keep  image {image.ref}: already in the profile's image store"))
        else:
            steps.append(
                Command(
                    cli.image_build(minikube, image.ref, image.service), why="only if absent" if present is None else ""
                )
            )
    return steps


def check_images(minikube: str) -> Command:
    why = "is every image there now? minikube's image build exits 0 even when the build fails"
    return _list_images(minikube, why, "minikube_images_built")


# --- Secrets -----------------------------------------------------------------------------------------------


def list_secrets() -> ApiCall:
    return ApiCall(
        "list",
        f"Secrets {APP_NAMESPACE}",
        why="which <svc>-db-credentials exist already",
        read="existing_secrets",
        call=lambda kube: kube.secret_names(APP_NAMESPACE),
    )


def _create_secret(service: str, kube: Kube) -> bool:
    name = config.secret_name(service)
    return kube.create_secret(APP_NAMESPACE, name, credentials.new_credentials(service), credentials.labels(service))


def secret_steps(existing: set[str] | None) -> list[Step]:
    """Create each missing Secret with random values; keep the ones that exist (their databases were
    initialised with those values, new ones would lock the apps out)."""
    steps: list[Step] = []
    for service in registry.NAMES:
        name = config.secret_name(service)
        if existing is not None and name in existing:
            steps.append(Note(f"keep  Secret {APP_NAMESPACE}/{name}: exists, its values stay as they are"))
        else:
            steps.append(
                ApiCall(
                    "create",
                    f"Secret {APP_NAMESPACE}/{name} ({credentials.shown_credentials(service)})",
                    why="only if absent" if existing is None else "",
                    call=partial(_create_secret, service),
                )
            )
    return steps


# --- Argo CD -----------------------------------------------------------------------------------------------


def read_argocd() -> ApiCall:
    return ApiCall(
        "read",
        f"Deployment {ARGOCD_NAMESPACE}/argocd-server",
        why="is Argo CD installed already?",
        read="argocd_installed",
        call=lambda kube: kube.exists("Deployment", ARGOCD_NAMESPACE, "argocd-server"),
    )


def install_argocd(kubectl: str, installed: bool | None = None) -> list[Step]:
    """The install, once: after that the Application `argocd` owns it, and applying the checkout's copy again
    would undo what was pushed since."""
    if installed:
        return [
            Note(
                f"keep  Argo CD: installed already; the Application {config.ARGOCD_APP_NAME} syncs"
                f" {config.ARGOCD_KUSTOMIZATION.relative_to(config.REPO_ROOT)} from Git"
            )
        ]
    kube = (kubectl, "--context", PROFILE)
    return [
        Command(
            (
                *kube,
                "apply",
                "--server-side",
                "--force-conflicts",
                "-k",
                str(config.ARGOCD_KUSTOMIZATION.relative_to(config.REPO_ROOT)),
            ),
            why=f"Argo CD {ARGOCD_VERSION}, once; its CRDs are too large for client-side apply",
        ),
        Command(
            (
                *kube,
                "wait",
                "--for=condition=Established",
                "--timeout=120s",
                "crd/applications.argoproj.io",
                "crd/appprojects.argoproj.io",
            )
        ),
        Command(
            (
                *kube,
                "-n",
                ARGOCD_NAMESPACE,
                "wait",
                "--for=condition=Available",
                "--timeout=600s",
                "deployment",
                "--all",
            )
        ),
        Command(
            (
                *kube,
                "-n",
                ARGOCD_NAMESPACE,
                "rollout",
                "status",
                "--timeout=600s",
                "statefulset/argocd-application-controller",
            )
        ),
    ]


def left_to_git() -> list[Note]:
    """What the bootstrap no longer applies, and why: Git owns it, through the root Application."""
    synced = config.cluster_path(config.DEFAULT_CLUSTER)
    return [
        Note(f"skip  the AppProjects come from Git now: the root Application syncs {synced}"),
        Note(
            f"skip  Argo CD's settings come from Git now: the Application {config.ARGOCD_APP_NAME} syncs"
            f" {config.ARGOCD_KUSTOMIZATION.relative_to(config.REPO_ROOT)} (never pruning)"
        ),
        Note("skip  the service Applications come from Git now: one per folder of gitops/envs/minikube"),
    ]


def apply_argocd_objects(
    root_project: dict[str, Any] | None, root_app: dict[str, Any] | None, settings: Settings
) -> list[Step]:
    """The root Application's project if it is absent (Argo CD reconciles no Application whose project does
    not exist yet; once the root runs, Git owns the project), then the root Application, with the real
    repository, revision and cluster folder."""
    how = f"server-side apply, field manager {FIELD_MANAGER}"
    if root_project is not None:
        root_project = argocd_objects.with_repository(root_project, settings.repo_url)
    if root_app is not None:
        root_app = argocd_objects.with_source(
            root_app, settings.repo_url, settings.revision, config.cluster_path(settings.env)
        )
    return [
        *left_to_git(),
        ApiCall(
            "create",
            f"AppProject {ARGOCD_NAMESPACE}/{config.ROOT_PROJECT_NAME} (sourceRepos=[{settings.repo_url}])",
            why="only if absent: the root Application needs it before its first sync, then syncs it from Git",
            call=partial(_create, root_project),
        ),
        ApiCall(
            "apply",
            f"Application {ARGOCD_NAMESPACE}/{config.ROOT_APP_NAME} (path={config.cluster_path(settings.env)}"
            f" repoURL={settings.repo_url} targetRevision={settings.revision}, passed on to what it syncs by"
            " kustomize patches)",
            why=how,
            call=partial(_apply, root_app),
        ),
    ]


def _create(obj: dict[str, Any] | None, kube: Kube) -> None:
    if obj is None:  # a real run checks for the files before it starts; this is only a safety net
        raise BootstrapError("the gitops/argocd file of this object is missing.")
    kube.create(obj)


def _apply(obj: dict[str, Any] | None, kube: Kube) -> None:
    if obj is None:  # a real run checks for the files before it starts; this is only a safety net
        raise BootstrapError("the gitops/argocd file of this object is missing.")
    kube.apply(obj, FIELD_MANAGER)


def wait_applications(settings: Settings, out: TextIO) -> ApiCall:
    expected = config.expected_applications()

    def call(kube: Kube) -> dict[str, Any]:
        return wait_for_applications(lambda: kube.applications(ARGOCD_NAMESPACE), expected, settings.wait_timeout, out)

    return ApiCall(
        "wait",
        f"Applications {ARGOCD_NAMESPACE}/{{{','.join(expected)}}} Synced and Healthy",
        why=f"polls every 5 s, prints each change, gives up after {settings.wait_timeout:.0f} s (WAIT_TIMEOUT)",
        read="not_ready",
        call=call,
    )


def read_access() -> list[ApiCall]:
    return [
        ApiCall(
            "read",
            "Node addresses",
            why="the Minikube IP, where the NodePorts are",
            read="minikube_ip",
            call=lambda kube: kube.node_ip(),
        ),
        ApiCall(
            "read",
            f"Secret {ARGOCD_NAMESPACE}/{ADMIN_SECRET}",
            why="the initial admin password",
            read="admin_password",
            call=lambda kube: kube.secret_value(ARGOCD_NAMESPACE, ADMIN_SECRET, "password"),
        ),
    ]


def summary(ip: str | None, password: str | None, driver: str | None, platform: str) -> list[str]:
    host = ip or "<minikube-ip>"
    lines = [
        f"Argo CD UI:      http://{host}:{ARGOCD_UI_NODEPORT}  (user admin)",
        f"Admin password:  {password or f'<from Secret {ARGOCD_NAMESPACE}/{ADMIN_SECRET}>'}",
        *(f"{svc + ':':<16} http://{host}:{port}/{svc}/ping" for svc, port in registry.PORTS.items()),
    ]
    if driver == "docker" and platform == "darwin":
        lines.append(
            "With the Docker driver on macOS the Minikube IP is not reachable from the host: use"
            f" `minikube service -p {PROFILE} --url <svc>` or `minikube tunnel -p {PROFILE}`"
            " (docs/cluster.md, Troubleshooting)."
        )
    return lines


# --- sync and down -----------------------------------------------------------------------------------------


def list_applications() -> ApiCall:
    return ApiCall(
        "list",
        f"Applications {ARGOCD_NAMESPACE}",
        read="applications",
        call=lambda kube: sorted(app["metadata"]["name"] for app in kube.applications(ARGOCD_NAMESPACE)),
    )


def refresh_steps(names: list[str] | None) -> list[ApiCall]:
    """A hard refresh of each Application: Argo CD re-reads the repository (no webhook reaches Minikube)
    and, the sync being automated, applies what changed."""
    if names is None:
        names = ["<each one listed>"]

    def refresh(name: str, kube: Kube) -> None:
        kube.annotate_application(ARGOCD_NAMESPACE, name, REFRESH_ANNOTATION, "hard")

    return [
        ApiCall(
            "patch",
            f"Application {ARGOCD_NAMESPACE}/{name} (annotation {REFRESH_ANNOTATION}=hard)",
            call=partial(refresh, name),
        )
        for name in names
    ]


def delete_minikube(minikube: str) -> Command:
    return Command(cli.argv(minikube, "delete"), why="removes the cluster and its volumes: the databases' data is gone")
