"""The users section of the REST contract, against a real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from service_core.config import normalise_database_uri
from tests.services.service_apps import make_app

NEW_USER = {"username": "ana", "password": "s3cret-pw", "email": "ana@example.com"}
ME_KEYS = {"id", "username", "email", "fullName", "dni", "phoneNumber", "status"}


def sign_up(users: FlaskClient, **fields: object) -> str:
    response = users.post("/users", json={**NEW_USER, **fields})
    assert response.status_code == 201, response.json
    return response.json["id"]


def log_in(users: FlaskClient, username: str = "ana", password: str = "s3cret-pw") -> dict:
    response = users.post("/users/auth", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count(users: FlaskClient) -> int:
    return users.get("/users/count").json["count"]


# --- POST /users ---------------------------------------------------------------------------------


def test_sign_up_answers_id_and_creation_time(users: FlaskClient) -> None:
    response = users.post("/users", json={**NEW_USER, "dni": "123", "fullName": "Ana P", "phoneNumber": "555"})
    assert response.status_code == 201
    assert set(response.json) == {"id", "createdAt"}
    uuid.UUID(response.json["id"])
    created = datetime.fromisoformat(response.json["createdAt"])
    assert created.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60


@pytest.mark.parametrize("missing", ["username", "password", "email"])
def test_sign_up_without_a_required_field_is_400(users: FlaskClient, missing: str) -> None:
    body = {key: value for key, value in NEW_USER.items() if key != missing}
    response = users.post("/users", json=body)
    assert response.status_code == 400
    assert missing in response.json["msg"]
    assert count(users) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", 5),
        ("password", True),
        ("email", ["a@b.c"]),
        ("dni", 7),
        ("fullName", {}),
        ("phoneNumber", 1.5),
        ("username", ""),
        ("email", "not-an-email"),
        ("username", "x" * 256),
        ("fullName", "a\x00b"),
    ],
)
def test_sign_up_with_a_malformed_field_is_400(users: FlaskClient, field: str, value: object) -> None:
    response = users.post("/users", json={**NEW_USER, field: value})
    assert response.status_code == 400
    assert response.json["msg"].startswith(field)
    assert count(users) == 0


@pytest.mark.parametrize("taken", ["username", "email"])
def test_sign_up_with_a_taken_username_or_email_is_412(users: FlaskClient, taken: str) -> None:
    sign_up(users)
    other = {"username": "bob", "password": "pw", "email": "bob@example.com", taken: NEW_USER[taken]}
    response = users.post("/users", json=other)
    assert response.status_code == 412
    assert response.json == {"msg": "El nombre de usuario o el correo ya está registrado"}
    assert count(users) == 1


def test_concurrent_sign_ups_with_one_username_give_one_201_and_412s(users_app, users: FlaskClient) -> None:
    statuses: list[int] = []
    start = threading.Barrier(20)

    def attempt(index: int) -> None:
        client = users_app.test_client()
        start.wait()
        body = {**NEW_USER, "email": f"ana{index}@example.com"}
        statuses.append(client.post("/users", json=body).status_code)

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [412] * 19
    assert count(users) == 1


# --- Bad input, whatever the endpoint -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/users"),
        ("post", "/users/auth"),
        ("patch", "/users/6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"),  # fixed: xdist workers must collect the same ids
    ],
)
@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("username=ana", "application/x-www-form-urlencoded", 415),
        ("x" * (2 * 1024 * 1024), "application/json", 413),
    ],
)
def test_bodies_that_are_not_a_json_object_get_a_json_4xx(
    users: FlaskClient, method: str, path: str, data: str, content_type: str, status: int
) -> None:
    response = getattr(users, method)(path, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json and isinstance(response.json["msg"], str)
    assert count(users) == 0


# --- PATCH /users/{id} ----------------------------------------------------------------------------


def test_update_changes_the_given_fields(users: FlaskClient) -> None:
    user_id = sign_up(users)
    response = users.patch(f"/users/{user_id}", json={"status": "VERIFICADO", "dni": "42", "email": "ignored"})
    assert response.status_code == 200
    assert response.json == {"msg": "el usuario ha sido actualizado"}
    me = users.get("/users/me", headers=bearer(log_in(users)["token"])).json
    assert (me["status"], me["dni"], me["fullName"], me["email"]) == ("VERIFICADO", "42", None, "ana@example.com")


@pytest.mark.parametrize("body", [{}, {"email": "new@example.com"}, {"status": "ACTIVE"}, {"status": None}, {"dni": 5}])
def test_update_without_a_valid_field_is_400(users: FlaskClient, body: dict) -> None:
    user_id = sign_up(users)
    response = users.patch(f"/users/{user_id}", json=body)
    assert response.status_code == 400
    assert "msg" in response.json


def test_update_of_an_unknown_user_is_404_and_a_malformed_id_400(users: FlaskClient) -> None:
    assert users.patch(f"/users/{uuid.uuid4()}", json={"dni": "1"}).status_code == 404
    response = users.patch("/users/not-a-uuid", json={"dni": "1"})
    assert response.status_code == 400
    assert response.json == {"msg": "El id no es un UUID válido"}


# --- POST /users/auth -----------------------------------------------------------------------------


def test_log_in_gives_a_fresh_uuid4_token_with_an_expiry(users: FlaskClient) -> None:
    user_id = sign_up(users)
    first, second = log_in(users), log_in(users)
    assert set(first) == {"id", "token", "expireAt"}
    assert first["id"] == user_id
    assert uuid.UUID(first["token"]).version == 4
    assert first["token"] != second["token"]
    lifetime = datetime.fromisoformat(first["expireAt"]) - datetime.now(UTC)
    assert 3500 < lifetime.total_seconds() <= 3600


def test_log_in_works_whatever_the_status(users: FlaskClient) -> None:
    user_id = sign_up(users)
    users.patch(f"/users/{user_id}", json={"status": "NO_VERIFICADO"})
    assert log_in(users)["id"] == user_id


@pytest.mark.parametrize("body", [{"username": "ana"}, {"password": "s3cret-pw"}, {"username": 1, "password": "x"}])
def test_log_in_without_both_fields_is_400(users: FlaskClient, body: dict) -> None:
    sign_up(users)
    assert users.post("/users/auth", json=body).status_code == 400


@pytest.mark.parametrize(
    "credentials", [{"username": "nobody", "password": "s3cret-pw"}, {"username": "ana", "password": "wrong"}]
)
def test_unknown_user_and_wrong_password_get_the_same_404(users: FlaskClient, credentials: dict) -> None:
    sign_up(users)
    response = users.post("/users/auth", json=credentials)
    assert response.status_code == 404
    assert response.json == {"msg": "Usuario o contraseña incorrectos"}


# --- GET /users/me --------------------------------------------------------------------------------


def test_me_answers_the_profile_without_secrets(users: FlaskClient) -> None:
    user_id = sign_up(users, fullName="Ana P", dni="9", phoneNumber="555")
    session = log_in(users)
    response = users.get("/users/me", headers=bearer(session["token"]))
    assert response.status_code == 200
    assert response.json == {
        "id": user_id,
        "username": "ana",
        "email": "ana@example.com",
        "fullName": "Ana P",
        "dni": "9",
        "phoneNumber": "555",
        "status": "POR_VERIFICAR",
    }
    assert response.headers["X-Token-Expires-At"] == session["expireAt"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"}, {"Authorization": "Basic YW5hOnB3"}]
)
def test_me_without_a_token_is_403(users: FlaskClient, headers: dict) -> None:
    response = users.get("/users/me", headers=headers)
    assert response.status_code == 403
    assert response.is_json


def test_me_with_an_unknown_or_replaced_token_is_401(users: FlaskClient) -> None:
    sign_up(users)
    old = log_in(users)["token"]
    log_in(users)  # a new log-in replaces the token
    assert users.get("/users/me", headers=bearer(old)).status_code == 401
    assert users.get("/users/me", headers=bearer(str(uuid.uuid4()))).status_code == 401


def test_an_expired_token_is_401(migrated_database) -> None:
    app = make_app("users", migrated_database("users"), TOKEN_TTL_SECONDS="1")
    client = app.test_client()
    try:
        sign_up(client)
        token = log_in(client)["token"]
        assert client.get("/users/me", headers=bearer(token)).status_code == 200
        import time

        time.sleep(1.1)
        assert client.get("/users/me", headers=bearer(token)).status_code == 401
    finally:
        client.post("/users/reset")


# --- Secrets never leave, and are never stored in clear --------------------------------------------


def test_no_response_carries_the_password_or_its_hash(users: FlaskClient) -> None:
    user_id = sign_up(users)
    token = log_in(users)["token"]
    bodies = [
        users.get("/users/me", headers=bearer(token)).get_data(as_text=True),
        users.patch(f"/users/{user_id}", json={"dni": "1"}).get_data(as_text=True),
    ]
    for body in bodies:
        assert "s3cret-pw" not in body and "argon2" not in body and token not in body


def test_password_and_token_are_stored_hashed(users: FlaskClient, migrated_database) -> None:
    sign_up(users)
    token = log_in(users)["token"]
    engine = create_engine(normalise_database_uri(migrated_database("users")))
    with engine.connect() as connection:
        row = connection.execute(text("SELECT * FROM users")).mappings().one()
    engine.dispose()
    stored = " ".join(str(value) for value in row.values())
    assert "s3cret-pw" not in stored and token not in stored
    assert row["password_hash"].startswith("$argon2id$")


# --- reset, count, ping, openapi ------------------------------------------------------------------


def test_openapi_documents_every_endpoint_and_status(users: FlaskClient) -> None:
    document = users.get("/users/openapi.json").json
    assert document["openapi"].startswith("3.")
    expected = {
        ("/users", "post"): {"201", "400", "412"},
        ("/users/{user_id}", "patch"): {"200", "400", "404"},
        ("/users/auth", "post"): {"200", "400", "404"},
        ("/users/me", "get"): {"200", "401", "403"},
        ("/users/ping", "get"): {"200"},
        ("/users/reset", "post"): {"200"},
        ("/users/count", "get"): {"200"},
        ("/users/openapi.json", "get"): {"200"},
    }
    for (path, method), statuses in expected.items():
        assert statuses <= set(document["paths"][path][method]["responses"]), (path, method)
    assert document["paths"]["/users/me"]["get"]["security"] == [{"bearer": []}]
