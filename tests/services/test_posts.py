"""The posts section of the REST contract, against a real PostgreSQL and a real users service."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from alembic import autogenerate, migration
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, text

from posts.models import Base
from scripts.stack.service_process import free_port
from service_core.config import normalise_database_uri
from tests.services import protected
from tests.services.protected import counter, lister, run_together
from tests.services.service_apps import make_app
from tests.support.bodies import in_days
from tests.support.callers import Caller

caller = protected.module_caller()

INVALID_EXPIRY = {"msg": "La fecha expiración no es válida"}
UNKNOWN_POST = {"msg": "La publicación no existe"}
POST_KEYS = {"id", "routeId", "userId", "expireAt", "createdAt"}
ROUTE = "0b7e3c1a-9d2f-4e8a-b5c6-7d8e9f0a1b2c"  # fixed, so that test ids are the same on every run
UNKNOWN_ID = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"


@pytest.fixture(scope="module")
def database(migrated_database: Callable[[str], str]) -> Iterator[Engine]:
    """The posts test database, for what the API cannot do: age posts, read plans and the schema."""
    engine = create_engine(normalise_database_uri(migrated_database("posts")))
    yield engine
    engine.dispose()


count = counter("posts")
listed = lister("posts")


def publish(posts: FlaskClient, caller: Caller, route: str = ROUTE, expire_at: str | None = None) -> str:
    response = posts.post(
        "/posts", json={"routeId": route, "expireAt": expire_at or in_days(3)}, headers=caller.headers
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def make_expired(database: Engine, post_id: str) -> None:
    """Let a post expire a millisecond after its creation (the API only takes future expiries)."""
    with database.begin() as connection:
        connection.execute(
            text("UPDATE posts SET expire_at = created_at + interval '1 millisecond' WHERE id = :id"), {"id": post_id}
        )
    time.sleep(0.002)


# --- POST /posts ----------------------------------------------------------------------------------


def test_publish_answers_id_author_and_creation_time(posts: FlaskClient, caller: Caller) -> None:
    response = posts.post("/posts", json={"routeId": ROUTE, "expireAt": in_days(1)}, headers=caller.headers)
    assert response.status_code == 201
    assert set(response.json) == {"id", "userId", "createdAt"}
    assert uuid.UUID(response.json["id"]).version == 4
    assert response.json["userId"] == caller.id
    assert response.json["createdAt"].endswith("Z")
    created = datetime.fromisoformat(response.json["createdAt"])
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert count(posts) == 1


def test_a_published_post_is_stored_with_every_field(posts: FlaskClient, caller: Caller) -> None:
    body = {"routeId": ROUTE.upper(), "expireAt": "2090-03-01T21:20:53.214+05:00"}
    created = posts.post("/posts", json=body, headers=caller.headers).json
    post = posts.get(f"/posts/{created['id']}", headers=caller.headers)
    assert post.status_code == 200
    assert post.json == {
        "id": created["id"],
        "routeId": ROUTE,
        "userId": caller.id,
        "expireAt": "2090-03-01T16:20:53.214Z",
        "createdAt": created["createdAt"],
    }


def test_the_author_is_the_token_user_whatever_the_body_says(posts: FlaskClient, caller: Caller) -> None:
    body = {"routeId": ROUTE, "expireAt": in_days(1), "userId": UNKNOWN_ID, "id": UNKNOWN_ID, "createdAt": "x"}
    created = posts.post("/posts", json=body, headers=caller.headers).json
    assert created["userId"] == caller.id and created["id"] != UNKNOWN_ID
    assert posts.get(f"/posts/{created['id']}", headers=caller.headers).json["userId"] == caller.id


def test_a_post_for_a_route_nobody_created_is_accepted(posts: FlaskClient, caller: Caller) -> None:
    route = str(uuid.uuid4())
    post_id = publish(posts, caller, route=route)
    assert listed(posts, caller, f"?route={route}") == [post_id]


@pytest.mark.parametrize("body", [{"expireAt": "2090-01-01T00:00:00Z"}, {"routeId": ROUTE}, {}])
def test_publish_without_a_field_is_400(posts: FlaskClient, caller: Caller, body: dict) -> None:
    response = posts.post("/posts", json=body, headers=caller.headers)
    assert response.status_code == 400
    missing = "routeId" if "routeId" not in body else "expireAt"
    assert response.json["msg"].startswith(missing)
    assert count(posts) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("routeId", 5),
        ("routeId", None),
        ("routeId", [ROUTE]),
        ("routeId", {"id": ROUTE}),
        ("routeId", True),
        ("expireAt", 1772400053),
        ("expireAt", None),
        ("expireAt", True),
        ("expireAt", ["2090-01-01"]),
        ("expireAt", {}),
        ("expireAt", 20900101.5),
    ],
)
def test_publish_with_a_field_of_the_wrong_json_type_is_400(
    posts: FlaskClient, caller: Caller, field: str, value: object
) -> None:
    body = {"routeId": ROUTE, "expireAt": in_days(1), field: value}
    response = posts.post("/posts", json=body, headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(field)
    assert count(posts) == 0


@pytest.mark.parametrize(
    "route", ["", "not-a-uuid", "123", ROUTE[:-1], ROUTE + "0", ROUTE[:-1] + "g", ROUTE[:-1] + "\x00", "x" * 10_000]
)
def test_publish_with_a_route_id_that_is_not_a_uuid_is_400(posts: FlaskClient, caller: Caller, route: str) -> None:
    response = posts.post("/posts", json={"routeId": route, "expireAt": in_days(1)}, headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith("routeId")
    assert count(posts) == 0


@pytest.mark.parametrize(
    "expire_at",
    [
        # Moments relative to now get fixed ids, so that every xdist worker collects the same tests.
        pytest.param(in_days(-1), id="yesterday"),
        pytest.param(in_days(-1 / 86400, "+00:00"), id="a-second-ago"),
        pytest.param(datetime.now(UTC).strftime("%Y-%m-%d"), id="today-at-midnight"),
        "2000-01-01T00:00:00Z",
        "tomorrow",
        "",
        " ",
        "2090-13-01T00:00:00Z",
        "2090-02-30T00:00:00Z",
        "2090-03-01T25:00:00Z",
        "01/03/2090",
        "2090-03-01T21:20:53Z\x00",
        "2090-03-01T21:20:53Z" + " " * 60,
        "x" * 10_000,
        "9999-12-31T23:59:59-01:00",  # past the largest date once in UTC
    ],
)
def test_an_expiry_not_in_the_future_or_unreadable_is_412(posts: FlaskClient, caller: Caller, expire_at: str) -> None:
    response = posts.post("/posts", json={"routeId": ROUTE, "expireAt": expire_at}, headers=caller.headers)
    assert response.status_code == 412
    assert response.json == INVALID_EXPIRY
    assert count(posts) == 0


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2090-03-01t21:20:53.214z", "2090-03-01T21:20:53.214Z"),  # RFC 3339 allows lower case
        ("2090-03-01T21:20:53", "2090-03-01T21:20:53.000Z"),  # no offset: UTC
        ("2090-03-01T21:20:53.5-03:00", "2090-03-02T00:20:53.500Z"),
        ("2090-03-01", "2090-03-01T00:00:00.000Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    ],
)
def test_expiries_are_read_as_iso_8601_and_answered_in_utc(
    posts: FlaskClient, caller: Caller, sent: str, stored: str
) -> None:
    post_id = publish(posts, caller, expire_at=sent)
    assert posts.get(f"/posts/{post_id}", headers=caller.headers).json["expireAt"] == stored


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        (f'[{{"routeId": "{ROUTE}", "expireAt": "2090-01-01"}}]', "application/json", 400),
        ('"a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("", "application/json", 400),
        (f"routeId={ROUTE}&expireAt=2090-01-01", "application/x-www-form-urlencoded", 415),
        ("x" * (2 * 1024 * 1024), "application/json", 413),
    ],
)
def test_bodies_that_are_not_a_json_object_get_a_json_4xx(
    posts: FlaskClient, caller: Caller, data: str, content_type: str, status: int
) -> None:
    response = posts.post("/posts", data=data, content_type=content_type, headers=caller.headers)
    assert response.status_code == status
    assert response.is_json and isinstance(response.json["msg"], str)
    assert count(posts) == 0


def test_concurrent_publishes_all_succeed_with_distinct_ids(
    posts_app: Flask, posts: FlaskClient, caller: Caller
) -> None:
    assert posts.get("/posts", headers=caller.headers).status_code == 200  # token checked and cached
    ids: list[str] = []

    def attempt() -> int:
        response = posts_app.test_client().post(
            "/posts", json={"routeId": ROUTE, "expireAt": in_days(1)}, headers=caller.headers
        )
        ids.append(response.json["id"])
        return response.status_code

    assert run_together(20, attempt) == [201] * 20
    assert len(set(ids)) == 20
    assert count(posts) == 20
    assert sorted(listed(posts, caller, f"?route={ROUTE}")) == sorted(ids)


# --- Authentication, before anything else ---------------------------------------------------------

ENDPOINTS = [("post", "/posts"), ("get", "/posts"), ("get", f"/posts/{UNKNOWN_ID}"), ("delete", f"/posts/{UNKNOWN_ID}")]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        *[(method, path, {"routeId": ROUTE, "expireAt": "2090-01-01T00:00:00Z"}) for method, path in ENDPOINTS],
        ("post", "/posts", {"routeId": 5}),  # 400 with a token
        ("post", "/posts", {"routeId": "nope", "expireAt": "2090-01-01"}),  # 400 with a token
        ("post", "/posts", {"routeId": ROUTE, "expireAt": "2000-01-01"}),  # 412 with a token
        ("post", "/posts", [1, 2]),
        ("get", "/posts?expire=maybe&route=x&owner=y&limit=0", None),
        ("get", "/posts/not-a-uuid", None),
        ("delete", "/posts/not-a-uuid", None),
    ],
)
def test_the_token_is_checked_before_anything_else(
    posts: FlaskClient, users_server: str, method: str, path: str, body: object
) -> None:
    protected.assert_token_checked_first(posts, method, path, body, "posts")


def test_an_unreachable_users_service_is_503(migrated_database: Callable[[str], str]) -> None:
    app = make_app("posts", migrated_database("posts"), USERS_PATH=f"http://127.0.0.1:{free_port()}")
    client = app.test_client()
    for method, path in ENDPOINTS:
        response = getattr(client, method)(
            path, json={"routeId": ROUTE, "expireAt": in_days(1)}, headers={"Authorization": f"Bearer {uuid.uuid4()}"}
        )
        assert (response.status_code, response.json) == (503, {"msg": "El servicio de usuarios no está disponible"})
    assert client.get("/posts/count").json == {"count": 0}


# --- GET /posts -----------------------------------------------------------------------------------


def test_list_gives_every_post_with_exactly_its_fields_oldest_first(posts: FlaskClient, caller: Caller) -> None:
    first = publish(posts, caller, expire_at="2090-03-01T12:00:00-05:00")
    second = publish(posts, caller, route=str(uuid.uuid4()))
    response = posts.get("/posts", headers=caller.headers)
    assert response.status_code == 200
    assert [post["id"] for post in response.json] == [first, second]
    post = response.json[0]
    assert set(post) == POST_KEYS
    assert all(isinstance(value, str) for value in post.values())
    assert post == posts.get(f"/posts/{first}", headers=caller.headers).json
    assert (post["routeId"], post["userId"], post["expireAt"]) == (ROUTE, caller.id, "2090-03-01T17:00:00.000Z")
    assert post["createdAt"].endswith("Z")


def test_list_of_nothing_is_an_empty_array(posts: FlaskClient, caller: Caller) -> None:
    assert listed(posts, caller) == []


def test_expire_filter_splits_expired_from_current_posts(posts: FlaskClient, caller: Caller, database: Engine) -> None:
    current, expired = publish(posts, caller), publish(posts, caller)
    make_expired(database, expired)
    assert listed(posts, caller, "?expire=true") == [expired]
    assert listed(posts, caller, "?expire=false") == [current]
    assert listed(posts, caller) == [current, expired]
    assert posts.get(f"/posts/{expired}", headers=caller.headers).status_code == 200  # still readable


def test_route_filter_gives_only_that_routes_posts(posts: FlaskClient, caller: Caller) -> None:
    wanted = [publish(posts, caller), publish(posts, caller)]
    publish(posts, caller, route=str(uuid.uuid4()))
    assert listed(posts, caller, f"?route={ROUTE}") == wanted
    assert listed(posts, caller, f"?route={ROUTE.upper()}") == wanted  # a UUID, however it is written
    assert listed(posts, caller, f"?route={uuid.uuid4()}") == []


def test_owner_filter_takes_a_user_id_or_me(posts: FlaskClient, caller: Caller, sign_up: Callable[[], Caller]) -> None:
    other = sign_up()
    mine, theirs = publish(posts, caller), publish(posts, other)
    assert listed(posts, caller, "?owner=me") == [mine]
    assert listed(posts, other, "?owner=me") == [theirs]
    assert listed(posts, caller, f"?owner={other.id}") == [theirs]
    assert listed(posts, other, f"?owner={caller.id}") == [mine]
    assert listed(posts, caller, f"?owner={UNKNOWN_ID}") == []
    assert listed(posts, other) == [mine, theirs]  # without a filter, everyone's posts


def test_filters_combine_with_and(
    posts: FlaskClient, caller: Caller, sign_up: Callable[[], Caller], database: Engine
) -> None:
    other, elsewhere = sign_up(), str(uuid.uuid4())
    wanted = publish(posts, caller)
    expired = publish(posts, caller)
    make_expired(database, expired)
    publish(posts, caller, route=elsewhere)
    theirs = publish(posts, other)
    assert listed(posts, caller, f"?owner=me&route={ROUTE}&expire=false") == [wanted]
    assert listed(posts, caller, f"?owner=me&route={ROUTE}&expire=true") == [expired]
    assert listed(posts, caller, f"?owner=me&route={ROUTE}") == [wanted, expired]
    assert listed(posts, caller, f"?owner={other.id}&route={elsewhere}") == []
    assert listed(posts, caller, f"?route={ROUTE}&expire=false") == [wanted, theirs]
    assert listed(posts, caller, f"?route={ROUTE}&expire=false&limit=1&offset=1") == [theirs]


def test_limit_and_offset_page_through_without_repeats_or_gaps(posts: FlaskClient, caller: Caller) -> None:
    created = [publish(posts, caller) for _ in range(5)]
    pages = [listed(posts, caller, f"?limit=2&offset={offset}") for offset in (0, 2, 4)]
    assert pages == [created[0:2], created[2:4], created[4:]]
    assert listed(posts, caller, "?offset=5") == []
    assert listed(posts, caller, f"?offset={2**63 - 1}") == []
    assert listed(posts, caller, "?limit=1000") == created
    assert listed(posts, caller, f"?route={ROUTE}&limit=2&offset=3") == created[3:5]


@pytest.mark.parametrize(
    "query",
    [
        "expire=maybe",
        "expire=",
        "expire=TRUE",
        "expire=1",
        "expire=yes",
        "expire=true%00",
        "route=not-a-uuid",
        "route=",
        "route=" + "a" * 300,
        "route=me",
        "route=%00",
        "owner=you",
        "owner=",
        "owner=ME",
        "owner=123",
        "owner=" + ROUTE + "0",
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1001",
        "limit=1.5",
        "offset=-1",
        "offset=x",
        f"offset={2**63}",
    ],
)
def test_malformed_filters_are_400(posts: FlaskClient, caller: Caller, query: str) -> None:
    publish(posts, caller)
    response = posts.get(f"/posts?{query}", headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(query.split("=")[0])


def test_unknown_query_parameters_are_ignored(posts: FlaskClient, caller: Caller) -> None:
    post_id = publish(posts, caller)
    assert listed(posts, caller, "?flight=AV-1&post=x&expired=maybe&owners=you") == [post_id]


def test_lists_by_route_and_owner_are_read_from_their_index(
    posts_app: Flask, posts: FlaskClient, caller: Caller, database: Engine
) -> None:
    """With many posts, the filtered lists walk one index in order: no table scan, no sort."""
    with database.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO posts SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),"
                " now() + interval '30 days', now() - n * interval '1 second', now() FROM generate_series(1, 20000) n"
            )
        )
        connection.execute(text("ANALYZE posts"))
    wanted = publish(posts, caller)
    statements: list[tuple[str, dict]] = []

    def capture(_conn, _cursor, statement: str, parameters: dict, _context, _many) -> None:
        if statement.lstrip().startswith("SELECT posts.id"):
            statements.append((statement, parameters))

    engine = posts_app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert listed(posts, caller, f"?route={ROUTE}") == [wanted]
        assert listed(posts, caller, "?owner=me&limit=10") == [wanted]
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with database.connect() as connection:
        cursor = connection.connection.cursor()
        for statement, parameters in statements:
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) == 2
    for plan, index in zip(plans, ("ix_posts_route_id_created_at_id", "ix_posts_user_id_created_at_id"), strict=True):
        assert index in plan, plan
        assert "Seq Scan" not in plan and "Sort" not in plan, plan


# --- GET and DELETE /posts/{id} -------------------------------------------------------------------


def test_get_an_unknown_post_is_404_and_a_malformed_id_400(posts: FlaskClient, caller: Caller) -> None:
    publish(posts, caller)
    unknown = posts.get(f"/posts/{UNKNOWN_ID}", headers=caller.headers)
    assert (unknown.status_code, unknown.json) == (404, UNKNOWN_POST)
    for malformed in ("AV-204", "123", UNKNOWN_ID + "0", "%00"):
        response = posts.get(f"/posts/{malformed}", headers=caller.headers)
        assert (response.status_code, response.json) == (400, protected.BAD_ID), malformed


def test_any_user_may_read_and_delete_a_post(posts: FlaskClient, caller: Caller, sign_up: Callable[[], Caller]) -> None:
    post_id, other = publish(posts, caller), sign_up()
    assert posts.get(f"/posts/{post_id}", headers=other.headers).json["userId"] == caller.id
    assert posts.delete(f"/posts/{post_id}", headers=other.headers).status_code == 200


def test_delete_removes_the_post(posts: FlaskClient, caller: Caller) -> None:
    post_id, kept = publish(posts, caller), publish(posts, caller)
    response = posts.delete(f"/posts/{post_id}", headers=caller.headers)
    assert response.status_code == 200
    assert response.json == {"msg": "la publicación fue eliminada"}
    assert posts.get(f"/posts/{post_id}", headers=caller.headers).status_code == 404
    assert listed(posts, caller) == [kept]
    assert count(posts) == 1


def test_delete_of_an_unknown_post_is_404_and_a_malformed_id_400(posts: FlaskClient, caller: Caller) -> None:
    post_id = publish(posts, caller)
    posts.delete(f"/posts/{post_id}", headers=caller.headers)
    again = posts.delete(f"/posts/{post_id}", headers=caller.headers)
    assert (again.status_code, again.json) == (404, UNKNOWN_POST)
    malformed = posts.delete("/posts/123", headers=caller.headers)
    assert (malformed.status_code, malformed.json) == (400, protected.BAD_ID)
    assert count(posts) == 0


def test_concurrent_deletes_give_one_200_and_404s(posts_app: Flask, posts: FlaskClient, caller: Caller) -> None:
    post_id, kept = publish(posts, caller), publish(posts, caller)
    statuses = run_together(
        8, lambda: posts_app.test_client().delete(f"/posts/{post_id}", headers=caller.headers).status_code
    )
    assert statuses == [200] + [404] * 7
    assert listed(posts, caller) == [kept]


# --- reset, count, ping, openapi, schema ----------------------------------------------------------


def test_openapi_documents_every_endpoint_and_status(posts: FlaskClient) -> None:
    documented = protected.documented_statuses(posts, "posts")
    assert documented[("/posts", "post")] == {"201", "400", "412"} | protected.AUTH_STATUSES
    assert documented[("/posts", "get")] == {"200", "400"} | protected.AUTH_STATUSES
    assert documented[("/posts/{post_id}", "get")] == {"200", "400", "404"} | protected.AUTH_STATUSES
    assert documented[("/posts/{post_id}", "delete")] == {"200", "400", "404"} | protected.AUTH_STATUSES
    for operation in ("ping", "count", "openapi.json"):
        assert documented[(f"/posts/{operation}", "get")] >= {"200"}
    assert documented[("/posts/reset", "post")] >= {"200"}


def test_openapi_describes_the_post_body_query_and_object(posts: FlaskClient) -> None:
    document = posts.get("/posts/openapi.json").json
    paths, schemas = document["paths"], document["components"]["schemas"]
    for path, method in (
        ("/posts", "post"),
        ("/posts", "get"),
        ("/posts/{post_id}", "get"),
        ("/posts/{post_id}", "delete"),
    ):
        assert paths[path][method]["security"] == [{"bearer": []}]
    assert "security" not in paths["/posts/ping"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in paths["/posts"]["get"]["parameters"]}
    assert set(parameters) == {"expire", "route", "owner", "limit", "offset"}
    assert parameters["expire"]["enum"] == ["true", "false"]
    assert parameters["route"]["format"] == "uuid"
    assert parameters["owner"]["anyOf"] == [{"format": "uuid"}, {"const": "me"}]
    new = next(schema for name, schema in schemas.items() if name.startswith("NewPost"))
    assert set(new["required"]) == {"routeId", "expireAt"}
    assert new["properties"]["routeId"]["format"] == "uuid"
    # Any string: an unreadable date is the contract's 412, which a `date-time` format would make a 400.
    assert new["properties"]["expireAt"]["type"] == "string" and "format" not in new["properties"]["expireAt"]
    post = next(schema for name, schema in schemas.items() if name.startswith("Post."))
    assert set(post["required"]) == POST_KEYS
    created = next(schema for name, schema in schemas.items() if name.startswith("CreatedBy"))
    assert set(created["required"]) == {"id", "userId", "createdAt"}


def test_migration_matches_the_model_and_indexes_the_filters(database: Engine) -> None:
    with database.connect() as connection:
        assert autogenerate.compare_metadata(migration.MigrationContext.configure(connection), Base.metadata) == []
        rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'posts'"))
        columns = {name: definition.split("USING btree ")[1] for name, definition in rows}
    assert columns == {
        "posts_pkey": "(id)",
        "ix_posts_route_id_created_at_id": "(route_id, created_at, id)",
        "ix_posts_user_id_created_at_id": "(user_id, created_at, id)",
        "ix_posts_expire_at": "(expire_at)",
        "ix_posts_created_at_id": "(created_at, id)",
    }
