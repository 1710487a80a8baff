"""Service fixtures: each service on its own migrated database, emptied after every test.

routes, posts and offers check tokens over real HTTP against a users service running under
gunicorn in its own process, as in the cluster.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scripts.service_process import ServiceProcess, free_port, service_env
from service_core.config import Settings
from tests.conftest import Caller, sign_up_and_log_in


def make_app(service: str, database_uri: str, **environ: str) -> Flask:
    package = importlib.import_module(service)
    return package.create_app(Settings.from_env(service, {"DATABASE_URI": database_uri, **environ}))


@pytest.fixture(scope="session")
def users_server(migrated_database: Callable[[str], str]) -> Iterator[str]:
    """Base URL of a real users service (gunicorn, own process) on the test database."""
    server = ServiceProcess("users", free_port(), service_env("users", migrated_database("users")))
    server.start()
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def sign_up(users_server: str) -> Callable[[], Caller]:
    """`sign_up()` creates a new user through the real users service and logs it in."""
    return lambda: sign_up_and_log_in(users_server)


@pytest.fixture
def caller(sign_up: Callable[[], Caller]) -> Caller:
    return sign_up()


def _client(app: Flask, service: str) -> Iterator[FlaskClient]:
    client = app.test_client()
    yield client
    assert client.post(f"/{service}/reset").status_code == 200


@pytest.fixture(scope="session")
def users_app(migrated_database: Callable[[str], str]) -> Flask:
    return make_app("users", migrated_database("users"))


@pytest.fixture
def users(users_app: Flask) -> Iterator[FlaskClient]:
    yield from _client(users_app, "users")


@pytest.fixture(scope="session")
def routes_app(migrated_database: Callable[[str], str], users_server: str) -> Flask:
    return make_app("routes", migrated_database("routes"), USERS_PATH=users_server)


@pytest.fixture
def routes(routes_app: Flask) -> Iterator[FlaskClient]:
    yield from _client(routes_app, "routes")


@pytest.fixture(scope="session")
def posts_app(migrated_database: Callable[[str], str], users_server: str) -> Flask:
    return make_app("posts", migrated_database("posts"), USERS_PATH=users_server)


@pytest.fixture
def posts(posts_app: Flask) -> Iterator[FlaskClient]:
    yield from _client(posts_app, "posts")


@pytest.fixture(scope="session")
def offers_app(migrated_database: Callable[[str], str], users_server: str) -> Flask:
    return make_app("offers", migrated_database("offers"), USERS_PATH=users_server)


@pytest.fixture
def offers(offers_app: Flask) -> Iterator[FlaskClient]:
    yield from _client(offers_app, "offers")
