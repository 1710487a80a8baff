"""docs/cluster.md's recipe for a restore in the cluster works against the rendered manifests: its Pod is valid,
runs like the backup CronJob's pods, and the NetworkPolicies let it reach its own database (and kube-dns) only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from registry import ROOT
from tests.policy.connectivity import DNS, database, nca, tcp
from tests.policy.schemas import VERSIONS, kubernetes_violations
from tests.support.manifests import COMPONENT, Obj, find, main_container, pod_spec

CLUSTER_DOC = ROOT / "docs" / "cluster.md"
_HEREDOC = re.compile(r"kubectl --context marketplace apply -f - <<EOF\n(?P<body>.*?)\nEOF\n", re.DOTALL)
SERVICE = "posts"


def recipe_pod(service: str = SERVICE) -> Obj:
    """The Pod of the recipe, with `${svc}` as the shell sets it."""
    found = _HEREDOC.findall(CLUSTER_DOC.read_text(encoding="utf-8"))
    assert len(found) == 1, "docs/cluster.md should have one `kubectl apply -f - <<EOF` recipe"
    return yaml.safe_load(found[0].replace("${svc}", service))


def reached(docs: list[Obj], pod: Obj, scratch: Path) -> dict[str, frozenset[str]]:
    source = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
    return {dst: conn for (src, dst), conn in nca([*docs, pod], scratch).items() if src == source}


def test_the_recipe_pod_is_valid() -> None:
    assert kubernetes_violations([recipe_pod()], VERSIONS) == []


def test_the_recipe_pod_runs_like_the_backup(minikube: list[Obj]) -> None:
    pod, backup = recipe_pod(), find(minikube, "CronJob", f"{SERVICE}-db-backup")
    assert pod["spec"]["securityContext"] == pod_spec(backup)["securityContext"]
    assert pod["spec"]["containers"][0]["securityContext"] == main_container(backup)["securityContext"]
    assert pod["spec"]["containers"][0]["image"] == main_container(backup)["image"]
    assert pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == f"{SERVICE}-db-backups"


@pytest.mark.parametrize("labelled", [True, False], ids=["as written", "without the backup label"])
def test_the_recipe_pod_reaches_its_database_and_dns_only(minikube: list[Obj], tmp_path: Path, labelled: bool) -> None:
    """As written it reaches posts-db; without the label its database does not admit it (the check can fail)."""
    pod = recipe_pod()
    if not labelled:
        del pod["metadata"]["labels"][COMPONENT]
    expected = {database(SERVICE): tcp(5432), DNS: frozenset({"TCP/53", "UDP/53"})} if labelled else {}
    assert reached(minikube, pod, tmp_path) == expected
