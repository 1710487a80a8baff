"""The verdicts of `make cluster-verify`, on hand-made API objects."""

from __future__ import annotations

from typing import Any

from kubernetes.client import (
    V1NetworkPolicy,
    V1ObjectMeta,
    V1Pod,
    V2CrossVersionObjectReference,
    V2HorizontalPodAutoscaler,
    V2HorizontalPodAutoscalerCondition,
    V2HorizontalPodAutoscalerSpec,
    V2HorizontalPodAutoscalerStatus,
    V2MetricStatus,
    V2MetricValueStatus,
    V2ResourceMetricStatus,
)

from bootstrap.verify.checks import (
    Finding,
    hpas_reading_metrics,
    isolation_verdict,
    network_policies_present,
    pick_pod,
    pods_ready,
    probe_command,
    probe_result,
)
from tests.support.kube_objects import pod

SERVICES = ["users", "routes"]


def healthy_pods() -> list[V1Pod]:
    return [pod(f"{svc}-{component}", svc, component) for svc in SERVICES for component in ("api", "database")]


def test_all_ready_passes_and_finished_job_pods_do_not_count() -> None:
    pods = [*healthy_pods(), pod("users-migrate-x", "users", "migration", ready=False, phase="Succeeded")]
    assert pods_ready(pods, SERVICES) == [Finding("pods", True, "all 4 running pods are Ready")]


def test_a_pod_not_ready_is_reported_with_its_reason() -> None:
    pods = [*healthy_pods()[1:], pod("users-api-1", "users", "api", ready=False, waiting="CrashLoopBackOff")]
    findings = pods_ready(pods, SERVICES)
    assert [str(f) for f in findings] == [
        "FAIL  pods: users-api-1 is Running, not Ready (users: CrashLoopBackOff)",
        "FAIL  pods: no Ready api pod of users",
    ]


def hpa(name: str, cpu: int | None, conditions: list[V2HorizontalPodAutoscalerCondition] | None = None) -> Any:
    metrics = (
        None
        if cpu is None
        else [
            V2MetricStatus(
                type="Resource",
                resource=V2ResourceMetricStatus(name="cpu", current=V2MetricValueStatus(average_utilization=cpu)),
            )
        ]
    )
    spec = V2HorizontalPodAutoscalerSpec(
        max_replicas=5, min_replicas=2, scale_target_ref=V2CrossVersionObjectReference(kind="Deployment", name=name)
    )
    status = V2HorizontalPodAutoscalerStatus(current_metrics=metrics, desired_replicas=2, conditions=conditions)
    return V2HorizontalPodAutoscaler(metadata=V1ObjectMeta(name=name), spec=spec, status=status)


def test_an_hpa_without_current_metrics_is_reported() -> None:
    unknown = V2HorizontalPodAutoscalerCondition(
        type="ScalingActive",
        status="False",
        reason="FailedGetResourceMetric",
        message="unable to get metrics for resource cpu",
    )
    findings = hpas_reading_metrics([hpa("users", 7), hpa("routes", None, [unknown])], SERVICES)
    assert [str(f) for f in findings] == [
        "PASS  hpa: users reads CPU 7%",
        "FAIL  hpa: routes reads CPU <unknown> (ScalingActive=False, FailedGetResourceMetric: unable to get"
        " metrics for resource cpu)",
    ]
    assert hpas_reading_metrics([hpa("users", 0)], SERVICES)[1] == Finding(
        "hpa", False, "no HorizontalPodAutoscaler routes"
    )


def test_network_policies_are_looked_up_by_prefix() -> None:
    policies = [
        V1NetworkPolicy(metadata=V1ObjectMeta(name=n))
        for n in ("users-network-ingress", "users-network-egress", "default-deny")
    ]
    assert network_policies_present(policies, SERVICES) == [
        Finding("network-policies", True, "users: users-network-egress, users-network-ingress"),
        Finding("network-policies", False, "routes: no NetworkPolicy routes-network*"),
    ]


def test_pick_pod_takes_a_ready_api_pod_and_its_service_container() -> None:
    pods = [
        pod("routes-db-0", "routes", "database"),
        pod("routes-1", "routes", "api", ready=False),
        pod("routes-2", "routes", "api"),
    ]
    assert pick_pod(pods, "routes") == ("routes-2", "routes")
    assert pick_pod(pods, "users") is None


def test_probe_command_is_plain_python() -> None:
    argv = probe_command("users-db", 5432)
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "probe", "exec")
    assert "('users-db', 5432)" in argv[2] and "timeout=3" in argv[2]


def test_isolation_verdicts() -> None:
    blocked = "BLOCKED TimeoutError timed out\n"
    assert probe_result("some warning\nOPEN\n") == "OPEN"
    ok = isolation_verdict("routes pod r", "routes-db:5432", "OPEN\n", "users-db:5432", blocked)
    assert ok.ok and ok.detail == (
        "routes pod r -> users-db:5432 blocked (TimeoutError timed out); routes pod r -> routes-db:5432 open"
    )
    leak = isolation_verdict("r", "routes-db:5432", "OPEN", "users-db:5432", "OPEN")
    assert not leak.ok and "not enforced (is Calico running?)" in leak.detail
    dns = isolation_verdict("r", "routes-db:5432", "BLOCKED gaierror", "users-db:5432", blocked)
    assert not dns.ok and dns.detail.startswith("inconclusive")
    odd = isolation_verdict("r", "routes-db:5432", "OPEN", "users-db:5432", "exec failed")
    assert not odd.ok
