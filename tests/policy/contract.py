"""What the rendered manifests must say, as CONTRIBUTING.md and ../shared/contract/operations.md state it.

Written here again on purpose: the policy tests check gitops/ against the contract, not against itself. The
services and their ports come from registry.py, which tests/test_registry.py checks against those documents.
"""

from __future__ import annotations

import registry

NAMESPACE = "default"
ARGOCD_NAMESPACE = "argocd"
IN_CLUSTER = "https://kubernetes.default.svc"
REPO_URL = "https://github.com/gitops-marketplace/marketplace.git"  # the committed placeholder
PROJECT = "marketplace"
ROOT_APP = "marketplace-root"

NODE_PORTS = registry.PORTS
SERVICES = registry.NAMES
TOKEN_CLIENTS = registry.TOKEN_CLIENTS  # they call users' `GET /users/me`, in the token profile
# AUTH_PROFILE: `token` (the default: token clients ask users) or `isolated` (the seed's: no service calls another).
PROFILE_ENV = "AUTH_PROFILE"
TOKEN, ISOLATED = "token", "isolated"
PROFILES = (TOKEN, ISOLATED)
APP_PORT = 5000
DATABASE_PORT = 5432

# The environment a service container needs (CONTRIBUTING.md "Environment of a service container").
REQUIRED_ENV = ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "DATABASE_URI", "FLASK_ENV")
CREDENTIAL_ENV = ("POSTGRES_USER", "POSTGRES_PASSWORD")
USERS_PATH = "http://users:5000"
FLASK_ENV = "production"
APP_USER = 10001


def calls_users(service: str, profile: str) -> bool:
    return profile == TOKEN and service in TOKEN_CLIENTS


def required_env(service: str, profile: str = TOKEN) -> tuple[str, ...]:
    return REQUIRED_ENV + (("USERS_PATH",) if calls_users(service, profile) else ())


def credentials_secret(service: str) -> str:
    return f"{service}-db-credentials"


def database_uri(service: str) -> str:
    """DATABASE_URI once Kubernetes has expanded the plain variables (the secret ones stay references)."""
    return f"postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@{service}-db:{DATABASE_PORT}/{service}"


def migrate_command(service: str) -> list[str]:
    return ["python", "-m", "service_core.migrate", service]
