"""VALIDATE_RESPONSES: every answer read back against the model its endpoint documents for its status.

On in every in-process service test app (service_apps.make_app), off in the images and the local stack: a body
that strays from the OpenAPI document fails the tests with a 500, and costs production nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

import registry
from scripts.stack import local_stack
from service_core.config import Settings
from tests.services.service_apps import make_app

POST_ID = "0b7e3c1a-9d2f-4e8a-b5c6-7d8e9f0a1b2c"
SERVICE_TEST_APPS = [f"{name}_app" for name in registry.NAMES] + [
    f"isolated_{name}_app" for name in registry.TOKEN_CLIENTS
]
# (view, path, what the view answers instead, the first problem with it)
ONE = f"/posts/{POST_ID}"
STRAYS = [
    pytest.param("posts.get_post", ONE, ({"id": "x"}, 200), "id: Input should be a valid UUID", id="id"),
    pytest.param("posts.get_post", ONE, ({"message": "?"}, 404), "msg: Field required", id="error"),
    pytest.param("posts.list_posts", "/posts", ({"id": POST_ID}, 200), "body: Input should be a valid array", id="all"),
    pytest.param("posts.delete_post", ONE, ("gone", 200), "body: Invalid JSON", id="not-json"),
]


def posts_app(migrated_database: Callable[..., str], validate: str) -> Flask:
    """posts in the isolated profile (no users needed), with VALIDATE_RESPONSES=`validate`."""
    uri = migrated_database("posts", "isolated")
    return make_app("posts", uri, AUTH_PROFILE="isolated", VALIDATE_RESPONSES=validate)


def request_with(
    app: Flask, monkeypatch: pytest.MonkeyPatch, view: str, path: str, answer: tuple[object, int]
) -> TestResponse:
    """`path` requested from `app`, whose `view` is replaced by one that gives `answer`."""
    monkeypatch.setitem(app.view_functions, view, lambda **_: answer)
    method = "delete" if view == "posts.delete_post" else "get"
    return getattr(app.test_client(), method)(path)


@pytest.mark.parametrize(("view", "path", "answer", "problem"), STRAYS)
def test_an_answer_off_its_documented_model_is_a_500_naming_endpoint_and_error(
    migrated_database: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    view: str,
    path: str,
    answer: tuple[object, int],
    problem: str,
) -> None:
    app = posts_app(migrated_database, "true")
    with caplog.at_level(logging.ERROR, logger="service_core.responses"):
        response = request_with(app, monkeypatch, view, path, answer)
    assert response.status_code == 500
    where = f"{view} {answer[1]}"
    assert response.json["msg"].startswith(f"La respuesta no sigue su modelo documentado ({where}): {problem}")
    (logged,) = caplog.records
    assert logged.getMessage().startswith(f"response does not match its documented model: {where}: {problem}")
    assert response.headers["X-Request-ID"]  # checked before the log line and the metrics, which see the 500


@pytest.mark.parametrize(("view", "path", "answer", "problem"), STRAYS)
def test_off_an_answer_is_served_as_the_view_gave_it(
    migrated_database: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    view: str,
    path: str,
    answer: tuple[object, int],
    problem: str,
) -> None:
    response = request_with(posts_app(migrated_database, "false"), monkeypatch, view, path, answer)
    body, status = answer
    assert response.status_code == status
    assert (response.json if response.is_json else response.get_data(as_text=True)) == body


def test_answers_that_keep_to_their_models_pass_unchanged(migrated_database: Callable[..., str]) -> None:
    """The views', the error handlers' and the undocumented ones (the 500s of a database error, the text pong)."""
    client = posts_app(migrated_database, "true").test_client()
    created = client.post("/posts", json={"routeId": POST_ID, "expireAt": "2090-01-01T00:00:00Z", "userId": POST_ID})
    assert created.status_code == 201, created.json
    assert client.get(f"/posts/{created.json['id']}").json["id"] == created.json["id"]
    assert client.get("/posts/not-a-uuid").json == {"msg": "El id no es un UUID válido"}
    assert client.get(f"/posts/{POST_ID}").status_code == 404
    assert client.get("/posts/ping").get_data(as_text=True) == "pong"
    assert client.post("/posts/reset").status_code == 200


@pytest.mark.parametrize("app", SERVICE_TEST_APPS)
def test_every_service_test_app_validates_its_answers(request: pytest.FixtureRequest, app: str) -> None:
    assert request.getfixturevalue(app).config["SETTINGS"].validate_responses is True


@pytest.mark.parametrize("profile", local_stack.AUTH_PROFILES)
def test_the_local_stack_and_the_images_leave_it_off(profile: str, tmp_path: Path) -> None:
    stack = local_stack.LocalStack(tmp_path, profile=profile)
    for name in registry.NAMES:
        assert Settings.from_env(name, stack.env(name, "postgresql://x/y")).validate_responses is False
    images_and_manifests = [*registry.ROOT.glob("apps/*/Dockerfile"), *registry.ROOT.glob("gitops/**/*.yaml")]
    assert images_and_manifests
    assert [path for path in images_and_manifests if "VALIDATE_RESPONSES" in path.read_text()] == []
