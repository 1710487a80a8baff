"""Fault injection against a local stack of its own: the database going away, a service being stopped."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg2
import pytest
import requests

from scripts.stack.local_stack import LocalStack
from tests.support.stacks import own_stack


@pytest.fixture(scope="module")
def faulty_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    yield from own_stack(tmp_path_factory.mktemp("faulty-stack"))


@dataclass
class Outcome:
    started: float
    finished: float
    status: int | None  # None: no HTTP answer at all (connection refused or cut)
    body: object = None
    username: str = ""


@dataclass
class SignUpLoad:
    """Threads signing up users as fast as they can, recording every outcome."""

    url: str
    threads: int = 4
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            name = f"load-{uuid.uuid4().hex[:12]}"
            started = time.monotonic()
            try:
                answer = session.post(
                    f"{self.url}/users",
                    timeout=10,
                    json={"username": name, "password": "pw", "email": f"{name}@example.com"},
                )
                status, body = answer.status_code, answer.json()
            except (requests.RequestException, ValueError):
                status, body = None, None
            self.outcomes.append(Outcome(started, time.monotonic(), status, body, name))

    def __enter__(self) -> SignUpLoad:
        self._workers = [threading.Thread(target=self._run) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join()


def stored_usernames(stack: LocalStack) -> set[str]:
    with psycopg2.connect(stack.database_uris["users"]) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT username FROM users")
        return {row[0] for row in cursor.fetchall()}


def test_database_outage_is_503_then_recovers_and_loses_no_acknowledged_write(faulty_stack: LocalStack) -> None:
    with SignUpLoad(faulty_stack.url("users")) as load:
        time.sleep(1)
        faulty_stack.postgres.stop()
        stopped = time.monotonic()
        time.sleep(2)
        # Down for certain until start() is called: the server accepts connections a little before
        # `pg_ctl start -w` returns, and a fast sign-up can complete in that gap.
        restarting = time.monotonic()
        faulty_stack.postgres.start()
        restarted = time.monotonic()
        time.sleep(6)

    during = [o for o in load.outcomes if stopped + 0.5 < o.started and o.finished < restarting]
    assert during, "no request was made while the database was down"
    assert {o.status for o in during} == {503}
    assert all(isinstance(o.body, dict) and o.body.get("msg") for o in during)
    assert all(o.status in (201, 503) for o in load.outcomes), {o.status for o in load.outcomes}

    recovered = min(o.finished for o in load.outcomes if o.status == 201 and o.started > restarted)
    assert recovered - restarted < 5, f"recovered {recovered - restarted:.1f} s after the database returned"

    acknowledged = {o.username for o in load.outcomes if o.status == 201}
    assert acknowledged and acknowledged <= stored_usernames(faulty_stack)


def test_sigterm_lets_in_flight_requests_finish(faulty_stack: LocalStack) -> None:
    users = faulty_stack.processes["users"]
    with SignUpLoad(faulty_stack.url("users"), threads=6) as load:
        time.sleep(1.5)
        users.process.terminate()  # what Kubernetes sends a pod it scales down or replaces
        terminated = time.monotonic()
        users.process.wait(30)
    users.start()
    users.wait_ready()

    # In flight: sent at least 20 ms before SIGTERM, time enough on loopback to be accepted by a worker.
    in_flight = [o for o in load.outcomes if o.started < terminated - 0.02]
    assert len(in_flight) > 10
    assert [o for o in in_flight if o.status != 201] == []
    assert {o.username for o in in_flight} <= stored_usernames(faulty_stack)
