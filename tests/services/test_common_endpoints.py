"""What every service answers the same way, from the shared core: ping, reset, count, 404, 405."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

import registry
from tests.services.protected import module_caller
from tests.services.rows import one_row
from tests.support.callers import Caller

caller = module_caller()


@pytest.fixture(params=registry.NAMES)
def service(request: pytest.FixtureRequest) -> tuple[str, FlaskClient]:
    return request.param, request.getfixturevalue(request.param)


def test_ping_is_plain_text_pong_without_a_token(service: tuple[str, FlaskClient]) -> None:
    name, client = service
    response = client.get(f"/{name}/ping")
    assert (response.status_code, response.get_data(as_text=True), response.mimetype) == (200, "pong", "text/plain")


def test_reset_deletes_everything_and_ignores_authorization(service: tuple[str, FlaskClient], caller: Caller) -> None:
    name, client = service
    for _ in range(2):
        assert client.post(f"/{name}", json=one_row(name), headers=caller.headers).status_code == 201
    assert client.get(f"/{name}/count").json == {"count": 2}
    response = client.post(f"/{name}/reset", headers={"Authorization": "Bearer nonsense"})
    assert (response.status_code, response.json) == (200, {"msg": "Todos los datos fueron eliminados"})
    assert client.get(f"/{name}/count").json == {"count": 0}


def test_unknown_paths_and_methods_answer_json(service: tuple[str, FlaskClient], caller: Caller) -> None:
    name, client = service
    missing = client.get(f"/{name}/nothing/here", headers=caller.headers)
    assert (missing.status_code, missing.is_json) == (404, True)
    wrong_method = client.put(f"/{name}/count", json={})
    assert (wrong_method.status_code, wrong_method.is_json) == (405, True)
    assert "GET" in wrong_method.headers["Allow"]


@pytest.mark.parametrize("name", registry.NAMES)
def test_fixed_routes_are_never_taken_for_an_id(name: str, request: pytest.FixtureRequest) -> None:
    client: FlaskClient = request.getfixturevalue(name)
    response = client.options(f"/{name}/ping")  # only the route itself, not /<svc>/<id>'s methods
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
