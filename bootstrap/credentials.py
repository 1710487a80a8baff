"""The `<svc>-db-credentials` Secrets: random values, made at creation time and never printed."""

from __future__ import annotations

import secrets

from bootstrap.config import PROFILE

SHOWN_PASSWORD = "<random>"  # what the plan prints in place of a password


def new_credentials(service: str) -> dict[str, str]:
    """The keys that the manifests read with secretKeyRef (CONTRIBUTING.md); URL-safe, so that the password
    can sit in DATABASE_URI without escaping."""
    return {"POSTGRES_USER": service, "POSTGRES_PASSWORD": secrets.token_urlsafe(24)}


def shown_credentials(service: str) -> str:
    return f"POSTGRES_USER={service} POSTGRES_PASSWORD={SHOWN_PASSWORD}"


def labels(service: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/part-of": PROFILE,
        "app.kubernetes.io/managed-by": "bootstrap",
    }
