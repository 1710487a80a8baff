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

from scripts.stack.service_process import ServiceProcess, free_port, service_env
from service_core.config import Settings
from tests.conftest import Caller, sign_up_and_log_in


def make_app(service: str, database_uri: str, **environ: str) -> Flask:
    """The service on `database_uri`, with reset on (as in the local stack) unless `environ` says otherwise."""
    package = importlib.import_module(service)
    defaults = {"DATABASE_URI": database_uri, "RESET_ENABLED": "true"}  # the fixtures reset after every test
    return package.create_app(Settings.from_env(service, {**defaults, **environ}))


@pytest.fixture(scope="session")
def users_server(migrated_database: Callable[[str], str]) -> Iterator[str]:
    """Base URL of a real users service (gunicorn, own process) on the test database."""
    # Its own database: the users tests' resets must not log out the callers of the other services.
    environ = service_env("users", migrated_database("users", "server"))
    with ServiceProcess("users", free_port(), environ) as server:
        yield server.url


@pytest.fixture
def sign_up(users_server: str) -> Callable[[], Caller]:
    """`sign_up()` creates a new user through the real users service and logs it in."""
    return lambda: sign_up_and_log_in(users_server)


@pytest.fixture
def caller(sign_up: Callable[[], Caller]) -> Caller:
    return sign_up()


def _service_fixtures(
    service: str, profile: str = "token"
) -> tuple[Callable[..., Flask], Callable[..., Iterator[FlaskClient]]]:
    """`<service>_app` (session-wide, on its migrated database, checking tokens against `users_server`)
    and `<service>` (a test client; the service's data is reset after each test). With `profile="isolated"`:
    `isolated_<service>_app` and `isolated_<service>`, on a database of their own, with no USERS_PATH."""
    prefix = "" if profile == "token" else f"{profile}_"

    @pytest.fixture(scope="session")
    def app(migrated_database: Callable[..., str], request: pytest.FixtureRequest) -> Flask:
        if profile == "isolated":
            return make_app(service, migrated_database(service, profile), AUTH_PROFILE=profile)
        environ = {} if service == "users" else {"USERS_PATH": request.getfixturevalue("users_server")}
        return make_app(service, migrated_database(service), **environ)

    @pytest.fixture
    def client(request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
        test_client = request.getfixturevalue(f"{prefix}{service}_app").test_client()
        yield test_client
        assert test_client.post(f"/{service}/reset").status_code == 200

    return app, client


users_app, users = _service_fixtures("users")
routes_app, routes = _service_fixtures("routes")
posts_app, posts = _service_fixtures("posts")
offers_app, offers = _service_fixtures("offers")
isolated_routes_app, isolated_routes = _service_fixtures("routes", "isolated")
isolated_posts_app, isolated_posts = _service_fixtures("posts", "isolated")
isolated_offers_app, isolated_offers = _service_fixtures("offers", "isolated")
