"""The local stack of operations.md: PostgreSQL plus the four services under gunicorn.

    python scripts/local_stack.py run    # foreground; Ctrl-C stops everything
    python scripts/local_stack.py up     # background; returns once every service is ready
    python scripts/local_stack.py down   # stops what `up` started; the data stays in .local/

`run` and `up` take `--profile isolated` (`make run ISOLATED=1`): routes, posts and offers then never call
users and get no USERS_PATH (service_core.profiles); same ports, same data folder.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

if __package__ in (None, ""):  # run as a script: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.postgres_server import LocalPostgres, PostgresError, port_in_use
from scripts.service_process import PORTS, ROOT, ServiceProcess, migrate_command, service_env

# Overridable so that tests can run the real commands beside a developer's own stack.
STATE_DIR = Path(os.environ.get("LOCAL_STACK_DIR", ROOT / ".local"))
POSTGRES_PORT = int(os.environ.get("LOCAL_POSTGRES_PORT", "54329"))


def configured_ports(environ: dict[str, str] = os.environ) -> dict[str, int]:
    """The fixed ports of operations.md, or `LOCAL_STACK_PORTS="users=8001,routes=8002,..."`."""
    override = environ.get("LOCAL_STACK_PORTS")
    if not override:
        return dict(PORTS)
    pairs = dict(item.split("=", 1) for item in override.split(","))
    return {service: int(pairs[service]) for service in PORTS}


# service_core.config.AUTH_PROFILES (apps/core is not importable here; a test keeps the two equal).
AUTH_PROFILES = ("token", "isolated")
# users first: in the token profile, the other three check tokens against it.
START_ORDER = ("users", "routes", "posts", "offers")


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


# --- the three commands ---------------------------------------------------------------------------


def _pid_file() -> Path:
    return STATE_DIR / "stack.pid"


def _profile_file() -> Path:
    return STATE_DIR / "stack.profile"


def _running_pid() -> int | None:
    try:
        pid = int(_pid_file().read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def run(profile: str = "token") -> int:
    """Foreground: logs on this terminal; Ctrl-C (or SIGTERM from `make down`) stops everything."""
    stop = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    if (other := _running_pid()) not in (None, os.getpid()):
        print(f"The local stack is already running (process {other}); `make down` stops it.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    _pid_file().write_text(str(os.getpid()))  # so that `make down` finds a foreground stack too
    _profile_file().write_text(profile)
    stack = LocalStack(STATE_DIR, profile=profile)
    try:
        with running_stack(stack, log=None):
            print(f"Local stack ready (profile {profile}):", flush=True)
            for service in START_ORDER:
                print(f"  {service:7} {stack.url(service)}/{service}/ping", flush=True)
            print("Ctrl-C stops everything; the data stays in .local/.", flush=True)
            while not stop:
                if crashed := stack.crashed():
                    raise StackError(f"{', '.join(crashed)} stopped unexpectedly; see the log above.")
                time.sleep(0.2)
    except (StackError, PostgresError, TimeoutError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        _pid_file().unlink(missing_ok=True)
    return 0


def up(profile: str = "token", timeout: float = 90) -> int:
    if _running_pid() is not None:
        running = _profile_file().read_text() if _profile_file().exists() else "token"
        if running != profile:
            print(
                f"The local stack is already running in the {running} profile; `make down` first, then start "
                f"it in the {profile} profile.",
                file=sys.stderr,
            )
            return 1
        print("The local stack is already running (`make down` stops it).")
        return 0
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    log_path = STATE_DIR / "stack.log"
    with log_path.open("ab") as log:
        supervisor = subprocess.Popen(
            [sys.executable, __file__, "run", "--profile", profile],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            start_new_session=True,
        )
    stack = LocalStack(STATE_DIR)
    deadline = time.monotonic() + timeout
    pending = list(START_ORDER)
    while pending:
        if supervisor.poll() is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
            print(
                f"The local stack did not start: {tail[0] if tail else 'no output'} (log: {log_path})", file=sys.stderr
            )
            return 1
        if time.monotonic() > deadline:
            print(
                f"The local stack was not ready within {timeout:.0f} s (log: {log_path}); `make down` stops it.",
                file=sys.stderr,
            )
            return 1
        pending = [service for service in pending if not ServiceProcess(service, stack.ports[service], {}).ready()]
        time.sleep(0.2)
    print(f"Local stack ready (profile {profile}):")
    for service in START_ORDER:
        print(f"  {service:7} {stack.url(service)}/{service}/ping")
    return 0


def down(timeout: float = 60) -> int:
    pid = _running_pid()
    if pid is not None:
        os.kill(pid, signal.SIGTERM)  # the supervisor stops gunicorn (gracefully) and PostgreSQL
        deadline = time.monotonic() + timeout
        while _running_pid() is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if _running_pid() is not None:  # stuck: take its whole process group (`up` made it a leader)
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    _pid_file().unlink(missing_ok=True)
    LocalStack(STATE_DIR).postgres.stop()  # in case the supervisor itself was killed
    print("Local stack stopped; the data stays in .local/.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "up", "down"])
    parser.add_argument(
        "--profile",
        choices=AUTH_PROFILES,
        default="token",
        help="AUTH_PROFILE of the services (run, up): `isolated` never calls users",
    )
    args = parser.parse_args(argv)
    if args.command == "down":
        return down()
    return {"run": run, "up": up}[args.command](args.profile)


if __name__ == "__main__":
    sys.exit(main())
