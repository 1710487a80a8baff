"""The Kubernetes API calls of the bootstrap and of `make cluster-verify`, bound to one kube context.

Only this module imports the `kubernetes` client, and only when a Kube is created: the dry run never
loads it, let alone connects.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from bootstrap.errors import BootstrapError

PLURALS = {"AppProject": "appprojects", "Application": "applications"}


class Kube:
    """The API clients of one kube context (the Minikube profile), with the few calls this project makes."""

    def __init__(self, context: str) -> None:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        try:  # KUBECONFIG read now, not when the client was imported (it may have been imported earlier)
            api = config.new_client_from_config(config_file=os.environ.get("KUBECONFIG") or None, context=context)
        except (ConfigException, OSError) as error:
            raise BootstrapError(
                f"there is no kube context `{context}` (is the cluster up? run `make cluster`): {error}"
            ) from error
        self.api = api
        self.core = client.CoreV1Api(api)
        self.apps = client.AppsV1Api(api)
        self.custom = client.CustomObjectsApi(api)
        self.autoscaling = client.AutoscalingV2Api(api)
        self.networking = client.NetworkingV1Api(api)
        self.errors = client.exceptions.ApiException

    # --- reads -------------------------------------------------------------------------------------------

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        """Whether a DaemonSet or Deployment exists."""
        read = {"DaemonSet": self.apps.read_namespaced_daemon_set, "Deployment": self.apps.read_namespaced_deployment}[
            kind
        ]
        try:
            read(name, namespace)
        except self.errors as error:
            if error.status == 404:
                return False
            raise
        return True

    def secret_names(self, namespace: str) -> set[str]:
        return {item.metadata.name for item in self.core.list_namespaced_secret(namespace).items}

    def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        try:
            secret = self.core.read_namespaced_secret(name, namespace)
        except self.errors as error:
            if error.status == 404:
                return None
            raise
        encoded = (secret.data or {}).get(key)
        return base64.b64decode(encoded).decode() if encoded else None

    def node_ip(self) -> str:
        """The InternalIP of the (single) Minikube node: what `minikube ip` prints, without minikube."""
        for node in self.core.list_node().items:
            for address in node.status.addresses or []:
                if address.type == "InternalIP":
                    return address.address
        raise BootstrapError("the cluster's node reports no InternalIP address")

    def applications(self, namespace: str) -> list[dict[str, Any]]:
        listed = self.custom.list_namespaced_custom_object("argoproj.io", "v1alpha1", namespace, "applications")
        return listed.get("items", [])

    def pods(self, namespace: str) -> list[Any]:
        return self.core.list_namespaced_pod(namespace).items

    def hpas(self, namespace: str) -> list[Any]:
        return self.autoscaling.list_namespaced_horizontal_pod_autoscaler(namespace).items

    def network_policies(self, namespace: str) -> list[Any]:
        return self.networking.list_namespaced_network_policy(namespace).items

    # --- writes ------------------------------------------------------------------------------------------

    def create_secret(self, namespace: str, name: str, string_data: dict[str, str], labels: dict[str, str]) -> bool:
        """Creates the Secret; False (and nothing changed) if it appeared meanwhile."""
        from kubernetes import client

        body = client.V1Secret(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace, labels=labels),
            type="Opaque",
            string_data=string_data,
        )
        try:
            self.core.create_namespaced_secret(namespace, body)
        except self.errors as error:
            if error.status == 409:
                return False
            raise
        return True

    def create(self, obj: dict[str, Any]) -> bool:
        """Creates an Argo CD object; False (and nothing changed) if it exists already."""
        group, version = obj["apiVersion"].split("/")
        try:
            self.custom.create_namespaced_custom_object(
                group, version, obj["metadata"]["namespace"], PLURALS[obj["kind"]], obj
            )
        except self.errors as error:
            if error.status == 409:
                return False
            raise
        return True

    def apply(self, obj: dict[str, Any], field_manager: str) -> None:
        """Server-side apply of an Argo CD object: the same result on every run, and ours fields only."""
        group, version = obj["apiVersion"].split("/")
        meta = obj["metadata"]
        self.custom.patch_namespaced_custom_object(
            group,
            version,
            meta["namespace"],
            PLURALS[obj["kind"]],
            meta["name"],
            obj,
            field_manager=field_manager,
            force=True,
            _content_type="application/apply-patch+yaml",
        )

    def annotate_application(self, namespace: str, name: str, key: str, value: str) -> None:
        body = {"metadata": {"annotations": {key: value}}}
        self.custom.patch_namespaced_custom_object(
            "argoproj.io",
            "v1alpha1",
            namespace,
            "applications",
            name,
            body,
            _content_type="application/merge-patch+json",
        )

    def exec_in_pod(self, namespace: str, pod: str, container: str, command: list[str]) -> str:
        """Runs `command` in the container and returns what it printed (stdout and stderr)."""
        from kubernetes.stream import stream

        return stream(
            self.core.connect_get_namespaced_pod_exec,
            pod,
            namespace,
            container=container,
            command=command,
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
        )
