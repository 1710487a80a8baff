"""The cluster fits the Minikube sizes the repository documents: the requests of the rendered minikube manifests
plus the system pods' (tests/policy/capacity.py says where each figure comes from) against the size each
setting gives the node — bootstrap/config.py's defaults and every `MINIKUBE_CPUS=… MINIKUBE_MEMORY=…` of
docs/cluster.md — and docs/cluster.md states the figures this computes."""

from __future__ import annotations

import copy
import re

import pytest

from bootstrap import config
from registry import ROOT
from tests.policy.breaches import container
from tests.policy.capacity import Breakdown, Requests, breakdown, node_size
from tests.support.manifests import Obj, find

CLUSTER_DOC = ROOT / "docs" / "cluster.md"
_SETTING = re.compile(r"`MINIKUBE_CPUS=(\d+) MINIKUBE_MEMORY=(\w+)")


def documented_sizes() -> dict[str, Requests]:
    """Setting as docs/cluster.md writes it -> the node it gives; the defaults first."""
    sizes = {
        f"the default, {config.DEFAULT_CPUS} CPUs, {config.DEFAULT_MEMORY}": node_size(
            config.DEFAULT_CPUS, config.DEFAULT_MEMORY
        )
    }
    for cpus, memory in _SETTING.findall(CLUSTER_DOC.read_text(encoding="utf-8")):
        sizes[f"`MINIKUBE_CPUS={cpus} MINIKUBE_MEMORY={memory}`"] = node_size(cpus, memory)
    return sizes


def shortfalls(docs: list[Obj], sizes: dict[str, Requests]) -> list[str]:
    total = breakdown(docs).total
    return [
        f"{setting}: the pods request {total.cpu}m CPU and {total.memory} Mi, "
        f"the node has {size.cpu}m and {size.memory} Mi"
        for setting, size in sizes.items()
        if not total.fits(size)
    ]


def row(label: str, requests: Requests) -> str:
    return f"| {label} | {requests.cpu}m | {requests.memory} Mi |"


def requests_rows(found: Breakdown) -> list[str]:
    """The rows of docs/cluster.md's table of requests, up to their last figure."""
    return [
        row(
            "system pods: kube-apiserver, kube-controller-manager, kube-scheduler, etcd, CoreDNS (1 pod), "
            "calico-node, metrics-server",
            found.system,
        ),
        row("the four apps at the HPA minimum (2 pods each)", found.apps),
        row("the four databases", found.databases),
        row("the four backup CronJobs, each at 03:00 UTC (one pod each)", found.backups),
        row(
            "a sync of all four services at once: for each, its migration Job or its rollout's extra pod, "
            "whichever requests more",
            found.syncing,
        ),
        row("total", found.total),
        row("total with every HPA at its maximum (5 pods each)", found.total_at_maximum),
    ]


def test_docs_name_a_smaller_setting_besides_the_default() -> None:
    assert len(documented_sizes()) >= 2, "docs/cluster.md names no `MINIKUBE_CPUS=… MINIKUBE_MEMORY=…` setting"


def test_the_requests_fit_every_documented_size(minikube: list[Obj]) -> None:
    assert shortfalls(minikube, documented_sizes()) == []


def test_every_hpa_at_its_maximum_fits_the_default_size(minikube: list[Obj]) -> None:
    """What docs/cluster.md says, and why the backup CronJobs request so little."""
    assert breakdown(minikube).total_at_maximum.fits(node_size(config.DEFAULT_CPUS, config.DEFAULT_MEMORY))
    assert "Even with every HPA at its maximum, the default size still fits." in CLUSTER_DOC.read_text()


def test_two_cpus_are_too_few(minikube: list[Obj]) -> None:
    """Why docs/cluster.md no longer offers 2 CPUs: the system pods and the apps request more, by what it says."""
    missing = breakdown(minikube).total.cpu - node_size("2", "8g").cpu
    assert missing > 0
    assert f"With 2 CPUs, {missing}m are missing" in CLUSTER_DOC.read_text(encoding="utf-8")


def test_docs_state_the_computed_requests(minikube: list[Obj]) -> None:
    text = CLUSTER_DOC.read_text(encoding="utf-8")
    assert [line for line in requests_rows(breakdown(minikube)) if line not in text] == []


def test_docs_state_what_each_size_leaves(minikube: list[Obj]) -> None:
    total, text = breakdown(minikube).total, CLUSTER_DOC.read_text(encoding="utf-8")
    rows = [
        row(setting, Requests(size.cpu - total.cpu, size.memory - total.memory))
        for setting, size in documented_sizes().items()
    ]
    assert [line for line in rows if line not in text] == []


def _request(docs: list[Obj], kind: str, name: str, resource: str, value: str) -> list[Obj]:
    broken = copy.deepcopy(docs)
    obj = find(broken, kind, name)
    for key in container():
        obj = obj[key]
    obj["resources"]["requests"][resource] = value
    return broken


@pytest.mark.parametrize(
    ("kind", "name", "resource", "value"),
    [
        ("StatefulSet", "users-db", "memory", "2Gi"),  # +1792 Mi
        ("Deployment", "posts", "cpu", "300m"),  # +200m on each of 2 pods and on the rollout's extra one
    ],
)
def test_a_grown_request_no_longer_fits_the_smaller_setting(
    minikube: list[Obj], kind: str, name: str, resource: str, value: str
) -> None:
    sizes = documented_sizes()
    assert shortfalls(minikube, sizes) == []
    found = shortfalls(_request(minikube, kind, name, resource, value), sizes)
    assert any(line.startswith("`MINIKUBE_CPUS=") for line in found), found
