"""The routes section of the REST contract, against a real PostgreSQL and a real users service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from routes.models import Base
from service_core.config import normalise_database_uri
from tests.services.protected import BAD_ID, INVALID_TOKEN, NO_TOKEN, counter, lister, run_together
from tests.support.bodies import in_days
from tests.support.callers import Caller, sign_up_and_log_in

INVALID_DATES = {"msg": "Las fechas del trayecto no son válidas"}
REQUIRED = [
    "flightId",
    "sourceAirportCode",
    "sourceCountry",
    "destinyAirportCode",
    "destinyCountry",
    "bagCost",
    "plannedStartDate",
    "plannedEndDate",
]
ROUTE_KEYS = {"id", *REQUIRED, "createdAt", "updatedAt"}


@pytest.fixture(scope="module")
def caller(users_server: str) -> Caller:
    """One user for the whole module: a sign-up costs an argon2 hash, and no test here needs a fresh one."""
    return sign_up_and_log_in(users_server)


count = counter("routes")
listed = lister("routes")


def new_route(**fields: object) -> dict[str, object]:
    body = {
        "flightId": f"FL-{uuid.uuid4().hex[:8]}",
        "sourceAirportCode": "BOG",
        "sourceCountry": "Colombia",
        "destinyAirportCode": "MIA",
        "destinyCountry": "USA",
        "bagCost": 120,
        "plannedStartDate": in_days(10),
        "plannedEndDate": in_days(11),
    }
    return {**body, **fields}


def create(routes: FlaskClient, caller: Caller, **fields: object) -> str:
    response = routes.post("/routes", json=new_route(**fields), headers=caller.headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


# --- POST /routes ---------------------------------------------------------------------------------


def test_create_answers_id_and_creation_time(routes: FlaskClient, caller: Caller) -> None:
    response = routes.post("/routes", json=new_route(), headers=caller.headers)
    assert response.status_code == 201
    assert set(response.json) == {"id", "createdAt"}
    uuid.UUID(response.json["id"])
    created = datetime.fromisoformat(response.json["createdAt"])
    assert response.json["createdAt"].endswith("Z")
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
    assert count(routes) == 1


def test_a_created_route_is_stored_with_every_field(routes: FlaskClient, caller: Caller) -> None:
    body = new_route(
        flightId="AV-204",
        bagCost=35,
        plannedStartDate="2090-03-01T21:20:53.214+05:00",
        plannedEndDate="2090-03-02T08:00:00Z",
    )
    created = routes.post("/routes", json=body, headers=caller.headers).json
    route = routes.get(f"/routes/{created['id']}", headers=caller.headers).json
    assert route == {
        "id": created["id"],
        "flightId": "AV-204",
        "sourceAirportCode": "BOG",
        "sourceCountry": "Colombia",
        "destinyAirportCode": "MIA",
        "destinyCountry": "USA",
        "bagCost": 35,
        "plannedStartDate": "2090-03-01T16:20:53.214Z",
        "plannedEndDate": "2090-03-02T08:00:00.000Z",
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }


@pytest.mark.parametrize("missing", REQUIRED)
def test_create_without_a_field_is_400(routes: FlaskClient, caller: Caller, missing: str) -> None:
    body = {key: value for key, value in new_route().items() if key != missing}
    response = routes.post("/routes", json=body, headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(missing)
    assert count(routes) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flightId", 204),
        ("sourceAirportCode", None),
        ("sourceCountry", ["Colombia"]),
        ("destinyAirportCode", {}),
        ("destinyCountry", True),
        ("bagCost", "120"),
        ("bagCost", True),
        ("bagCost", None),
        ("bagCost", 12.5),
        ("bagCost", float("nan")),
        ("bagCost", float("inf")),
        ("plannedStartDate", 1772400053),
        ("plannedEndDate", None),
        ("plannedStartDate", "tomorrow"),
        ("plannedEndDate", "2090-13-01T00:00:00Z"),
        ("plannedStartDate", ""),
    ],
)
def test_create_with_a_field_of_the_wrong_type_is_400(
    routes: FlaskClient, caller: Caller, field: str, value: object
) -> None:
    response = routes.post("/routes", json=new_route(**{field: value}), headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(field)
    assert count(routes) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("flightId", ""),
        ("flightId", "x" * 256),
        ("sourceCountry", "Co\x00lombia"),
        ("destinyCountry", ""),
        ("bagCost", -1),
        ("bagCost", 2**31),
        ("bagCost", 1e300),
        ("bagCost", 10**40),
        ("plannedEndDate", "9999-12-31T23:59:59-01:00"),
        ("plannedStartDate", "2090-03-01T21:20:53Z" + " " * 60),
    ],
)
def test_create_with_a_value_the_database_cannot_hold_is_400(
    routes: FlaskClient, caller: Caller, field: str, value: object
) -> None:
    response = routes.post("/routes", json=new_route(**{field: value}), headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(field)
    assert count(routes) == 0


@pytest.mark.parametrize(("sent", "stored"), [(12.0, 12), (0, 0), (2**31 - 1, 2**31 - 1), (1e3, 1000)])
def test_bag_cost_is_any_whole_non_negative_number(
    routes: FlaskClient, caller: Caller, sent: float, stored: int
) -> None:
    route_id = create(routes, caller, bagCost=sent)
    bag_cost = routes.get(f"/routes/{route_id}", headers=caller.headers).json["bagCost"]
    assert bag_cost == stored
    assert type(bag_cost) is int


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2090-03-01t21:20:53.214z", "2090-03-01T21:20:53.214Z"),  # RFC 3339 allows lower case
        ("2090-03-01T21:20:53", "2090-03-01T21:20:53.000Z"),  # no offset: UTC
        ("2090-03-01T21:20:53.5-03:00", "2090-03-02T00:20:53.500Z"),
        ("2090-03-01", "2090-03-01T00:00:00.000Z"),
    ],
)
def test_dates_are_read_as_iso_8601_and_answered_in_utc(
    routes: FlaskClient, caller: Caller, sent: str, stored: str
) -> None:
    route_id = create(routes, caller, plannedStartDate=sent, plannedEndDate="2091-01-01T00:00:00Z")
    assert routes.get(f"/routes/{route_id}", headers=caller.headers).json["plannedStartDate"] == stored


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (in_days(-1), in_days(1)),  # start in the past
        (in_days(-2), in_days(-1)),  # both in the past
        (in_days(2), in_days(1)),  # end before start
        ("2090-03-01T12:00:00Z", "2090-03-01T12:00:00Z"),  # end equal to start
        ("2090-03-01T12:00:00Z", "2090-03-01T07:00:00-05:00"),  # the same moment, written differently
        ("2090-03-01T12:00:00Z", "2090-03-01T13:00:00+02:00"),  # after start in local time, before it in UTC
    ],
    ids=["start-past", "both-past", "end-first", "equal", "equal-elsewhere", "before-in-utc"],  # same on every worker
)
def test_dates_in_the_past_or_out_of_order_are_412(routes: FlaskClient, caller: Caller, start: str, end: str) -> None:
    response = routes.post(
        "/routes", json=new_route(plannedStartDate=start, plannedEndDate=end), headers=caller.headers
    )
    assert response.status_code == 412
    assert response.json == INVALID_DATES
    assert count(routes) == 0


def test_a_taken_flight_id_is_412(routes: FlaskClient, caller: Caller) -> None:
    create(routes, caller, flightId="AV-204")
    response = routes.post("/routes", json=new_route(flightId="AV-204"), headers=caller.headers)
    assert response.status_code == 412
    assert response.json == {"msg": "Ya existe un trayecto con ese flightId"}
    assert count(routes) == 1
    create(routes, caller, flightId="av-204")  # flight ids are compared exactly: case matters


def test_concurrent_creates_with_one_flight_id_give_one_201_and_412s(
    routes_app: Flask, routes: FlaskClient, caller: Caller
) -> None:
    assert routes.get("/routes", headers=caller.headers).status_code == 200  # token checked and cached
    body = new_route(flightId="AV-204")
    statuses = run_together(
        20, lambda: routes_app.test_client().post("/routes", json=body, headers=caller.headers).status_code
    )
    assert statuses == [201] + [412] * 19
    assert count(routes) == 1


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('"a string"', "application/json", 400),
        ("null", "application/json", 400),
        ("", "application/json", 400),
        ("flightId=AV-204", "application/x-www-form-urlencoded", 415),
        ("x" * (2 * 1024 * 1024), "application/json", 413),
    ],
)
def test_bodies_that_are_not_a_json_object_get_a_json_4xx(
    routes: FlaskClient, caller: Caller, data: str, content_type: str, status: int
) -> None:
    response = routes.post("/routes", data=data, content_type=content_type, headers=caller.headers)
    assert response.status_code == status
    assert response.is_json and isinstance(response.json["msg"], str)
    assert count(routes) == 0


# --- Authentication, before anything else ---------------------------------------------------------

UNKNOWN_ID = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"  # fixed, so that test ids are the same on every run
ENDPOINTS = [
    ("post", "/routes"),
    ("get", "/routes"),
    ("get", f"/routes/{UNKNOWN_ID}"),
    ("delete", f"/routes/{UNKNOWN_ID}"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer"}, {"Authorization": "Basic YW5hOnB3"}]
)
def test_no_token_is_403(routes: FlaskClient, method: str, path: str, headers: dict) -> None:
    response = getattr(routes, method)(path, json=new_route(), headers=headers)
    assert response.status_code == 403
    assert response.json == NO_TOKEN
    assert count(routes) == 0


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_an_unknown_token_is_401(routes: FlaskClient, users_server: str, method: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {uuid.uuid4()}"}
    response = getattr(routes, method)(path, json=new_route(), headers=headers)
    assert response.status_code == 401
    assert response.json == INVALID_TOKEN
    assert count(routes) == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/routes", {"flightId": 5}),
        ("post", "/routes", new_route(plannedStartDate=in_days(-1))),
        ("get", "/routes?limit=0", None),
        ("get", "/routes/not-a-uuid", None),
        ("delete", "/routes/not-a-uuid", None),
    ],
)
def test_authentication_comes_before_validation(
    routes: FlaskClient, users_server: str, method: str, path: str, body: dict | None
) -> None:
    assert getattr(routes, method)(path, json=body).status_code == 403
    unknown = {"Authorization": f"Bearer {uuid.uuid4()}"}
    assert getattr(routes, method)(path, json=body, headers=unknown).status_code == 401


def test_authentication_comes_before_the_uniqueness_check(routes: FlaskClient, caller: Caller) -> None:
    create(routes, caller, flightId="AV-204")
    assert routes.post("/routes", json=new_route(flightId="AV-204")).status_code == 403


def test_routes_have_no_owner(routes: FlaskClient, caller: Caller, sign_up: Callable[[], Caller]) -> None:
    route_id = create(routes, caller)
    other = sign_up()
    assert listed(routes, other) == [route_id]
    assert routes.get(f"/routes/{route_id}", headers=other.headers).status_code == 200
    assert routes.delete(f"/routes/{route_id}", headers=other.headers).status_code == 200


# --- GET /routes ----------------------------------------------------------------------------------


def test_list_gives_every_route_with_every_field_oldest_first(routes: FlaskClient, caller: Caller) -> None:
    first, second = create(routes, caller, flightId="AV-1"), create(routes, caller, flightId="AV-2")
    response = routes.get("/routes", headers=caller.headers)
    assert response.status_code == 200
    assert [route["id"] for route in response.json] == [first, second]
    route = response.json[0]
    assert set(route) == ROUTE_KEYS
    assert route == routes.get(f"/routes/{first}", headers=caller.headers).json
    assert (route["flightId"], route["bagCost"]) == ("AV-1", 120)
    for key in ("plannedStartDate", "plannedEndDate", "createdAt", "updatedAt"):
        assert route[key].endswith("Z") and datetime.fromisoformat(route[key]).utcoffset() == timedelta(0)


def test_list_of_nothing_is_an_empty_array(routes: FlaskClient, caller: Caller) -> None:
    assert listed(routes, caller) == []


def test_flight_filter_is_an_exact_match(routes: FlaskClient, caller: Caller) -> None:
    wanted = create(routes, caller, flightId="AV-204")
    create(routes, caller, flightId="AV-2040")
    create(routes, caller, flightId="av-204")
    assert listed(routes, caller, "?flight=AV-204") == [wanted]
    for unknown in ("AV-20", "AV-%25", "NOPE", "", "AV-204%20"):
        assert listed(routes, caller, f"?flight={unknown}") == [], unknown


def test_flight_filter_and_paging_combine_with_and(routes: FlaskClient, caller: Caller) -> None:
    wanted = create(routes, caller, flightId="AV-204")
    create(routes, caller)
    assert listed(routes, caller, "?flight=AV-204&limit=1") == [wanted]
    assert listed(routes, caller, "?flight=AV-204&offset=1") == []


def test_limit_and_offset_page_through_without_repeats_or_gaps(routes: FlaskClient, caller: Caller) -> None:
    created = [create(routes, caller) for _ in range(5)]
    pages = [listed(routes, caller, f"?limit=2&offset={offset}") for offset in (0, 2, 4)]
    assert pages == [created[0:2], created[2:4], created[4:]]
    assert listed(routes, caller, "?offset=5") == []
    assert listed(routes, caller, f"?offset={2**63 - 1}") == []
    assert listed(routes, caller, "?limit=1000") == created


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1001",
        "offset=-1",
        "offset=x",
        "limit=1.5",
        f"offset={2**63}",
        "flight=" + "x" * 256,
        "flight=AV%00204",
    ],
)
def test_malformed_list_parameters_are_400(routes: FlaskClient, caller: Caller, query: str) -> None:
    response = routes.get(f"/routes?{query}", headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(query.split("=")[0])


def test_unknown_query_parameters_are_ignored(routes: FlaskClient, caller: Caller) -> None:
    route_id = create(routes, caller)
    assert listed(routes, caller, "?owner=me&expire=maybe&flights=x") == [route_id]


# --- GET and DELETE /routes/{id} ------------------------------------------------------------------


def test_get_an_unknown_route_is_404_and_a_malformed_id_400(routes: FlaskClient, caller: Caller) -> None:
    create(routes, caller)
    unknown = routes.get(f"/routes/{uuid.uuid4()}", headers=caller.headers)
    assert (unknown.status_code, unknown.json) == (404, {"msg": "El trayecto no existe"})
    malformed = routes.get("/routes/AV-204", headers=caller.headers)
    assert (malformed.status_code, malformed.json) == (400, BAD_ID)


def test_delete_removes_the_route(routes: FlaskClient, caller: Caller) -> None:
    route_id, kept = create(routes, caller), create(routes, caller)
    response = routes.delete(f"/routes/{route_id}", headers=caller.headers)
    assert response.status_code == 200
    assert response.json == {"msg": "el trayecto fue eliminado"}
    assert routes.get(f"/routes/{route_id}", headers=caller.headers).status_code == 404
    assert listed(routes, caller) == [kept]
    assert count(routes) == 1


def test_delete_of_an_unknown_route_is_404_and_a_malformed_id_400(routes: FlaskClient, caller: Caller) -> None:
    route_id = create(routes, caller)
    routes.delete(f"/routes/{route_id}", headers=caller.headers)
    again = routes.delete(f"/routes/{route_id}", headers=caller.headers)
    assert (again.status_code, again.json) == (404, {"msg": "El trayecto no existe"})
    malformed = routes.delete("/routes/123", headers=caller.headers)
    assert (malformed.status_code, malformed.json) == (400, BAD_ID)


def test_concurrent_deletes_give_one_200_and_404s(routes_app: Flask, routes: FlaskClient, caller: Caller) -> None:
    route_id = create(routes, caller)
    statuses = run_together(
        8, lambda: routes_app.test_client().delete(f"/routes/{route_id}", headers=caller.headers).status_code
    )
    assert statuses == [200] + [404] * 7
    assert count(routes) == 0


def test_a_deleted_flight_id_can_be_used_again(routes: FlaskClient, caller: Caller) -> None:
    routes.delete(f"/routes/{create(routes, caller, flightId='AV-204')}", headers=caller.headers)
    again = create(routes, caller, flightId="AV-204")
    assert listed(routes, caller, "?flight=AV-204") == [again]


# --- reset, count, ping, openapi, schema ----------------------------------------------------------


def test_openapi_documents_every_endpoint_and_status(routes: FlaskClient) -> None:
    document = routes.get("/routes/openapi.json").json
    assert document["openapi"].startswith("3.")
    auth = {"401", "403", "503"}
    expected = {
        ("/routes", "post"): {"201", "400", "412"} | auth,
        ("/routes", "get"): {"200", "400"} | auth,
        ("/routes/{route_id}", "get"): {"200", "400", "404"} | auth,
        ("/routes/{route_id}", "delete"): {"200", "400", "404"} | auth,
        ("/routes/ping", "get"): {"200"},
        ("/routes/reset", "post"): {"200"},
        ("/routes/count", "get"): {"200"},
        ("/routes/openapi.json", "get"): {"200"},
    }
    for (path, method), statuses in expected.items():
        documented = set(document["paths"][path][method]["responses"])
        assert documented == statuses if path in ("/routes", "/routes/{route_id}") else documented >= statuses
    for path, method in list(expected)[:4]:
        assert document["paths"][path][method]["security"] == [{"bearer": []}]
    assert "security" not in document["paths"]["/routes/ping"]["get"]
    assert {parameter["name"] for parameter in document["paths"]["/routes"]["get"]["parameters"]} == {
        "flight",
        "limit",
        "offset",
    }


def test_openapi_describes_the_route_body_and_object(routes: FlaskClient) -> None:
    document = routes.get("/routes/openapi.json").json
    schemas = document["components"]["schemas"]
    new = next(schema for name, schema in schemas.items() if name.startswith("NewRoute"))
    assert set(new["required"]) == set(REQUIRED)
    assert new["properties"]["bagCost"]["type"] == "integer"
    assert (new["properties"]["bagCost"]["minimum"], new["properties"]["bagCost"]["maximum"]) == (0, 2**31 - 1)
    assert new["properties"]["plannedStartDate"]["format"] == "date-time"
    route = next(schema for name, schema in schemas.items() if name.startswith("Route."))
    assert set(route["required"]) == ROUTE_KEYS


def test_migration_matches_the_model_and_indexes_the_lookups(migrated_database: Callable[[str], str]) -> None:
    engine = create_engine(normalise_database_uri(migrated_database("routes")))
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            indexes = connection.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = 'routes'")).scalars()
            definitions = " | ".join(indexes)
    finally:
        engine.dispose()
    assert "UNIQUE INDEX routes_flight_id_key ON public.routes USING btree (flight_id)" in definitions
    assert "ix_routes_created_at_id ON public.routes USING btree (created_at, id)" in definitions
