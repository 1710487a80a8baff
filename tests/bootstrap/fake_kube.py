"""A fake Kube that answers from its attributes and records the API calls, for the bootstrap tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import registry


def app(name: str, sync: str = "Synced", health: str = "Healthy", **status: Any) -> dict[str, Any]:
    """An Argo CD Application as the API lists it, reduced to what the bootstrap reads."""
    return {"metadata": {"name": name}, "status": {"sync": {"status": sync}, "health": {"status": health}, **status}}


class FakeKube:
    """Stands in for bootstrap.kube.Kube: answers from its attributes and logs each call to `log`."""

    def __init__(
        self,
        log: Path,
        existing_secrets: set[str] | None = None,
        applications: list[dict[str, Any]] | None = None,
        addons: bool = True,
        argocd_installed: bool = False,
    ) -> None:
        self.log = log
        self.secrets = set(existing_secrets or ())
        self.created: dict[str, dict[str, str]] = {}
        self.applied: list[dict[str, Any]] = []
        self.annotated: list[tuple[str, str, str]] = []
        self.apps = (
            applications
            if applications is not None
            else [app(name) for name in ("marketplace-root", "argocd", *registry.NAMES)]
        )
        self.addons = addons
        self.argocd_installed = argocd_installed
        self.projects: set[str] = set()

    def _log(self, line: str) -> None:
        with self.log.open("a") as handle:
            handle.write(f"api {line}\n")

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        self._log(f"read {kind} {namespace}/{name}")
        return self.argocd_installed if namespace == "argocd" else self.addons

    def secret_names(self, namespace: str) -> set[str]:
        self._log(f"list Secrets {namespace}")
        return set(self.secrets)

    def create_secret(self, namespace: str, name: str, string_data: dict[str, str], labels: dict[str, str]) -> bool:
        self._log(f"create Secret {namespace}/{name}")
        self.created[name] = string_data
        self.secrets.add(name)
        return True

    def create(self, obj: dict[str, Any]) -> bool:
        self._log(f"create {obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']}")
        self.applied.append(obj)
        return True

    def apply(self, obj: dict[str, Any], field_manager: str) -> None:
        self._log(f"apply {obj['kind']} {obj['metadata']['namespace']}/{obj['metadata']['name']} {field_manager}")
        self.applied.append(obj)

    def applications(self, namespace: str) -> list[dict[str, Any]]:
        self._log(f"list Applications {namespace}")
        return self.apps

    def annotate_application(self, namespace: str, name: str, key: str, value: str) -> None:
        self._log(f"patch Application {namespace}/{name} {key}={value}")
        self.annotated.append((name, key, value))

    def node_ip(self) -> str:
        self._log("read Node addresses")
        return "192.168.49.2"

    def secret_value(self, namespace: str, name: str, key: str) -> str | None:
        self._log(f"read Secret {namespace}/{name}")
        return "admin-pw-from-secret"
