"""One service under gunicorn, as the local stack and the cross-service tests run it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

from registry import ROOT, TOKEN_CLIENTS


def service_env(service: str, database_uri: str, users_path: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "apps" / "core"), str(ROOT / "apps" / service)]),
        "DATABASE_URI": database_uri,
        "FLASK_ENV": "production",
        # The local stack and the tests start from empty tables over and over; the image's default is off.
        "RESET_ENABLED": "true",
        **extra,
    }
    if service in TOKEN_CLIENTS and users_path:
        env["USERS_PATH"] = users_path
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(app: str, host: str, port: int) -> list[str]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return [str(gunicorn), "--config", "python:service_core.gunicorn_conf", "--bind", f"{host}:{port}", app]


def migrate_command(service: str) -> list[str]:
    return [sys.executable, "-m", "service_core.migrate", service]


@dataclass
class ServiceProcess:
    service: str
    port: int
    env: dict[str, str]
    host: str = "127.0.0.1"
    app: str = ""  # the WSGI app for gunicorn; default `<service>:create_app()`
    ready_path: str = ""  # answers 200 once serving; default `/<service>/ready`
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.app = self.app or f"{self.service}:create_app()"
        self.ready_path = self.ready_path or f"/{self.service}/ready"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, log: IO[bytes] | int = subprocess.DEVNULL) -> None:
        self.process = subprocess.Popen(
            gunicorn_command(self.app, self.host, self.port),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def ready(self) -> bool:
        try:
            return requests.get(f"{self.url}{self.ready_path}", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.service} was not ready on {self.url} within {timeout:.0f} s")
            time.sleep(0.1)

    def __enter__(self) -> ServiceProcess:
        """Started and ready; stopped again if it never gets ready."""
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: gunicorn lets in-flight requests finish, then exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
