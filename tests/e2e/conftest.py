"""The whole local stack (PostgreSQL + four gunicorn services), on free ports of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.local_stack import LocalStack, running_stack
from tests.conftest import free_port


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state: Path = tmp_path_factory.mktemp("stack")
    ports = {service: free_port() for service in ("users", "routes", "posts", "offers")}
    with (state / "services.log").open("ab") as log, running_stack(
        LocalStack(state, ports=ports, postgres_port=free_port()), log
    ) as running:
        yield running
