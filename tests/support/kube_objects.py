"""Kubernetes API objects made by hand, as the client's models, for the tests of `make cluster-verify`."""

from __future__ import annotations

from kubernetes.client import (
    V1Container,
    V1ContainerState,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodCondition,
    V1PodSpec,
    V1PodStatus,
)


def pod(
    name: str,
    service: str = "",
    component: str = "",
    ready: bool = True,
    phase: str = "Running",
    waiting: str | None = None,
) -> V1Pod:
    """A pod with an `istio-proxy` sidecar before the service's container, labelled as the manifests label it."""
    labels = {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component} if service else {}
    statuses = (
        [
            V1ContainerStatus(
                name=service or "c",
                image="i",
                image_id="",
                ready=ready,
                restart_count=0,
                state=V1ContainerState(waiting=V1ContainerStateWaiting(reason=waiting)),
            )
        ]
        if waiting
        else None
    )
    return V1Pod(
        metadata=V1ObjectMeta(name=name, labels=labels),
        spec=V1PodSpec(containers=[V1Container(name="istio-proxy"), V1Container(name=service or "c")]),
        status=V1PodStatus(
            phase=phase, conditions=[V1PodCondition(type="Ready", status=str(ready))], container_statuses=statuses
        ),
    )
