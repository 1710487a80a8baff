"""Production (gitops/envs/production/): every variant keeps production's own rules, each rule can fail, and the
production switches are where the docs say (one host, no reset, no ephemeral database, a digest per service)."""

from __future__ import annotations

import warnings

import pytest
import yaml

from scripts.delivery import render
from tests.policy.breaches import Breach, container, removing
from tests.policy.production_rules import NEVER_PROMOTED, PRODUCTION_RULES, hosts, never_promoted
from tests.policy.variants import VARIANTS
from tests.support.manifests import Obj, apps, find, of_kind

PRODUCTION = render.GITOPS / "envs" / "production"
PRODUCTION_VARIANTS = [variant for variant in VARIANTS if variant.split("+")[0] == "production"]
REAL_DIGEST = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def production(variant_docs: dict[str, list[Obj]]) -> list[Obj]:
    return variant_docs["production"]


def test_production_is_rendered_in_every_combination() -> None:
    assert PRODUCTION_VARIANTS == [
        "production",
        "production+ephemeral-database",
        "production+isolated",
        "production+ephemeral-database+isolated",
    ]


@pytest.mark.parametrize("variant", PRODUCTION_VARIANTS)
def test_production_variant_keeps_every_production_rule(variant: str, variant_docs: dict[str, list[Obj]]) -> None:
    docs = variant_docs[variant]
    assert {name: found for name, rule in PRODUCTION_RULES.items() if (found := rule(docs))} == {}


def test_production_has_an_ingress_per_service_on_the_one_host_written_once(production: list[Obj]) -> None:
    assert sorted(i["metadata"]["name"] for i in of_kind(production, "Ingress")) == sorted(
        a["metadata"]["name"] for a in apps(production)
    )
    committed = yaml.safe_load((PRODUCTION / "settings" / "ingress.yaml").read_text(encoding="utf-8"))
    assert hosts(production) == {committed["spec"]["rules"][0]["host"]} == {"marketplace.example.com"}
    text = "".join(path.read_text(encoding="utf-8") for path in PRODUCTION.rglob("*.yaml"))
    assert text.count("marketplace.example.com") == 1


def test_production_lists_neither_reset_nor_the_ephemeral_database() -> None:
    settings = (PRODUCTION / "settings" / "kustomization.yaml").read_text(encoding="utf-8")
    listed = yaml.safe_load(settings).get("components") or []
    assert [c for c in listed if "reset-endpoint" in c or "ephemeral-database" in c] == []
    for service in render.services(PRODUCTION):
        kustomization = yaml.safe_load((service / "kustomization.yaml").read_text(encoding="utf-8"))
        assert kustomization["components"] == ["../settings"], service.name


def test_production_databases_keep_a_volume_claim(production: list[Obj]) -> None:
    for database in of_kind(production, "StatefulSet"):
        assert [c["metadata"]["name"] for c in database["spec"]["volumeClaimTemplates"]] == ["data"]
        volumes = database["spec"]["template"]["spec"]["volumes"]
        assert "data" not in {volume["name"] for volume in volumes if "emptyDir" in volume}


def test_a_service_never_promoted_is_reported(production: list[Obj]) -> None:
    """The committed placeholder is no image; say so in the test report, by service, until a promotion."""
    waiting = never_promoted(production)
    if waiting:
        warnings.warn(f"production never promoted: {', '.join(waiting)} (run promote.yml)", stacklevel=1)
    promoted = Breach("", "Deployment/users", "", (*container(), "image"), f"ghcr.io/x/users@{REAL_DIGEST}")
    assert "users" not in never_promoted(promoted.applied_to(production))
    placeholder = Breach("", "Deployment/users", "", (*container(), "image"), f"ghcr.io/x/users@{NEVER_PROMOTED}")
    assert "users" in never_promoted(placeholder.applied_to(production))


def _node_port(docs: list[Obj]) -> None:
    find(docs, "Service", "posts")["spec"].update(type="NodePort")
    find(docs, "Service", "posts")["spec"]["ports"][0]["nodePort"] = 30004


def _reset_on(docs: list[Obj]) -> None:
    find(docs, "Deployment", "offers")["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "RESET_ENABLED", "value": "true"}
    )


def _second_host(docs: list[Obj]) -> None:
    find(docs, "Ingress", "routes")["spec"]["rules"][0]["host"] = "other.example.com"


BREACHES = [
    Breach("production-autoscaled", "HorizontalPodAutoscaler/users", "two replicas", ("spec", "minReplicas"), 2),
    Breach("production-no-node-port", "Service/posts", "a NodePort again", custom=_node_port),
    Breach(
        "production-ingress", "Ingress/routes", "another path", ("spec", "rules", 0, "http", "paths", 0, "path"), "/"
    ),
    Breach("production-ingress", "Ingress/*", "a second host", custom=_second_host),
    Breach("production-ingress", "Deployment/offers", "no Ingress", custom=removing("Ingress", "offers")),
    Breach("production-no-reset", "Deployment/offers", "reset on", custom=_reset_on),
    Breach(
        "production-image-digest",
        "Deployment/routes",
        "a tag",
        (*container(), "image"),
        "ghcr.io/gitops-marketplace/routes:0.1.0",
    ),
]


def test_every_production_rule_has_a_breach() -> None:
    assert {breach.rule for breach in BREACHES} == set(PRODUCTION_RULES)


@pytest.mark.parametrize("breach", BREACHES, ids=lambda breach: breach.id)
def test_production_rule_reports_its_breach(breach: Breach, production: list[Obj]) -> None:
    found = PRODUCTION_RULES[breach.rule](breach.applied_to(production))
    assert any(violation.startswith(f"{breach.target}: ") for violation in found), found


def test_the_minikube_render_breaks_the_production_rules(minikube: list[Obj]) -> None:
    """The rules tell the two environments apart: Minikube's NodePorts, reset and tags fail them."""
    failing = {name for name, rule in PRODUCTION_RULES.items() if rule(minikube)}
    assert failing == set(PRODUCTION_RULES)
