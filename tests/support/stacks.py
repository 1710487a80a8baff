"""A whole local stack of a test's own (PostgreSQL + every service under gunicorn) on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import registry
from scripts.stack.local_stack import LocalStack, running_stack
from scripts.stack.service_process import free_port


def own_stack(state: Path, profile: str = "token") -> Iterator[LocalStack]:
    """The stack in `profile`, with its data and its services.log in `state`, until the generator is closed."""
    ports = {service: free_port() for service in registry.NAMES}
    with (
        (state / "services.log").open("ab") as log,
        running_stack(LocalStack(state, ports=ports, postgres_port=free_port(), profile=profile), log) as running,
    ):
        yield running
