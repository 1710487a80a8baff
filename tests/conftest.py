"""Fixtures shared by every test area: a real PostgreSQL of the project's own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

import registry
from scripts.stack.local_stack import LocalStack, running_stack
from scripts.stack.postgres import LocalPostgres
from scripts.stack.service_process import free_port
from service_core.config import normalise_database_uri
from service_core.migrate import upgrade


@dataclass
class Caller:
    """A signed-up, logged-in user of a real users service."""

    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up_and_log_in(users_url: str) -> Caller:
    name = f"user-{uuid.uuid4().hex[:12]}"
    body = {"username": name, "password": "s3cret-pw", "email": f"{name}@example.com"}
    assert requests.post(f"{users_url}/users", json=body, timeout=5).status_code == 201
    session = requests.post(f"{users_url}/users/auth", json=body, timeout=5).json()
    return Caller(session["id"], session["token"])


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    server = LocalPostgres(tmp_path_factory.mktemp("postgres"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_database(postgres: LocalPostgres) -> Callable[..., str]:
    """`migrated_database("users")`: the URL of a test database with the service's migrations applied;
    `migrated_database("users", "sessions")`: another one, for a second instance of the service."""
    made: dict[str, str] = {}

    def make(service: str, instance: str = "") -> str:
        name = f"test_{service}_{instance}" if instance else f"test_{service}"
        if name not in made:
            uri = postgres.ensure_database(name, service, f"{service}-test-password")
            upgrade(service, normalise_database_uri(uri), wait_seconds=10)
            made[name] = uri
        return made[name]

    return make


def own_stack(state: Path, profile: str = "token") -> Iterator[LocalStack]:
    """The whole local stack (PostgreSQL + four gunicorn services) on free ports, logging to services.log."""
    ports = {service: free_port() for service in registry.NAMES}
    with (
        (state / "services.log").open("ab") as log,
        running_stack(LocalStack(state, ports=ports, postgres_port=free_port(), profile=profile), log) as running,
    ):
        yield running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    yield from own_stack(tmp_path_factory.mktemp("stack"))


@pytest.fixture(scope="session")
def isolated_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local stack of `make up ISOLATED=1`: routes, posts and offers never call users."""
    yield from own_stack(tmp_path_factory.mktemp("isolated-stack"), "isolated")
