"""Checks shared by the tests of the token-protected services (routes, posts, offers)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask.testing import FlaskClient

from tests.support.callers import Caller, sign_up_and_log_in

NO_TOKEN = {"msg": "No se proporcionó un token"}
INVALID_TOKEN = {"msg": "El token no es válido o está vencido"}
BAD_ID = {"msg": "El id no es un UUID válido"}
MISSING_TOKENS = [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"}, {"Authorization": "Basic YTpi"}]


def module_caller() -> Callable[..., Iterator[Caller]]:
    """A module-scoped `caller` fixture: one user per test module, since a sign-up costs an argon2 hash."""

    @pytest.fixture(scope="module")
    def caller(users_server: str) -> Iterator[Caller]:
        yield sign_up_and_log_in(users_server)

    return caller


def assert_token_checked_first(client: FlaskClient, method: str, path: str, body: object, service: str) -> None:
    """No token -> 403, unknown token -> 401, whatever the body, and nothing is written."""
    before = client.get(f"/{service}/count").json["count"]
    for headers in MISSING_TOKENS:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert (response.status_code, response.json) == (403, NO_TOKEN), headers
    response = getattr(client, method)(path, json=body, headers={"Authorization": f"Bearer {uuid.uuid4()}"})
    assert (response.status_code, response.json) == (401, INVALID_TOKEN)
    assert client.get(f"/{service}/count").json["count"] == before


def documented_statuses(client: FlaskClient, service: str) -> dict[tuple[str, str], set[str]]:
    document = client.get(f"/{service}/openapi.json").json
    return {
        (path, method): set(operation["responses"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


AUTH_STATUSES = {"401", "403", "503"}


def run_together(attempts: int, attempt: Callable[[], int]) -> list[int]:
    """`attempt` from `attempts` threads released at once; the statuses, sorted."""
    gate = threading.Barrier(attempts)

    def released(_: int) -> int:
        gate.wait()
        return attempt()

    with ThreadPoolExecutor(attempts) as pool:
        return sorted(pool.map(released, range(attempts)))


def counter(service: str) -> Callable[[FlaskClient], int]:
    """`count(client)`: the service's row count, through its own endpoint."""
    return lambda client: client.get(f"/{service}/count").json["count"]


def lister(service: str) -> Callable[..., list[str]]:
    """`listed(client, caller, query="")`: the ids that the service's list endpoint answers."""

    def listed(client: FlaskClient, caller: Caller, query: str = "") -> list[str]:
        response = client.get(f"/{service}{query}", headers=caller.headers)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json]

    return listed
