"""The images that the minikube environment deploys, as gitops/envs/minikube/<svc>/kustomization.yaml names them.

`make cluster` puts each one that is missing into the Minikube profile's image store before Argo CD's first
sync (bootstrap/plan.py), so a fresh fork needs no registry. The kubelet then uses it without pulling: a
container without imagePullPolicy gets IfNotPresent unless its tag is `latest` (kubernetes/kubernetes,
pkg/apis/core/v1/defaults.go, SetDefaults_Container); tests/bootstrap/test_bootstrap_images.py checks the
rendered manifests for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import registry
from bootstrap.config import GITOPS_DIR, IMAGES_ENV
from scripts.delivery.image_name import image_entry
from scripts.delivery.kustomization import BumpError


@dataclass(frozen=True)
class Image:
    service: str
    ref: str  # name:tag, or name@sha256:... when the environment pins a digest

    @property
    def buildable(self) -> bool:
        """A digest names one exact image from a registry: a local build cannot produce it."""
        return "@" not in self.ref


def image_ref(entry: dict[str, str], service: str) -> str:
    """The reference kustomize writes into the manifests for this `images:` entry."""
    name = entry.get("newName", service)
    if "digest" in entry:
        return f"{name}@{entry['digest']}"
    return f"{name}:{entry.get('newTag', 'latest')}"


def wanted_images(gitops_dir: Path = GITOPS_DIR, env: str = IMAGES_ENV) -> tuple[list[Image], list[str]]:
    """Every service's image in `env`, and one sentence for each that cannot be read."""
    images, problems = [], []
    for service in registry.NAMES:
        try:
            images.append(Image(service, image_ref(image_entry(gitops_dir, env, service), service)))
        except BumpError as error:
            problems.append(f"The image of {service} cannot be read: {error}.")
    return images, problems


def missing(images: list[Image], present: set[str] | None) -> list[str]:
    """The buildable images that are not in `present` (none when what is present is not known)."""
    if present is None:
        return []
    return [image.ref for image in images if image.buildable and image.ref not in present]
