"""The two profiles of routes, posts and offers (AUTH_PROFILE): one API, the caller named by a token or by the request.

The tests of each service's own rules run in the token profile; these run the same requests in both, and what
only the isolated profile does: `userId` in create bodies, `owner` a user id only, no token, never users.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import registry
from scripts.stack import local_stack
from scripts.stack.service_process import migrate_command, service_env
from service_core.config import AUTH_PROFILES, ConfigError
from tests.services.protected import AUTH_STATUSES
from tests.services.rows import one_row
from tests.services.service_apps import make_app
from tests.support.callers import Caller

SERVICES = registry.TOKEN_CLIENTS  # the services that have two profiles
OWNED = ["posts", "offers"]  # the services whose rows have an author
PROFILES = ["token", "isolated"]
AUTHOR = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"  # fixed, not uuid4(): parameter ids must match on every worker
# Headers that the token profile answers with 403 or 401, and that the isolated one never reads.
TOKENS_NOBODY_ISSUED = [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic YTpi"},
    {"Authorization": "garbage"},
    {"Authorization": f"Bearer {uuid.uuid4()}"},
    {"Authorization": "Bearer " + "x" * 5000},
]


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    return request.param


def client_of(request: pytest.FixtureRequest, profile: str, service: str) -> FlaskClient:
    return request.getfixturevalue(service if profile == "token" else f"isolated_{service}")


@pytest.fixture
def someone(profile: str, request: pytest.FixtureRequest) -> Callable[[], Caller]:
    """`someone()`: a user as the profile knows one. Token: signed up and logged in with the real users service.
    Isolated: just an id, with a token nobody issued, which every request sends anyway and nothing reads."""
    if profile == "token":
        return request.getfixturevalue("sign_up")
    return lambda: Caller(str(uuid.uuid4()), str(uuid.uuid4()))


def create(client: FlaskClient, service: str, profile: str, caller: Caller, **fields: object) -> TestResponse:
    """A create by `caller`: with its token in both profiles, and its id in the body in the isolated one."""
    named = {"userId": caller.id} if profile == "isolated" else {}
    return client.post(f"/{service}", json={**one_row(service), **named, **fields}, headers=caller.headers)


def listed(client: FlaskClient, service: str, caller: Caller, query: str = "") -> list[str]:
    response = client.get(f"/{service}{query}", headers=caller.headers)
    assert response.status_code == 200, response.json
    return [row["id"] for row in response.json]


# --- the same requests, both profiles --------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_create_read_list_and_delete_work_in_both_profiles(
    request: pytest.FixtureRequest, profile: str, service: str, someone: Callable[[], Caller]
) -> None:
    client, caller = client_of(request, profile, service), someone()
    created = create(client, service, profile, caller)
    assert created.status_code == 201, created.json
    row_id = created.json["id"]
    read = client.get(f"/{service}/{row_id}", headers=caller.headers)
    assert (read.status_code, read.json["id"]) == (200, row_id)
    assert listed(client, service, caller) == [row_id]
    deleted = client.delete(f"/{service}/{row_id}", headers=caller.headers)
    assert deleted.status_code == 200
    assert client.get(f"/{service}/{row_id}", headers=caller.headers).status_code == 404


@pytest.mark.parametrize("service", OWNED)
def test_the_author_is_the_profiles_caller(
    request: pytest.FixtureRequest, profile: str, service: str, someone: Callable[[], Caller]
) -> None:
    """Token: the token's user, whatever the body's userId. Isolated: the body's userId, whatever the token."""
    client, caller, other = client_of(request, profile, service), someone(), someone()
    mine = create(client, service, profile, caller)
    theirs = create(client, service, profile, other)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert (mine.json["userId"], theirs.json["userId"]) == (caller.id, other.id)
    assert client.get(f"/{service}/{mine.json['id']}", headers=other.headers).json["userId"] == caller.id
    assert listed(client, service, other, f"?owner={caller.id}") == [mine.json["id"]]
    assert listed(client, service, caller, f"?owner={other.id}") == [theirs.json["id"]]
    assert listed(client, service, caller, f"?owner={uuid.uuid4()}") == []
    if profile == "token":  # a body naming someone else changes nothing
        assert create(client, service, profile, caller, userId=other.id).json["userId"] == caller.id


@pytest.mark.parametrize("service", OWNED)
def test_owner_me_is_the_token_user_and_meaningless_without_a_token(
    request: pytest.FixtureRequest, profile: str, service: str, someone: Callable[[], Caller]
) -> None:
    client, caller = client_of(request, profile, service), someone()
    mine = create(client, service, profile, caller).json["id"]
    response = client.get(f"/{service}?owner=me", headers=caller.headers)
    if profile == "token":
        assert [row["id"] for row in response.json] == [mine]
    else:
        assert response.status_code == 400
        assert response.json["msg"].startswith("owner")


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_describes_the_profile_it_runs(request: pytest.FixtureRequest, profile: str, service: str) -> None:
    document = client_of(request, profile, service).get(f"/{service}/openapi.json").json
    assert f"Profile `{profile}`" in document["info"]["description"]
    own_paths = (f"/{service}", f"/{service}/{{{service[:-1]}_id}}")  # create and list, read and delete
    guarded = [operation for path in own_paths for operation in document["paths"][path].values()]
    assert len(guarded) == 4
    schemas = document["components"]["schemas"]
    new = next(schema for name, schema in schemas.items() if name.split(".")[0].endswith(f"New{service[:-1].title()}"))
    if profile == "token":
        assert document["components"]["securitySchemes"] == {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "UUID"}
        }
        assert all(
            operation["security"] == [{"bearer": []}] and set(operation["responses"]) >= AUTH_STATUSES
            for operation in guarded
        )
        assert "userId" not in new["properties"]
    else:
        assert "securitySchemes" not in document.get("components", {})
        assert not any(
            "security" in operation for operations in document["paths"].values() for operation in operations.values()
        )
        assert not any(AUTH_STATUSES & set(operation["responses"]) for operation in guarded)
        assert ("userId" in new["required"]) == (service in OWNED)
    if service in OWNED:
        owner = next(
            parameter["schema"]
            for parameter in document["paths"][f"/{service}"]["get"]["parameters"]
            if parameter["name"] == "owner"
        )
        assert (owner.get("anyOf"), owner.get("format")) == (
            ([{"format": "uuid"}, {"const": "me"}], None) if profile == "token" else (None, "uuid")
        )


# --- the isolated profile only ---------------------------------------------------------------------


@pytest.mark.parametrize("service", OWNED)
@pytest.mark.parametrize(
    "user_id",
    [
        None,
        "",
        "me",
        "not-a-uuid",
        "123",
        AUTHOR + "0",
        5,
        True,
        [AUTHOR],
        {"id": AUTHOR},
    ],
)
def test_an_isolated_create_needs_the_authors_user_id(
    request: pytest.FixtureRequest, service: str, user_id: object
) -> None:
    client = request.getfixturevalue(f"isolated_{service}")
    body = one_row(service) | ({} if user_id is None else {"userId": user_id})
    response = client.post(f"/{service}", json=body)
    assert response.status_code == 400
    assert response.json["msg"].startswith("userId")
    assert client.get(f"/{service}/count").json == {"count": 0}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("headers", TOKENS_NOBODY_ISSUED)
def test_an_isolated_service_never_reads_the_authorization_header(
    request: pytest.FixtureRequest, service: str, headers: dict[str, str]
) -> None:
    client, author = request.getfixturevalue(f"isolated_{service}"), str(uuid.uuid4())
    created = client.post(f"/{service}", json=one_row(service) | {"userId": author}, headers=headers)
    assert created.status_code == 201, created.json
    row_id = created.json["id"]
    assert [row["id"] for row in client.get(f"/{service}", headers=headers).json] == [row_id]
    assert client.get(f"/{service}/{row_id}", headers=headers).status_code == 200
    assert client.get(f"/{service}/{uuid.uuid4()}", headers=headers).status_code == 404
    assert client.get(f"/{service}/not-a-uuid", headers=headers).status_code == 400
    invalid = client.post(f"/{service}", json={"userId": author}, headers=headers)
    assert invalid.status_code == 400  # validation answers, not a token check
    assert client.delete(f"/{service}/{row_id}", headers=headers).status_code == 200


@pytest.mark.parametrize("service", SERVICES)
def test_an_isolated_service_has_no_users_client(request: pytest.FixtureRequest, service: str) -> None:
    assert "users_client" not in request.getfixturevalue(f"isolated_{service}_app").extensions
    assert "users_client" in request.getfixturevalue(f"{service}_app").extensions


# --- configuration ---------------------------------------------------------------------------------


def one_sentence(error: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(error.value)
    assert message.endswith(".") and ". " not in message.rstrip("."), message
    return message


@pytest.mark.parametrize("value", ["", "Token", "ISOLATED", "none", "isolated ", "jwt"])
def test_an_unknown_profile_is_refused_in_one_sentence(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_app("posts", "postgresql://u:p@127.0.0.1:1/posts", AUTH_PROFILE=value, USERS_PATH="http://users:5000")
    assert one_sentence(error) == f"AUTH_PROFILE must be `token` or `isolated`, not {value!r}."


@pytest.mark.parametrize("service", registry.NAMES)
def test_isolated_with_a_users_path_is_a_contradiction(service: str) -> None:
    with pytest.raises(ConfigError) as error:
        make_app(service, "postgresql://u:p@127.0.0.1:1/db", AUTH_PROFILE="isolated", USERS_PATH="http://users:5000")
    assert "unset USERS_PATH" in one_sentence(error)


@pytest.mark.parametrize("profile_env", [{}, {"AUTH_PROFILE": "token"}])
@pytest.mark.parametrize("service", SERVICES)
def test_the_token_profile_still_needs_a_users_path(service: str, profile_env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as error:
        make_app(service, "postgresql://u:p@127.0.0.1:1/db", **profile_env)
    assert one_sentence(error).startswith("USERS_PATH is not set")


def test_users_is_the_same_in_both_profiles(migrated_database: Callable[..., str]) -> None:
    documents = [
        make_app("users", migrated_database("users"), **environ).test_client().get("/users/openapi.json").json
        for environ in ({}, {"AUTH_PROFILE": "token"}, {"AUTH_PROFILE": "isolated"})
    ]
    assert documents[0] == documents[1] == documents[2]
    assert "bearer" in documents[0]["components"]["securitySchemes"]  # /users/me still checks tokens


def test_a_bad_profile_stops_the_service_before_it_serves() -> None:
    """The migration command (run before gunicorn, locally and in the cluster) prints the sentence and exits 2."""
    environ = service_env("posts", "postgresql://u:p@127.0.0.1:1/posts", AUTH_PROFILE="isolate")
    done = subprocess.run(migrate_command("posts"), env=environ, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (2, "AUTH_PROFILE must be `token` or `isolated`, not 'isolate'.\n")


# --- the local stack's switch (make run/up ISOLATED=1) ---------------------------------------------


def test_the_local_stack_offers_exactly_the_services_profiles() -> None:
    assert local_stack.AUTH_PROFILES == AUTH_PROFILES


@pytest.mark.parametrize("service", SERVICES)
def test_the_isolated_local_stack_gives_no_users_path(service: str, tmp_path: Path) -> None:
    stacks = {profile: local_stack.LocalStack(tmp_path, profile=profile) for profile in PROFILES}
    environments = {profile: stack.env(service, "postgresql://x/y") for profile, stack in stacks.items()}
    assert environments["token"]["AUTH_PROFILE"] == "token"
    assert environments["token"]["USERS_PATH"] == stacks["token"].url("users")
    assert environments["isolated"]["AUTH_PROFILE"] == "isolated"
    assert "USERS_PATH" not in environments["isolated"]
