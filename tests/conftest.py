"""Fixtures shared by every test area: a real PostgreSQL of the project's own, and the whole local stack."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scripts.stack.local_stack import LocalStack
from scripts.stack.postgres import LocalPostgres
from scripts.stack.service_process import free_port
from service_core.config import normalise_database_uri
from service_core.migrate import upgrade
from tests.support.stacks import own_stack


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


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    yield from own_stack(tmp_path_factory.mktemp("stack"))


@pytest.fixture(scope="session")
def isolated_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """The local stack of `make up ISOLATED=1`: routes, posts and offers never call users."""
    yield from own_stack(tmp_path_factory.mktemp("isolated-stack"), "isolated")
