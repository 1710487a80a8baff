"""A rolling replacement under load, as a Deployment does it: the previous app version rebuilt from Git, the
set of processes a Service would route to, and a load generator that records every answer."""

from __future__ import annotations

import io
import itertools
import subprocess
import tarfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from registry import ROOT
from scripts.stack.service_process import ServiceProcess


def previous_version(tmp: Path, marker: str) -> Path:
    """`apps/` as it was before the commit that added `marker` (HEAD while that file is not committed yet)."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", marker], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    ref = f"{added[-1]}^" if added else "HEAD"
    archive = subprocess.run(["git", "archive", ref, "apps"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
    return tmp / "apps"


class Endpoints:
    """The ready processes a Service routes to: new requests go round-robin to those still listed."""

    def __init__(self, *processes: ServiceProcess) -> None:
        self._lock = threading.Lock()
        self._processes = list(processes)
        self._turn = itertools.count()

    def pick(self) -> ServiceProcess:
        with self._lock:
            return self._processes[next(self._turn) % len(self._processes)]

    def add(self, process: ServiceProcess) -> None:
        with self._lock:
            self._processes.append(process)

    def remove(self, process: ServiceProcess) -> None:
        with self._lock:
            self._processes.remove(process)


@dataclass
class UsersLoad:
    """Threads that sign users up, update them, log them in and read them back until `stop()`; a new connection
    per request, as a client behind a Service would open one to whichever pod it is sent to."""

    endpoints: Endpoints
    threads: int = 4
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # id -> username of every 201
    # (user id, port that served the log-in, time.monotonic() when it was sent)
    logins: list[tuple[str, int, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(60)

    def _call(self, method: str, path: str, expected: int, **kwargs: object) -> requests.Response | None:
        process = self.endpoints.pick()
        sent_at = time.monotonic()
        with self._lock:
            self.sent += 1
        try:
            answer = requests.request(method, f"{process.url}{path}", timeout=10, **kwargs)
        except requests.RequestException as error:
            answer, problem = None, f"{method} {path} on :{process.port}: {error}"
        else:
            problem = "" if answer.status_code == expected else f"{method} {path}: {answer.status_code} {answer.text}"
        if problem:
            with self._lock:
                self.failures.append(problem)
            return None
        answer.port, answer.sent_at = process.port, sent_at
        return answer

    def _run(self) -> None:
        while not self._stop.is_set():
            name = f"load-{uuid.uuid4().hex[:12]}"
            body = {"username": name, "password": "s3cret-pw", "email": f"{name}@example.com"}
            if (created := self._call("POST", "/users", 201, json=body)) is None:
                continue
            with self._lock:
                self.created[created.json()["id"]] = name
            self._call("PATCH", f"/users/{created.json()['id']}", 200, json={"fullName": name.upper()})
            if (session := self._call("POST", "/users/auth", 200, json=body)) is None:
                continue
            with self._lock:
                self.logins.append((session.json()["id"], session.port, session.sent_at))
            self._call("GET", "/users/me", 200, headers={"Authorization": f"Bearer {session.json()['token']}"})
