"""The local stack: one PostgreSQL with a database and role per service, the migrations, then each service
under gunicorn, in registry.START_ORDER (and stopped in reverse)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from registry import PORTS, ROOT, START_ORDER
from scripts.stack.postgres import LocalPostgres, port_in_use
from scripts.stack.service_process import ServiceProcess, migrate_command, service_env

# Overridable so that tests can run the real commands beside a developer's own stack.
POSTGRES_PORT = int(os.environ.get("LOCAL_POSTGRES_PORT", "54329"))


def configured_ports(environ: dict[str, str] = os.environ) -> dict[str, int]:
    """The fixed ports of operations.md, or `LOCAL_STACK_PORTS="users=8001,routes=8002,..."`."""
    override = environ.get("LOCAL_STACK_PORTS")
    if not override:
        return dict(PORTS)
    pairs = dict(item.split("=", 1) for item in override.split(","))
    return {service: int(pairs[service]) for service in PORTS}


# service_core.config.AUTH_PROFILES: the stack runs the services' code only in their own processes, so it
# does not import it (tests/services/test_profiles.py keeps the two equal).
AUTH_PROFILES = ("token", "isolated")


class StackError(RuntimeError):
    """Something the operator can fix; the message says what, in one sentence."""


@dataclass
class LocalStack:
    state_dir: Path
    ports: dict[str, int] = field(default_factory=configured_ports)
    postgres_port: int = POSTGRES_PORT
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    profile: str = "token"  # AUTH_PROFILE of every service
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    database_uris: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.postgres = LocalPostgres(self.state_dir / "postgres", self.postgres_port, self.host)

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports[service]}"

    def _passwords(self) -> dict[str, str]:
        """One random password per service database, made on first use and kept (git-ignored)."""
        path = self.state_dir / "credentials.json"
        known = json.loads(path.read_text()) if path.exists() else {}
        missing = {service: secrets.token_urlsafe(18) for service in START_ORDER if service not in known}
        if missing:
            known.update(missing)
            path.write_text(json.dumps(known, indent=2))
            path.chmod(0o600)
        return known

    def database_urls(self) -> dict[str, str]:
        """Each service's DATABASE_URI on the running PostgreSQL, as start_database made them."""
        if not self.postgres.running():
            raise StackError(f"The local stack's PostgreSQL ({self.state_dir}) is not running: `make up` starts it.")
        passwords = self._passwords()
        return {service: self.postgres.url(service, service, passwords[service]) for service in START_ORDER}

    def check_ports(self) -> None:
        busy = [f"{service} ({port})" for service, port in self.ports.items() if port_in_use(port, self.host)]
        if busy:
            raise StackError(
                f"Port(s) already in use: {', '.join(busy)}; stop whatever listens there "
                "(`make down` if it is an earlier local stack) and try again."
            )

    def start_database(self) -> dict[str, str]:
        """PostgreSQL up, one database and role per service; returns each service's DATABASE_URI."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        passwords = self._passwords()
        return {service: self.postgres.ensure_database(service, service, passwords[service]) for service in START_ORDER}

    def env(self, service: str, database_uri: str) -> dict[str, str]:
        users_path = self.url("users") if self.profile == "token" else None
        return service_env(service, database_uri, users_path=users_path, AUTH_PROFILE=self.profile, **self.extra_env)

    def migrate(self, service: str, database_uri: str) -> None:
        done = subprocess.run(
            migrate_command(service), env=self.env(service, database_uri), cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise StackError(f"Migrations of {service} failed: {done.stderr.strip().splitlines()[-1:]}")

    def start(self, log: IO[bytes] | int = subprocess.DEVNULL, timeout: float = 60) -> None:
        self.check_ports()
        self.database_uris = uris = self.start_database()
        for service in START_ORDER:
            self.migrate(service, uris[service])  # migrations first: no service serves an old schema
            process = ServiceProcess(service, self.ports[service], self.env(service, uris[service]), self.host)
            process.start(log)
            self.processes[service] = process
        for process in self.processes.values():
            process.wait_ready(timeout)

    def stop(self) -> None:
        for service in reversed(START_ORDER):
            if service in self.processes:
                self.processes[service].stop()
        self.postgres.stop()

    def crashed(self) -> list[str]:
        return [
            name
            for name, process in self.processes.items()
            if process.process is not None and process.process.poll() is not None
        ]


@contextmanager
def running_stack(stack: LocalStack, log: IO[bytes] | int = subprocess.DEVNULL) -> Iterator[LocalStack]:
    try:
        stack.start(log)
        yield stack
    finally:
        stack.stop()
