"""Service fixtures: each service on its own migrated database, emptied after every test (tests/services/
service_apps.py makes them), and a real users service under gunicorn, which the others check tokens against."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from scripts.stack.service_process import ServiceProcess, free_port, service_env
from tests.services.service_apps import service_fixtures
from tests.support.callers import Caller, sign_up_and_log_in


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


users_app, users = service_fixtures("users")
routes_app, routes = service_fixtures("routes")
posts_app, posts = service_fixtures("posts")
offers_app, offers = service_fixtures("offers")
isolated_routes_app, isolated_routes = service_fixtures("routes", "isolated")
isolated_posts_app, isolated_posts = service_fixtures("posts", "isolated")
isolated_offers_app, isolated_offers = service_fixtures("offers", "isolated")


@pytest.fixture
def quiet_access_log() -> Iterator[None]:
    """The `access` logger above INFO for one test."""
    logger = logging.getLogger("access")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
