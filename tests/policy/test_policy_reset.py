"""`POST /<svc>/reset` only where an environment enables it: RESET_ENABLED=true comes from the env's settings/
Component (gitops/envs/<env>/settings, which includes gitops/service-template/reset-endpoint), never from
gitops/services/<svc>."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts.delivery import render
from tests.policy.contract import SERVICES
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj, apps, containers, env_value, load, main_container, migrations, workloads

RESET = "RESET_ENABLED"
MINIKUBE = render.GITOPS / "envs" / "minikube"


def reset_setting(container: Obj) -> Obj | None:
    return env_value(container, RESET)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.split("+")[0] == "minikube"])
def test_every_minikube_app_serves_reset(variant: str, variant_docs: dict[str, list[Obj]]) -> None:
    """The course suites reset between runs: every app container of minikube has RESET_ENABLED=true."""
    deployments = apps(variant_docs[variant])
    assert sorted(app["metadata"]["name"] for app in deployments) == sorted(SERVICES)
    for app in deployments:
        assert reset_setting(main_container(app)) == {"name": RESET, "value": "true"}, app["metadata"]["name"]


def test_the_migration_jobs_and_databases_have_no_reset_setting(minikube: list[Obj]) -> None:
    """Only the app container serves requests; the migration Job keeps the template's environment."""
    assert len(migrations(minikube)) == len(SERVICES)
    others = [w for w in workloads(minikube) if w not in apps(minikube)]
    assert [w["metadata"]["name"] for w in others if any(reset_setting(c) for c in containers(w))] == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_base_alone_never_enables_reset(service: str, kubectl: Path) -> None:
    """gitops/services/<svc> is what every environment starts from: without settings/, no reset."""
    docs = load(render.kustomize(render.GITOPS / "services" / service, kubectl))
    assert apps(docs), "the service renders no app Deployment"
    assert [w["metadata"]["name"] for w in workloads(docs) if any(reset_setting(c) for c in containers(w))] == []


def test_every_minikube_service_lists_the_environment_settings() -> None:
    """settings/ is the one place for env-wide features: a service that skipped it would miss them all."""
    for service in render.services(MINIKUBE):
        kustomization = yaml.safe_load((service / "kustomization.yaml").read_text(encoding="utf-8"))
        assert "../settings" in (kustomization.get("components") or []), service.name
    settings = yaml.safe_load((MINIKUBE / "settings" / "kustomization.yaml").read_text(encoding="utf-8"))
    assert settings["kind"] == "Component"


def test_a_component_folder_of_an_env_is_not_a_service(tmp_path: Path) -> None:
    """Decided by `kind`, not by the folder's name."""
    for name, kind in [("users", "Kustomization"), ("shared", "Component"), ("settings", "Kustomization")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "kustomization.yaml").write_text(
            f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: {kind}\n", encoding="utf-8"
        )
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "kustomization.yaml").write_text("resources: [app.yaml]\n", encoding="utf-8")
    assert [path.name for path in render.services(tmp_path)] == ["plain", "settings", "users"]
