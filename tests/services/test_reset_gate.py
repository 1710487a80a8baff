"""`POST /<svc>/reset` answers only where RESET_ENABLED=true (the local stack, minikube).

Each service runs under real gunicorn as its image starts it, with RESET_ENABLED unset: a JSON 404, nothing
deleted, and no /reset in its OpenAPI document. Real processes rather than in-process apps: the document a
process serves is the one of the only app it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
import requests

import registry
from scripts.stack.service_process import ServiceProcess, free_port, service_env
from tests.services.protected import module_caller
from tests.services.rows import one_row
from tests.support.callers import Caller

caller = module_caller()
NOT_FOUND = {"msg": "El recurso no existe"}  # what any unknown path answers


def image_default_env(service: str, database_uri: str, users_path: str) -> dict[str, str]:
    """The local stack's environment without its RESET_ENABLED=true: the image's default."""
    env = service_env(service, database_uri, users_path=users_path)
    env.pop("RESET_ENABLED", None)
    return env


@pytest.fixture(scope="module")
def default_servers(migrated_database: Callable[..., str], users_server: str) -> Iterator[dict[str, str]]:
    """service -> base URL of the four services with reset off, each on a database of its own."""
    with ExitStack() as running:
        urls = {}
        for service in registry.NAMES:
            env = image_default_env(service, migrated_database(service, "gate"), users_server)
            urls[service] = running.enter_context(ServiceProcess(service, free_port(), env)).url
        yield urls


def count(url: str, service: str) -> int:
    return requests.get(f"{url}/{service}/count", timeout=5).json()["count"]


@pytest.mark.parametrize("service", registry.NAMES)
def test_reset_off_is_a_json_404_and_deletes_nothing(
    service: str, default_servers: dict[str, str], caller: Caller
) -> None:
    url = default_servers[service]
    created = requests.post(f"{url}/{service}", json=one_row(service), headers=caller.headers, timeout=5)
    assert created.status_code == 201, created.text
    before = count(url, service)
    assert before >= 1
    for headers in ({}, caller.headers):
        response = requests.post(f"{url}/{service}/reset", headers=headers, timeout=5)
        assert (response.status_code, response.headers["Content-Type"], response.json()) == (
            404,
            "application/json",
            NOT_FOUND,
        )
    assert count(url, service) == before


@pytest.mark.parametrize("service", registry.NAMES)
def test_reset_off_is_not_in_the_openapi_document(service: str, default_servers: dict[str, str]) -> None:
    paths = requests.get(f"{default_servers[service]}/{service}/openapi.json", timeout=5).json()["paths"]
    assert f"/{service}/count" in paths  # the document lists the other common endpoints
    assert f"/{service}/reset" not in paths


def test_reset_on_deletes_every_row_under_gunicorn(migrated_database: Callable[..., str]) -> None:
    """The local stack's environment (service_env) turns it on."""
    env = service_env("users", migrated_database("users", "gate-on"))
    with ServiceProcess("users", free_port(), env) as server:
        assert requests.post(f"{server.url}/users", json=one_row("users"), timeout=5).status_code == 201
        response = requests.post(f"{server.url}/users/reset", timeout=5)
        assert (response.status_code, response.json()) == (200, {"msg": "Todos los datos fueron eliminados"})
        assert count(server.url, "users") == 0
        assert "/users/reset" in requests.get(f"{server.url}/users/openapi.json", timeout=5).json()["paths"]


def test_an_invalid_value_stops_the_service_at_start_up(migrated_database: Callable[..., str], tmp_path) -> None:
    env = service_env("users", migrated_database("users", "gate-on"), RESET_ENABLED="on")
    server = ServiceProcess("users", free_port(), env)
    with (tmp_path / "gunicorn.log").open("wb") as log:
        server.start(log)
        try:
            assert server.process.wait(timeout=30) != 0
        finally:
            server.stop()
    assert "RESET_ENABLED must be `true` or `false`, not 'on'." in (tmp_path / "gunicorn.log").read_text()
