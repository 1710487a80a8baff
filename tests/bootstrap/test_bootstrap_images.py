"""The images `make cluster` puts into the profile's store: the ones the rendered manifests run, used as built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import registry
from bootstrap import images
from bootstrap.config import GITOPS_DIR
from bootstrap.minikube import parse_image_list, parse_version
from bootstrap.prereqs import minikube_too_old
from scripts.delivery.render import render_env

# What `minikube image ls --format=json` prints (shape of cruntime.ListImage, minikube v1.38.1).
LISTED = (
    '[{"id":"sha256:4a1f","repoDigests":[],"repoTags":["ghcr.io/gitops-marketplace/users:0.1.0"],'
    '"size":"152000000"},{"id":"sha256:9c2e","repoDigests":["registry.k8s.io/pause@sha256:7c38"],'
    '"repoTags":["registry.k8s.io/pause:3.10","registry.k8s.io/pause:latest"],"size":"736000"}]'
)


def test_the_image_list_is_read_from_its_json() -> None:
    assert parse_image_list(LISTED) == {
        "ghcr.io/gitops-marketplace/users:0.1.0",
        "registry.k8s.io/pause:3.10",
        "registry.k8s.io/pause:latest",
    }
    assert parse_image_list('* Profile "marketplace" not found.') == set()
    assert parse_image_list("{}") == set()


@pytest.mark.parametrize(
    ("printed", "version"),
    [
        ("v1.38.1", (1, 38, 1)),
        ("v1.39.0-beta.0\n", (1, 39, 0)),
        ("minikube version: v1.37.0\ncommit: 65", (1, 37, 0)),
        ("v0.0.0-unset", (0, 0, 0)),
        ("", None),
        ("unknown", None),
    ],
)
def test_the_version_is_read_from_what_version_short_prints(printed: str, version: tuple[int, ...] | None) -> None:
    assert parse_version(printed) == version


def test_only_a_minikube_older_than_the_minimum_is_refused() -> None:
    assert minikube_too_old("v1.38.0") == (
        "minikube v1.38.0 is too old for Kubernetes v1.35.1: install minikube v1.38.1 or newer from"
        " https://minikube.sigs.k8s.io/docs/start/."
    )
    assert minikube_too_old("v1.37.9") is not None
    assert [minikube_too_old(v) for v in ("v1.38.1", "v1.39.0", "v2.0.0", None, "dev build")] == [None] * 5


def rendered_containers() -> list[dict[str, str]]:
    docs = [doc for doc in yaml.safe_load_all(render_env(GITOPS_DIR / "envs" / "minikube")) if doc]
    pods = [doc["spec"]["template"]["spec"] for doc in docs if doc["kind"] in ("Deployment", "StatefulSet", "Job")]
    return [container for pod in pods for container in pod.get("initContainers", []) + pod["containers"]]


def test_the_images_are_exactly_those_the_rendered_minikube_manifests_run_and_the_kubelet_uses_them_as_built() -> None:
    wanted, problems = images.wanted_images()
    assert problems == []
    assert [image.service for image in wanted] == list(registry.NAMES)
    ours = [c for c in rendered_containers() if not c["image"].startswith("postgres:")]
    assert {c["image"] for c in ours} == {image.ref for image in wanted}
    for container in ours:  # the app and its migration Job: both run the service's image
        # Unset, the policy is IfNotPresent unless the tag is `latest` (kubernetes/kubernetes,
        # pkg/apis/core/v1/defaults.go SetDefaults_Container): the image built into the store is used.
        assert container.get("imagePullPolicy", "IfNotPresent") == "IfNotPresent", container["name"]
        assert not container["image"].endswith(":latest") and ":" in container["image"].rsplit("/", 1)[-1]


def test_an_unreadable_kustomization_is_one_sentence_and_a_digest_is_not_built(tmp_path: Path) -> None:
    gitops = tmp_path / "gitops"
    shutil.copytree(GITOPS_DIR / "envs", gitops / "envs")
    (gitops / "envs" / "minikube" / "routes" / "kustomization.yaml").unlink()
    posts = gitops / "envs" / "minikube" / "posts" / "kustomization.yaml"
    text = posts.read_text()
    tag_line = next(line for line in text.splitlines() if "newTag:" in line)
    posts.write_text(text.replace(tag_line, "    digest: sha256:" + "b" * 64))

    wanted, problems = images.wanted_images(gitops)

    assert len(problems) == 1 and problems[0].startswith("The image of routes cannot be read: ")
    assert "does not deploy 'routes'" in problems[0] and problems[0].endswith(".")
    by_service = {image.service: image for image in wanted}
    assert by_service["posts"].ref.endswith("/posts@sha256:" + "b" * 64) and not by_service["posts"].buildable
    assert images.missing(wanted, set()) == [by_service[s].ref for s in ("users", "offers")]
    assert images.missing(wanted, None) == []
