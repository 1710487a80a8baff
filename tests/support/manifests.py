"""Reading rendered manifests: parse them, find objects, walk pod templates, match label selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

Obj = dict[str, Any]

NAME = "app.kubernetes.io/name"
COMPONENT = "app.kubernetes.io/component"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job", "CronJob")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the CRDs are large


def load(text: str) -> list[Obj]:
    return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc]


def ref(obj: Obj) -> str:
    """`Kind/name`: how every violation names its object."""
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def of_kind(docs: list[Obj], kind: str) -> list[Obj]:
    return [doc for doc in docs if doc.get("kind") == kind]


def find(docs: list[Obj], kind: str, name: str) -> Obj:
    for doc in of_kind(docs, kind):
        if doc["metadata"]["name"] == name:
            return doc
    raise KeyError(f"{kind}/{name} is not rendered")


def labels(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def annotations(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("annotations") or {}


def workloads(docs: list[Obj]) -> list[Obj]:
    return [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]


def with_component(docs: list[Obj], kind: str, component: str) -> list[Obj]:
    """The service's objects of one role: `api` Deployments, `database` StatefulSets, `migration` Jobs."""
    return [doc for doc in of_kind(docs, kind) if labels(doc).get(COMPONENT) == component]


def apps(docs: list[Obj]) -> list[Obj]:
    return with_component(docs, "Deployment", "api")


def databases(docs: list[Obj]) -> list[Obj]:
    return with_component(docs, "StatefulSet", "database")


def migrations(docs: list[Obj]) -> list[Obj]:
    return with_component(docs, "Job", "migration")


def backups(docs: list[Obj]) -> list[Obj]:
    return with_component(docs, "CronJob", "backup")


def service_of(obj: Obj) -> str:
    return labels(obj).get(NAME, "")


def pod_template(workload: Obj) -> Obj:
    """The template of the workload's pods; a CronJob's is inside its Job template."""
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    return spec["template"]


def pod_spec(workload: Obj) -> Obj:
    return pod_template(workload)["spec"]


def pod_labels(workload: Obj) -> dict[str, str]:
    return pod_template(workload).get("metadata", {}).get("labels") or {}


def containers(workload: Obj) -> Iterator[Obj]:
    spec = pod_spec(workload)
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def main_container(workload: Obj) -> Obj:
    return pod_spec(workload)["containers"][0]


def env_list(container: Obj) -> list[Obj]:
    return container.get("env") or []


def env_value(container: Obj, name: str) -> Obj | None:
    return next((item for item in env_list(container) if item.get("name") == name), None)


def matches(selector: Obj | None, pod: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (matchLabels + matchExpressions); an empty selector matches all."""
    selector = selector or {}
    if any(pod.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in pod
        if operator == "In" and not (present and pod[key] in values):
            return False
        if operator == "NotIn" and present and pod[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
