"""The rules production keeps instead of Minikube's NodePort and replica rules, plus what only production promises
(docs/delivery.md "Production"): each is a pure function, rendered objects in, violations out, like rules.py."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.policy.rules import Rule, autoscaled
from tests.support.manifests import Obj, apps, containers, env_value, of_kind, ref, service_of, workloads

PRODUCTION_RULES: dict[str, Rule] = {}
INGRESS_CLASS = "nginx"
NEVER_PROMOTED = "sha256:" + "0" * 64  # the placeholder digest of a service no promotion has reached yet
_BY_DIGEST = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


def _rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        PRODUCTION_RULES[name] = function
        return function

    return register


@_rule("production-autoscaled")
def production_autoscaled(docs: list[Obj]) -> list[str]:
    """Three replicas at least (a rolling update or a drain still leaves two), room up to ten."""
    return autoscaled(docs, 3, 10)


@_rule("production-no-node-port")
def production_no_node_port(docs: list[Obj]) -> list[str]:
    return [
        f"{ref(svc)}: type {svc['spec'].get('type')}, not ClusterIP (production is reached through its Ingress)"
        for svc in of_kind(docs, "Service")
        if svc["spec"].get("type", "ClusterIP") != "ClusterIP" or any("nodePort" in p for p in svc["spec"]["ports"])
    ]


@_rule("production-ingress")
def production_ingress(docs: list[Obj]) -> list[str]:
    """Each app has an Ingress of its own, class nginx, on the environment's one host, path /<svc> to its Service."""
    found = []
    ingresses = {ingress["metadata"]["name"]: ingress for ingress in of_kind(docs, "Ingress")}
    hosts = {rule.get("host") for ingress in ingresses.values() for rule in ingress["spec"].get("rules", [])}
    if len(hosts) != 1 or None in hosts:
        found.append(f"Ingress/*: {len(hosts)} hosts ({', '.join(sorted(map(str, hosts)))}), not one")
    for app in apps(docs):
        service = service_of(app)
        ingress = ingresses.get(service)
        wanted = {"path": f"/{service}", "pathType": "Prefix", "service": service, "port": {"name": "http"}}
        got = [
            {"path": p.get("path"), "pathType": p.get("pathType"), **_backend(p)}
            for rule in (ingress or {}).get("spec", {}).get("rules", [])
            for p in rule.get("http", {}).get("paths", [])
        ]
        if ingress is None:
            found.append(f"{ref(app)}: no Ingress {service}")
        elif ingress["spec"].get("ingressClassName") != INGRESS_CLASS or got != [wanted]:
            found.append(f"Ingress/{service}: expected class {INGRESS_CLASS} and one path {wanted}, found {got}")
    return found


def _backend(path: Obj) -> Obj:
    service = path.get("backend", {}).get("service", {})
    return {"service": service.get("name"), "port": service.get("port")}


@_rule("production-no-reset")
def production_no_reset(docs: list[Obj]) -> list[str]:
    return [
        f"{ref(workload)}: sets RESET_ENABLED (POST /<svc>/reset must answer 404 in production)"
        for workload in workloads(docs)
        for container in containers(workload)
        if env_value(container, "RESET_ENABLED") is not None
    ]


@_rule("production-image-digest")
def production_image_digest(docs: list[Obj]) -> list[str]:
    """The images of the services are pulled by digest: what was promoted is exactly what runs."""
    return [
        f"{ref(workload)}: image {container['image']} is not pinned by digest"
        for workload in workloads(docs)
        for container in containers(workload)
        if container["image"].startswith("ghcr.io/") and not _BY_DIGEST.match(container["image"])
    ]


def never_promoted(docs: list[Obj]) -> list[str]:
    """The services whose app still runs the placeholder digest: no promotion has reached them."""
    return sorted(
        service_of(app) for app in apps(docs) if any(c["image"].endswith(NEVER_PROMOTED) for c in containers(app))
    )


def hosts(docs: list[Obj]) -> set[str]:
    return {rule["host"] for ingress in of_kind(docs, "Ingress") for rule in ingress["spec"]["rules"]}
