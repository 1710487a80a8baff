"""The names, versions and settings that the bootstrap shares with the rest of the repository.

The names follow CONTRIBUTING.md and ../shared/contract/operations.md; change one only everywhere at once.
The services and their NodePorts are registry.py's.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import registry

REPO_ROOT = registry.ROOT

# Minikube profile = kube context name; every kubectl call and API client is bound to it, so that the
# bootstrap never touches another cluster of the developer's kubeconfig.
PROFILE = "marketplace"
# The newest Kubernetes that the newest minikube release supports: minikube v1.38.1 (2026-02-19) has
# NewestKubernetesVersion = "v1.35.1" (kubernetes/minikube, tag v1.38.1, pkg/minikube/constants/constants.go);
# its v1.38.0 stops at v1.35.0, and for a newer version `minikube start` asks GitHub and exits if it cannot.
# Argo CD 3.5 is tested on Kubernetes v1.33-v1.36 (argoproj/argo-cd, tag v3.5.1,
# docs/operator-manual/tested-kubernetes-versions.md). The pinned kubectl 1.37 is two minors newer: see
# docs/cluster.md "What you need".
KUBERNETES_VERSION = "v1.35.1"
MINIKUBE_MINIMUM = "v1.38.1"  # the first minikube release that supports KUBERNETES_VERSION
# The release whose CRD schemas are in ../shared/schemas/; gitops/argocd/install/kustomization.yaml pins the same.
ARGOCD_VERSION = "v3.5.1"
ARGOCD_KUSTOMIZATION = REPO_ROOT / "gitops" / "argocd" / "install"  # applied once; then Git owns it
ARGOCD_NAMESPACE = "argocd"
ARGOCD_UI_NODEPORT = 30080  # the http port of the argocd-server NodePort patch in gitops/argocd/install/
FIELD_MANAGER = "marketplace-bootstrap"

APP_NAMESPACE = "default"

# Least privilege (design.md "Argo CD"): the root Application's project may only create Argo CD objects in
# argocd; Argo CD's own Application has a project for its install; the services' may only deploy to default.
# The bootstrap applies the root Application and creates its project if absent; the rest comes from Git.
ROOT_PROJECT_NAME = "marketplace-root"
ROOT_APP_NAME = "marketplace-root"
ARGOCD_APP_NAME = "argocd"  # gitops/argocd/argocd-app.yaml: Argo CD manages itself
ROOT_PROJECT_FILE = REPO_ROOT / "gitops" / "argocd" / "root-project.yaml"
ROOT_APP_FILE = REPO_ROOT / "gitops" / "argocd" / "root-app.yaml"
CLUSTERS_DIR = REPO_ROOT / "gitops" / "clusters"  # one folder per environment, which the root Application syncs
DEFAULT_CLUSTER = "minikube"  # `make cluster` is always Minikube; gitops/clusters/production is for a real cluster

GITOPS_DIR = REPO_ROOT / "gitops"
IMAGES_ENV = "minikube"  # the environment whose images `make cluster` puts into the profile's image store
BUILD_CONTEXT = "apps"  # of every image, relative to REPO_ROOT (CONTRIBUTING.md "Images")

DEFAULT_WAIT_TIMEOUT = 15 * 60  # seconds; first pulls of the images and of Argo CD take a while
DEFAULT_CPUS = "4"
DEFAULT_MEMORY = "6g"  # Argo CD + Calico + 4 databases + 8 app pods

REPO_URL_PLACEHOLDER = "<REPO_URL>"
REVISION_PLACEHOLDER = "<REVISION>"


def secret_name(service: str) -> str:
    return f"{service}-db-credentials"


def expected_applications() -> list[str]:
    """The root, Argo CD's own, and one per service folder (the ApplicationSet's; registry.py lists them)."""
    return [ROOT_APP_NAME, ARGOCD_APP_NAME, *registry.NAMES]


def cluster_path(env: str) -> str:
    """The folder that the root Application syncs on a cluster of environment `env`, relative to the repository."""
    return str((CLUSTERS_DIR / env).relative_to(REPO_ROOT))


@dataclass(frozen=True)
class Settings:
    """What a run of `up` depends on besides the cluster: where Argo CD reads the repository, and limits."""

    repo_url: str
    repo_url_source: str  # a few words saying where the value came from, printed with it
    revision: str
    revision_source: str
    wait_timeout: float
    cpus: str
    memory: str
    problems: tuple[str, ...] = ()  # sentences: why a real run cannot proceed with these settings
    # Which gitops/clusters/<env> the root Application syncs: always minikube for `make cluster`, which makes a
    # Minikube; a real cluster's root Application names gitops/clusters/production instead.
    env: str = DEFAULT_CLUSTER


GitRunner = Callable[[list[str]], "str | None"]


def git_runner(env: Mapping[str, str], cwd: Path = REPO_ROOT) -> GitRunner:
    """`git <args>` in the repository: its stripped stdout, or None when git is missing or fails."""

    def run(args: list[str]) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=cwd, env=dict(env), capture_output=True, text=True, check=False)
        except OSError:  # git not installed (or not on the PATH we were given)
            return None
        return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None

    return run


_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?!//)(?P<path>.+)$")
_URL = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/]*@)?(?P<host>[^/:]+)(?::(?P<port>\d+))?(?P<path>/.*)$")


def https_url(remote: str) -> str | None:
    """The https form of a git remote that Argo CD can clone without credentials; None for a local path.

    `git@github.com:o/r.git` and `ssh://git@github.com/o/r.git` become `https://github.com/o/r.git`:
    Argo CD could use SSH, but only with a key registered in the cluster, and a public repository needs
    none over https. Credentials in an https URL are dropped, so that no token reaches the cluster or
    the terminal.
    """
    remote = remote.strip()
    url = _URL.match(remote)
    if url:
        scheme, host, port, path = url["scheme"], url["host"], url["port"], url["path"]
        if scheme in ("http", "https"):
            return f"{scheme}://{host}{':' + port if port else ''}{path}"
        if scheme in ("ssh", "git", "git+ssh", "ssh+git"):
            return f"https://{host}{path}"  # an SSH port says nothing about the https one
        return None  # file:// and other local transports
    scp = _SCP_LIKE.match(remote)
    if scp and not remote.startswith((".", "/", "~")):
        return f"https://{scp['host']}/{scp['path'].lstrip('/')}"
    return None


def resolve_repo_url(env: Mapping[str, str], git: GitRunner) -> tuple[str | None, str]:
    """REPO_URL, else the `origin` remote in its https form. (url or None, where it came from / why not)."""
    if env.get("REPO_URL"):
        return env["REPO_URL"], "from REPO_URL"
    origin = git(["remote", "get-url", "origin"])
    if origin is None:
        return None, (
            "there is no `origin` remote (or no git): set REPO_URL to the https URL of the repository"
            " that Argo CD should read, e.g. `make cluster REPO_URL=https://github.com/<owner>/<repo>.git`"
        )
    url = https_url(origin)
    if url is None:
        return None, (
            f"the `origin` remote ({origin}) is a local path that Argo CD inside Minikube cannot reach:"
            " set REPO_URL to the https URL of a pushed copy of the repository"
        )
    if url != origin:
        return url, f"the `origin` remote {origin} in https form: SSH would need a key in the cluster"
    return url, "from the `origin` remote"


def resolve_revision(env: Mapping[str, str], git: GitRunner) -> tuple[str | None, str]:
    """REVISION, else the current branch, else (detached HEAD) the current commit."""
    if env.get("REVISION"):
        return env["REVISION"], "from REVISION"
    branch = git(["rev-parse", "--abbrev-ref", "HEAD"])
    if branch and branch != "HEAD":
        return branch, "the current branch"
    commit = git(["rev-parse", "HEAD"])
    if commit:
        return commit, "the current commit (detached HEAD)"
    return None, "this is not a git checkout with a commit: set REVISION to the branch Argo CD should follow"


def _positive_seconds(raw: str | None, default: float) -> tuple[float, str | None]:
    if not raw:
        return default, None
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if value <= 0:
        return default, f"WAIT_TIMEOUT={raw!r} is not a positive number of seconds"
    return value, None


def resolve_settings(env: Mapping[str, str], git: GitRunner) -> Settings:
    """Settings from the environment and git; what cannot be resolved gets a placeholder and a problem."""
    problems: list[str] = []
    repo_url, repo_source = resolve_repo_url(env, git)
    if repo_url is None:
        problems.append(repo_source[0].upper() + repo_source[1:] + ".")
        repo_url, repo_source = REPO_URL_PLACEHOLDER, "unresolved"
    revision, revision_source = resolve_revision(env, git)
    if revision is None:
        problems.append(revision_source[0].upper() + revision_source[1:] + ".")
        revision, revision_source = REVISION_PLACEHOLDER, "unresolved"
    timeout, timeout_problem = _positive_seconds(env.get("WAIT_TIMEOUT"), DEFAULT_WAIT_TIMEOUT)
    if timeout_problem:
        problems.append(timeout_problem + ".")
    return Settings(
        repo_url=repo_url,
        repo_url_source=repo_source,
        revision=revision,
        revision_source=revision_source,
        wait_timeout=timeout,
        cpus=env.get("MINIKUBE_CPUS") or DEFAULT_CPUS,
        memory=env.get("MINIKUBE_MEMORY") or DEFAULT_MEMORY,
        problems=tuple(problems),
    )
