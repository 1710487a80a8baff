"""The token check of routes, posts and offers against a real users service: expiry, outage, slowness."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

import registry
from scripts.stack.service_process import ServiceProcess, free_port, service_env
from service_core.auth import UsersClient
from tests.services.service_apps import make_app
from tests.support.callers import sign_up_and_log_in

DEPENDENT = registry.TOKEN_CLIENTS


@pytest.fixture(scope="module")
def short_lived_users(migrated_database: Callable[[str], str]) -> Iterator[str]:
    """A users service whose tokens live two seconds."""
    environ = service_env("users", migrated_database("users"), TOKEN_TTL_SECONDS="2")
    with ServiceProcess("users", free_port(), environ) as server:
        yield server.url


@pytest.fixture
def silent_users() -> Iterator[str]:
    """A port that accepts connections and never answers: a users service that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_an_expired_token_is_refused_by_all_three(
    short_lived_users: str, migrated_database: Callable[[str], str]
) -> None:
    clients = {
        name: make_app(name, migrated_database(name), USERS_PATH=short_lived_users).test_client() for name in DEPENDENT
    }
    headers = sign_up_and_log_in(short_lived_users).headers
    for name, client in clients.items():
        assert client.get(f"/{name}", headers=headers).status_code == 200  # and now cached
    time.sleep(2.2)
    for name, client in clients.items():
        response = client.get(f"/{name}", headers=headers)
        assert response.status_code == 401, name  # the cache never outlives the token
        assert response.json["msg"]


@pytest.mark.parametrize("name", DEPENDENT)
def test_unreachable_users_is_503_at_once(name: str, migrated_database: Callable[[str], str]) -> None:
    client = make_app(name, migrated_database(name), USERS_PATH=f"http://127.0.0.1:{free_port()}").test_client()
    started = time.monotonic()
    response = client.get(f"/{name}", headers={"Authorization": f"Bearer {uuid.uuid4()}"})
    assert response.status_code == 503
    assert response.json == {"msg": "El servicio de usuarios no está disponible"}
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("name", DEPENDENT)
def test_hanging_users_is_503_within_3_seconds(
    name: str, silent_users: str, migrated_database: Callable[[str], str]
) -> None:
    client = make_app(name, migrated_database(name), USERS_PATH=silent_users).test_client()
    started = time.monotonic()
    response = client.post(f"/{name}", json={}, headers={"Authorization": f"Bearer {uuid.uuid4()}"})
    assert response.status_code == 503
    assert time.monotonic() - started < 3


@pytest.fixture
def users_closing_idle_connections() -> Iterator[str]:
    """A users service that answers one request per connection, then drops the connection as soon as
    the next request arrives on it: what a keep-alive timeout on the server looks like to a pool."""
    expiry = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = json.dumps({"id": "4b9f6c3e-1111-4a5b-9c3d-2e8f7a6b5c4d"}).encode()
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
        + f"X-Token-Expires-At: {expiry}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(answer)
                connection.recv(65536)  # the next request on this connection: dropped unanswered

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_connection_dropped_by_users_is_retried_once(users_closing_idle_connections: str) -> None:
    client = UsersClient(users_closing_idle_connections, cache_seconds=0)
    for _ in range(3):  # each call after the first meets a pooled connection that users drops
        assert client.user_id(str(uuid.uuid4())) == "4b9f6c3e-1111-4a5b-9c3d-2e8f7a6b5c4d"
