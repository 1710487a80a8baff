"""The verdicts of `make cluster-verify`: pure functions of what the Kubernetes API returned.

Each takes the client's model objects (V1Pod, V2HorizontalPodAutoscaler, V1NetworkPolicy...) and returns
Findings, so that tests can hand-make the objects instead of needing a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PROBE_TIMEOUT = 3  # seconds; a NetworkPolicy drop shows as a timeout


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'}  {self.check}: {self.detail}"


def _labels(obj: Any) -> dict[str, str]:
    return obj.metadata.labels or {}


def is_ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def _why_not_ready(pod: Any) -> str:
    """The first container's waiting/terminated reason (CrashLoopBackOff, ImagePullBackOff...), if any."""
    for status in [*(pod.status.init_container_statuses or []), *(pod.status.container_statuses or [])]:
        state = status.state
        for reason_of in (state.waiting, state.terminated) if state else ():
            if reason_of is not None and reason_of.reason:
                return f" ({status.name}: {reason_of.reason})"
    return ""


def pods_ready(pods: Sequence[Any], services: Iterable[str]) -> list[Finding]:
    """Every pod Ready (pods of finished Jobs aside), and a Ready api and database pod for each service."""
    findings = [
        Finding("pods", False, f"{pod.metadata.name} is {pod.status.phase}, not Ready{_why_not_ready(pod)}")
        for pod in pods
        if pod.status.phase != "Succeeded" and not is_ready(pod)
    ]
    for service in services:
        for component in ("api", "database"):
            if not any(
                is_ready(pod)
                and _labels(pod).get("app.kubernetes.io/name") == service
                and _labels(pod).get("app.kubernetes.io/component") == component
                for pod in pods
            ):
                findings.append(Finding("pods", False, f"no Ready {component} pod of {service}"))
    if not findings:
        ready = sum(1 for pod in pods if is_ready(pod))
        findings.append(Finding("pods", True, f"all {ready} running pods are Ready"))
    return findings


def cpu_reading(hpa: Any) -> str | None:
    """The current CPU value an HPA reads ("12%"), or None where `kubectl get hpa` shows <unknown>."""
    for metric in hpa.status.current_metrics or []:
        resource = metric.resource
        if metric.type == "Resource" and resource is not None and resource.name == "cpu" and resource.current:
            if resource.current.average_utilization is not None:
                return f"{resource.current.average_utilization}%"
            if resource.current.average_value is not None:
                return str(resource.current.average_value)
    return None


def _hpa_trouble(hpa: Any) -> str:
    for condition in hpa.status.conditions or []:
        if condition.status == "False":
            return f" ({condition.type}=False, {condition.reason}: {condition.message})"
    return ""


def hpas_reading_metrics(hpas: Sequence[Any], services: Iterable[str]) -> list[Finding]:
    """An HPA per service (named like it), each reading a CPU value from metrics-server."""
    by_name = {hpa.metadata.name: hpa for hpa in hpas}
    findings = []
    for service in services:
        hpa = by_name.get(service)
        if hpa is None:
            findings.append(Finding("hpa", False, f"no HorizontalPodAutoscaler {service}"))
            continue
        reading = cpu_reading(hpa)
        if reading is None:
            findings.append(Finding("hpa", False, f"{service} reads CPU <unknown>{_hpa_trouble(hpa)}"))
        else:
            findings.append(Finding("hpa", True, f"{service} reads CPU {reading}"))
    return findings


def network_policies_present(policies: Sequence[Any], services: Iterable[str]) -> list[Finding]:
    """At least one NetworkPolicy named `<svc>-network...` per service (operations.md)."""
    names = sorted(policy.metadata.name for policy in policies)
    findings = []
    for service in services:
        own = [name for name in names if name.startswith(f"{service}-network")]
        if own:
            findings.append(Finding("network-policies", True, f"{service}: {', '.join(own)}"))
        else:
            findings.append(Finding("network-policies", False, f"{service}: no NetworkPolicy {service}-network*"))
    return findings


def pick_pod(pods: Sequence[Any], service: str) -> tuple[str, str] | None:
    """(pod, container) of a Ready api pod of `service`: the container named like the service, else the first."""
    for pod in pods:
        labels = _labels(pod)
        if (labels.get("app.kubernetes.io/name"), labels.get("app.kubernetes.io/component")) == (
            service,
            "api",
        ) and is_ready(pod):
            containers = [c.name for c in pod.spec.containers]
            return pod.metadata.name, service if service in containers else containers[0]
    return None


def probe_command(host: str, port: int) -> list[str]:
    """A TCP connection attempt run with the app image's own Python; prints OPEN or BLOCKED, exits 0."""
    snippet = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(({host!r}, {port}), timeout={PROBE_TIMEOUT}).close()\n"
        "    print('OPEN')\n"
        "except OSError as error:\n"
        "    print('BLOCKED', type(error).__name__, error)\n"
    )
    return ["python", "-c", snippet]


def probe_result(output: str) -> str:
    """OPEN, BLOCKED or UNKNOWN from what the probe printed (exec output may carry other lines)."""
    for line in output.splitlines():
        if line.startswith(("OPEN", "BLOCKED")):
            return line.split()[0]
    return "UNKNOWN"


def isolation_verdict(source: str, allowed: str, allowed_output: str, forbidden: str, forbidden_output: str) -> Finding:
    """The forbidden connection must fail while the allowed one, from the same pod, succeeds: only then
    is the failure the NetworkPolicy's doing rather than DNS, the image or the database being down."""
    control, attempt = probe_result(allowed_output), probe_result(forbidden_output)
    if control != "OPEN":
        return Finding(
            "isolation", False, f"inconclusive: {source} cannot reach even its own {allowed} ({allowed_output.strip()})"
        )
    if attempt == "OPEN":
        return Finding(
            "isolation", False, f"{source} reached {forbidden}: NetworkPolicies are not enforced (is Calico running?)"
        )
    if attempt != "BLOCKED":
        return Finding("isolation", False, f"unexpected probe output: {forbidden_output.strip()}")
    return Finding(
        "isolation",
        True,
        f"{source} -> {forbidden} blocked ({forbidden_output.strip().removeprefix('BLOCKED ')});"
        f" {source} -> {allowed} open",
    )
