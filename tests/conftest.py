"""Fixtures shared by every test area: a real PostgreSQL of the project's own."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest

from scripts.postgres_server import LocalPostgres
from service_core.config import normalise_database_uri
from service_core.migrate import upgrade


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    server = LocalPostgres(tmp_path_factory.mktemp("postgres"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def migrated_database(postgres: LocalPostgres) -> Callable[[str], str]:
    """`migrated_database("users")`: the URL of a test database with the service's migrations applied."""
    made: dict[str, str] = {}

    def make(service: str) -> str:
        if service not in made:
            uri = postgres.ensure_database(f"test_{service}", service, f"{service}-test-password")
            upgrade(service, normalise_database_uri(uri), wait_seconds=10)
            made[service] = uri
        return made[service]

    return make
