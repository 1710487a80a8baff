"""The Dockerfiles' shape: pinned base, multi-stage, the manifests' user, port 5000, one text for four services.

test_dockerfile_entrypoint.py runs what they run; this file checks what can be read from them.
"""

from __future__ import annotations

import re

import pytest
import yaml

from registry import NAMES, ROOT
from scripts.delivery.render import kustomize
from tests.delivery.dockerfile import APPS, DockerIgnore, dockerfile, stages

PINNED_BASE = re.compile(r"python:3\.11\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?")


def test_the_four_dockerfiles_are_one_text_but_for_the_service_name() -> None:
    """Four files because CONTRIBUTING.md asks for apps/<svc>/Dockerfile; this keeps them from drifting."""
    texts = {s: re.sub(rf"\b{s}\b", "SERVICE", dockerfile(s).read_text()) for s in NAMES}
    reference = texts["users"]
    for service, text in texts.items():
        assert text == reference, f"apps/{service}/Dockerfile differs from apps/users/Dockerfile beyond the name"


@pytest.mark.parametrize("service", NAMES)
def test_base_image_is_pinned_and_shared_by_every_stage(service: str) -> None:
    parsed = stages(dockerfile(service).read_text())
    assert len(parsed) >= 2, "multi-stage: a builder and the runtime"
    assert {stage.image for stage in parsed} == {parsed[-1].image}
    assert PINNED_BASE.fullmatch(parsed[-1].image), parsed[-1].image
    assert "@sha256:" in parsed[-1].image, "pinned by digest too"


@pytest.mark.parametrize("service", NAMES)
def test_the_runtime_stage_takes_the_built_environment_and_installs_nothing(service: str) -> None:
    final = stages(dockerfile(service).read_text())[-1]
    assert any(flags.get("from") for flags, _, _ in final.copies()), "COPY --from=<builder> of the venv"
    for run in final.all("RUN"):
        assert "install" not in run.args.split(), f"line {run.line}: the runtime stage installs {run.args!r}"
    assert {dest for flags, _, dest in final.copies() if not flags} == {"/app/service_core", f"/app/{service}"}


@pytest.mark.parametrize("service", NAMES)
def test_runtime_settings(service: str) -> None:
    final = stages(dockerfile(service).read_text())[-1]
    env = final.env()
    assert env["PYTHONPATH"] == "/app"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert [e.args for e in final.all("EXPOSE")] == ["5000"]
    command = final.cmd()
    assert command[0] == "gunicorn"
    assert command[command.index("--bind") + 1] == "0.0.0.0:5000"
    assert command[-1] == f"{service}:create_app()"


def _user(service: str) -> tuple[int, int]:
    user = stages(dockerfile(service).read_text())[-1].last("USER")
    assert user is not None, "the runtime stage sets USER"
    match = re.fullmatch(r"(\d+):(\d+)", user.args.strip())
    assert match, f"USER {user.args}: numeric uid:gid, so that runAsNonRoot can verify it"
    return int(match[1]), int(match[2])


@pytest.mark.parametrize("service", NAMES)
def test_the_user_is_numeric_and_not_root(service: str) -> None:
    uid, gid = _user(service)
    assert uid >= 10000 and gid >= 10000  # clear of any user a base image may define


@pytest.mark.parametrize("service", NAMES)
def test_the_user_is_the_runAsUser_of_the_rendered_manifests(service: str) -> None:
    """Every pod that runs this service's image (the app and its migration Job) runs as the image's user."""
    uid, gid = _user(service)
    documents = [d for d in yaml.safe_load_all(kustomize(ROOT / "gitops" / "envs" / "minikube" / service)) if d]
    pods = [d["spec"]["template"]["spec"] for d in documents if d["kind"] in ("Deployment", "Job")]
    checked = 0
    for pod in pods:
        for container in pod["containers"]:
            if container["image"].rsplit("/", 1)[-1].split(":")[0].split("@")[0] != service:
                continue
            context = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
            assert (context.get("runAsUser"), context.get("runAsGroup")) == (uid, gid), container["name"]
            checked += 1
    assert checked >= 2, "the app Deployment and the migration Job both run the image"


def test_the_build_context_has_a_dockerignore_that_keeps_junk_out() -> None:
    ignore = DockerIgnore.read(APPS / ".dockerignore")
    assert (APPS / ".dockerignore").is_file()
    for path in (
        "users/users/__pycache__/api.cpython-311.pyc",
        "core/service_core/x.pyc",
        ".venv/bin/python",
        "users/.env",
        "users/tests/test_x.py",
        "notes.md",
    ):
        assert not ignore.sent(path), path
    for path in (
        "users/users/api.py",
        "core/service_core/app.py",
        "core/requirements.txt",
        "offers/requirements.txt",
        "routes/Dockerfile",
        "users/users/migrations/env.py",
    ):
        assert ignore.sent(path), path
