"""Each service as a Flask app on a test database, and the pair of fixtures the services' conftest makes of it.

routes, posts and offers check tokens over real HTTP against a users service running under gunicorn in its own
process (the `users_server` fixture), as in the cluster.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service_core.config import Settings


def make_app(service: str, database_uri: str, **environ: str) -> Flask:
    """The service on `database_uri`, with reset on (as in the local stack) and every answer checked against its
    documented model (VALIDATE_RESPONSES, off in the images), unless `environ` says otherwise."""
    package = importlib.import_module(service)
    # The fixtures reset after every test; a body that strays from the OpenAPI document fails the test with a 500.
    defaults = {"DATABASE_URI": database_uri, "RESET_ENABLED": "true", "VALIDATE_RESPONSES": "true"}
    return package.create_app(Settings.from_env(service, {**defaults, **environ}))


def service_fixtures(
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
