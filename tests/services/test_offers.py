"""The offers section of the REST contract, against a real PostgreSQL and a real users service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from offers.models import Base
from service_core.config import normalise_database_uri
from tests.services.protected import (
    AUTH_STATUSES,
    BAD_ID,
    assert_token_checked_first,
    counter,
    documented_statuses,
    lister,
    module_caller,
    run_together,
)
from tests.support.callers import Caller, sign_up_and_log_in

POST = "3b0e8f52-6c1d-4a8e-9f27-5d4c3b2a1908"  # fixed, so that test ids are the same on every run
OTHER_POST = "9d8c7b6a-5f4e-4d3c-8b2a-190817263544"
OFFER_KEYS = {"id", "postId", "userId", "description", "size", "fragile", "offer", "createdAt"}
FIELDS = ["postId", "description", "size", "fragile", "offer"]
INVALID_SIZE = {"msg": "El tamaño debe ser LARGE, MEDIUM o SMALL"}
NEGATIVE = {"msg": "La oferta no puede ser negativa"}
UNKNOWN = {"msg": "La oferta no existe"}


caller = module_caller()


@pytest.fixture(scope="module")
def rival(users_server: str) -> Caller:
    """A second user, for the owner filter."""
    return sign_up_and_log_in(users_server)


count = counter("offers")
ids = lister("offers")


def offer_body(**fields: object) -> dict[str, object]:
    return {
        "postId": POST,
        "description": "a box of books",
        "size": "MEDIUM",
        "fragile": False,
        "offer": 25.5,
        **fields,
    }


def make(offers: FlaskClient, caller: Caller, **fields: object) -> str:
    response = offers.post("/offers", json=offer_body(**fields), headers=caller.headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def stored_amount(offers: FlaskClient, caller: Caller, sent: object) -> object:
    """The `offer` answered for an offer made with `sent`."""
    return offers.get(f"/offers/{make(offers, caller, offer=sent)}", headers=caller.headers).json["offer"]


def refused(offers: FlaskClient, caller: Caller, status: int, **fields: object) -> dict:
    """Post a body that must be refused with `status`; nothing may be stored. The error body."""
    response = offers.post("/offers", json=offer_body(**fields), headers=caller.headers)
    assert response.status_code == status, response.json
    assert count(offers) == 0
    return response.json


# --- POST /offers ---------------------------------------------------------------------------------


def test_create_answers_id_user_and_creation_time(offers: FlaskClient, caller: Caller) -> None:
    response = offers.post("/offers", json=offer_body(), headers=caller.headers)
    assert response.status_code == 201
    assert set(response.json) == {"id", "userId", "createdAt"}
    assert str(uuid.UUID(response.json["id"])) == response.json["id"]
    assert response.json["userId"] == caller.id
    assert response.json["createdAt"].endswith("Z")
    assert abs((datetime.now(UTC) - datetime.fromisoformat(response.json["createdAt"])).total_seconds()) < 60
    assert count(offers) == 1


def test_a_created_offer_is_stored_with_every_field(offers: FlaskClient, caller: Caller) -> None:
    body = offer_body(postId=POST.upper(), description="Vajilla ñ 😀", size="LARGE", fragile=True, offer=120)
    created = offers.post("/offers", json=body, headers=caller.headers).json
    offer = offers.get(f"/offers/{created['id']}", headers=caller.headers).json
    assert offer == {
        "id": created["id"],
        "postId": POST,
        "userId": caller.id,
        "description": "Vajilla ñ 😀",
        "size": "LARGE",
        "fragile": True,
        "offer": 120,
        "createdAt": created["createdAt"],
    }
    assert type(offer["fragile"]) is bool and type(offer["offer"]) is float


def test_an_offer_on_a_post_that_does_not_exist_is_201(offers: FlaskClient, caller: Caller) -> None:
    never_posted = str(uuid.uuid4())
    offer_id = make(offers, caller, postId=never_posted)
    assert offers.get(f"/offers/{offer_id}", headers=caller.headers).json["postId"] == never_posted


@pytest.mark.parametrize("size", ["LARGE", "MEDIUM", "SMALL"])
@pytest.mark.parametrize("fragile", [True, False])
def test_every_size_and_fragility_is_taken(offers: FlaskClient, caller: Caller, size: str, fragile: bool) -> None:
    offer = offers.get(f"/offers/{make(offers, caller, size=size, fragile=fragile)}", headers=caller.headers).json
    assert (offer["size"], offer["fragile"]) == (size, fragile)


@pytest.mark.parametrize("missing", FIELDS)
def test_create_without_a_field_is_400(offers: FlaskClient, caller: Caller, missing: str) -> None:
    body = {key: value for key, value in offer_body().items() if key != missing}
    response = offers.post("/offers", json=body, headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(missing)
    assert count(offers) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postId", 5),
        ("postId", None),
        ("postId", [POST]),
        ("postId", "not-a-uuid"),
        ("postId", ""),
        ("postId", POST[:-1]),
        ("description", 5),
        ("description", None),
        ("description", ["a box"]),
        ("description", {"text": "a box"}),
        ("size", 1),
        ("size", None),
        ("size", True),
        ("size", ["SMALL"]),
        ("fragile", 1),
        ("fragile", 0),
        ("fragile", "true"),
        ("fragile", "false"),
        ("fragile", None),
        ("fragile", [True]),
        ("offer", "10"),
        ("offer", True),
        ("offer", False),
        ("offer", None),
        ("offer", [10]),
        ("offer", {"usd": 10}),
        ("offer", float("nan")),
        ("offer", float("inf")),
        ("offer", float("-inf")),
    ],
)
def test_create_with_a_field_of_the_wrong_type_is_400(
    offers: FlaskClient, caller: Caller, field: str, value: object
) -> None:
    assert refused(offers, caller, 400, **{field: value})["msg"].startswith(field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ""),
        ("description", "x" * 1001),
        ("description", "a\x00box"),
        ("description", "a\ud800box"),
        ("offer", 10_000_000_000),
        ("offer", 9_999_999_999.995),
        ("offer", 1e308),
        ("offer", 10**40),
        ("offer", 10**400),
        ("offer", -(10**400)),  # beyond a double: not a number the API can read, negative or not
    ],
)
def test_create_with_a_value_the_database_cannot_hold_is_400(
    offers: FlaskClient, caller: Caller, field: str, value: object
) -> None:
    assert refused(offers, caller, 400, **{field: value})["msg"].startswith(field)


@pytest.mark.parametrize("size", ["large", "Small", "XL", "", " SMALL", "SMALL ", "SMALL\x00", "x" * 10_000])
def test_a_size_that_is_not_one_of_the_three_is_412(offers: FlaskClient, caller: Caller, size: str) -> None:
    assert refused(offers, caller, 412, size=size) == INVALID_SIZE


@pytest.mark.parametrize("amount", [-1, -0.01, -0.001, -1e308, -(10**40)])
def test_a_negative_offer_is_412(offers: FlaskClient, caller: Caller, amount: float) -> None:
    assert refused(offers, caller, 412, offer=amount) == NEGATIVE


def test_size_is_checked_before_the_amount(offers: FlaskClient, caller: Caller) -> None:
    assert refused(offers, caller, 412, size="XL", offer=-1) == INVALID_SIZE


@pytest.mark.parametrize("amount", [0, 0.0, 0.01, 0.1, 10, 25.5, 99.99, 1234567.89, 9_999_999_999, 9_999_999_999.99])
def test_an_amount_in_cents_comes_back_unchanged(offers: FlaskClient, caller: Caller, amount: float) -> None:
    answered = stored_amount(offers, caller, amount)
    assert answered == amount
    assert type(answered) is float


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (2.675, 2.68),
        (0.125, 0.13),
        (0.124, 0.12),
        (0.1 + 0.2, 0.3),
        (0.004, 0.0),
        (1e-300, 0.0),
        (-0.0, 0.0),
        (9_999_999_999.985, 9_999_999_999.99),
    ],
)
def test_an_amount_is_rounded_half_up_to_the_cent(
    offers: FlaskClient, caller: Caller, sent: float, stored: float
) -> None:
    assert repr(stored_amount(offers, caller, sent)) == repr(stored)  # repr: -0.0 must come back as 0.0


NOT_AN_OBJECT = {  # body -> status, all sent as application/json
    "{not json": 400,
    "[1, 2]": 400,
    '[{"postId": "x"}]': 400,
    '"an offer"': 400,
    "null": 400,
    "12": 400,
    "": 400,
    "x" * (2 * 1024 * 1024): 413,
}


@pytest.mark.parametrize(("data", "status"), NOT_AN_OBJECT.items(), ids=lambda value: str(value)[:12])
def test_bodies_that_are_not_a_json_object_get_a_json_4xx(
    offers: FlaskClient, caller: Caller, data: str, status: int
) -> None:
    response = offers.post("/offers", data=data, content_type="application/json", headers=caller.headers)
    assert response.status_code == status
    assert response.is_json and isinstance(response.json["msg"], str)
    assert count(offers) == 0


def test_a_form_body_is_415(offers: FlaskClient, caller: Caller) -> None:
    response = offers.post("/offers", data={"size": "SMALL"}, headers=caller.headers)
    assert (response.status_code, response.json) == (
        415,
        {"msg": "El cuerpo debe ser JSON (Content-Type: application/json)"},
    )


def test_unknown_body_fields_are_ignored(offers: FlaskClient, caller: Caller) -> None:
    offer_id = make(offers, caller, userId=str(uuid.uuid4()), id=str(uuid.uuid4()), createdAt="2000-01-01T00:00:00Z")
    offer = offers.get(f"/offers/{offer_id}", headers=caller.headers).json
    assert offer["userId"] == caller.id and offer["createdAt"] > "2020"


def test_concurrent_creates_all_succeed(offers_app: Flask, offers: FlaskClient, caller: Caller) -> None:
    assert offers.get("/offers", headers=caller.headers).status_code == 200  # token checked and cached
    statuses = run_together(
        20, lambda: offers_app.test_client().post("/offers", json=offer_body(), headers=caller.headers).status_code
    )
    assert statuses == [201] * 20
    assert count(offers) == 20


# --- Authentication, before anything else ---------------------------------------------------------

ENDPOINTS = [
    ("post", "/offers"),
    ("get", "/offers"),
    ("get", f"/offers/{OTHER_POST}"),
    ("delete", f"/offers/{OTHER_POST}"),
]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        *[(method, path, offer_body()) for method, path in ENDPOINTS],
        ("post", "/offers", {"offer": "10"}),  # 400 with a token
        ("post", "/offers", offer_body(size="XL")),  # 412 with a token
        ("post", "/offers", offer_body(offer=-5)),  # 412 with a token
        ("post", "/offers", [offer_body()]),
        ("get", "/offers?post=nope&owner=nobody&limit=0", None),
        ("get", "/offers/not-a-uuid", None),
        ("delete", "/offers/not-a-uuid", None),
    ],
)
def test_the_token_is_checked_before_anything_else(
    offers: FlaskClient, users_server: str, method: str, path: str, body: object
) -> None:
    assert_token_checked_first(offers, method, path, body, "offers")


def test_a_blank_token_or_another_scheme_is_403(offers: FlaskClient) -> None:
    for headers in ({"Authorization": "Bearer   "}, {"Authorization": "Token abc"}, {"Authorization": "bearer"}):
        response = offers.post("/offers", json=offer_body(), headers=headers)
        assert (response.status_code, response.json) == (403, {"msg": "No se proporcionó un token"}), headers


def test_the_token_is_checked_before_malformed_json(offers: FlaskClient) -> None:
    response = offers.post("/offers", data="{not json", content_type="application/json")
    assert response.status_code == 403


# --- GET /offers ----------------------------------------------------------------------------------


def test_list_gives_every_offer_with_exactly_the_contract_keys_oldest_first(
    offers: FlaskClient, caller: Caller
) -> None:
    first = make(offers, caller, fragile=True, offer=10)
    second = make(offers, caller, postId=OTHER_POST)
    response = offers.get("/offers", headers=caller.headers)
    assert response.status_code == 200
    assert [item["id"] for item in response.json] == [first, second]
    item = response.json[0]
    assert set(item) == OFFER_KEYS
    assert item == offers.get(f"/offers/{first}", headers=caller.headers).json
    assert (item["postId"], item["userId"], item["fragile"], item["offer"]) == (POST, caller.id, True, 10)
    assert type(item["fragile"]) is bool and type(item["offer"]) is float
    assert item["createdAt"].endswith("Z")


def test_list_of_nothing_is_an_empty_array(offers: FlaskClient, caller: Caller) -> None:
    assert ids(offers, caller) == []


def test_filters_by_post_and_owner_combine_with_and(offers: FlaskClient, caller: Caller, rival: Caller) -> None:
    mine_here, mine_there = make(offers, caller), make(offers, caller, postId=OTHER_POST)
    theirs_here, theirs_there = make(offers, rival), make(offers, rival, postId=OTHER_POST)
    assert ids(offers, caller, f"?post={POST}") == [mine_here, theirs_here]
    assert ids(offers, caller, f"?owner={rival.id}") == [theirs_here, theirs_there]
    assert ids(offers, caller, "?owner=me") == [mine_here, mine_there]
    assert ids(offers, rival, "?owner=me") == [theirs_here, theirs_there]
    assert ids(offers, caller, f"?post={OTHER_POST}&owner=me") == [mine_there]
    assert ids(offers, caller, f"?owner={rival.id}&post={POST}") == [theirs_here]
    assert ids(offers, caller, f"?post={POST.upper()}&owner={caller.id.upper()}") == [mine_here]
    assert ids(offers, caller, f"?post={uuid.uuid4()}") == []
    assert ids(offers, caller, f"?post={POST}&owner={uuid.uuid4()}") == []


def test_filters_and_paging_combine(offers: FlaskClient, caller: Caller, rival: Caller) -> None:
    make(offers, rival)
    wanted = [make(offers, caller) for _ in range(3)]
    assert ids(offers, caller, f"?post={POST}&owner=me&limit=2") == wanted[:2]
    assert ids(offers, caller, f"?owner=me&post={POST}&limit=2&offset=2") == wanted[2:]


def test_limit_and_offset_page_through_without_repeats_or_gaps(offers: FlaskClient, caller: Caller) -> None:
    made = [make(offers, caller) for _ in range(5)]
    pages = {
        "limit=2": made[:2],
        "limit=2&offset=2": made[2:4],
        "offset=4&limit=2": made[4:],
        "offset=3": made[3:],
        "offset=5": [],
        f"offset={2**63 - 1}": [],
        "limit=1000": made,
        "limit=1": made[:1],
    }
    assert {query: ids(offers, caller, f"?{query}") for query in pages} == pages


@pytest.mark.parametrize(
    "query",
    [
        "post=abc",
        "post=me",
        f"post={POST}x",
        "post=",
        "owner=abc",
        "owner=ME",
        "owner=",
        "owner=%00",
        "limit=0",
        "limit=1001",
        "limit=x",
        "offset=-1",
        f"offset={2**63}",
    ],
)
def test_malformed_filters_are_400(offers: FlaskClient, caller: Caller, query: str) -> None:
    response = offers.get(f"/offers?{query}", headers=caller.headers)
    assert response.status_code == 400
    assert response.json["msg"].startswith(query.split("=")[0])


def test_unknown_query_parameters_are_ignored(offers: FlaskClient, caller: Caller) -> None:
    offer_id = make(offers, caller)
    assert ids(offers, caller, "?flight=x&expire=maybe&posts=abc&Owner=abc") == [offer_id]


# --- GET and DELETE /offers/{id} ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "delete"])
def test_an_unknown_id_is_404_and_a_malformed_one_400(offers: FlaskClient, caller: Caller, method: str) -> None:
    deleted = make(offers, caller)
    offers.delete(f"/offers/{deleted}", headers=caller.headers)
    make(offers, caller)
    for unknown in (deleted, str(uuid.uuid4()), deleted.upper()):
        response = getattr(offers, method)(f"/offers/{unknown}", headers=caller.headers)
        assert (response.status_code, response.json) == (404, UNKNOWN), unknown
    for malformed in ("offer-1", "42", f"{POST}0", "%20", "null"):
        response = getattr(offers, method)(f"/offers/{malformed}", headers=caller.headers)
        assert (response.status_code, response.json) == (400, BAD_ID), malformed
    assert count(offers) == 1


def test_any_user_can_read_an_offer(offers: FlaskClient, caller: Caller, rival: Caller) -> None:
    offer_id = make(offers, caller)
    assert offers.get(f"/offers/{offer_id}", headers=rival.headers).json["userId"] == caller.id


def test_delete_removes_only_that_offer(offers: FlaskClient, caller: Caller) -> None:
    gone, kept = make(offers, caller), make(offers, caller)
    response = offers.delete(f"/offers/{gone}", headers=caller.headers)
    assert (response.status_code, response.json) == (200, {"msg": "la oferta fue eliminada"})
    assert offers.get(f"/offers/{gone}", headers=caller.headers).status_code == 404
    assert ids(offers, caller) == [kept]
    assert count(offers) == 1


def test_concurrent_deletes_give_one_200_and_404s(offers_app: Flask, offers: FlaskClient, caller: Caller) -> None:
    offer_id = make(offers, caller)
    statuses = run_together(
        8, lambda: offers_app.test_client().delete(f"/offers/{offer_id}", headers=caller.headers).status_code
    )
    assert statuses == [200] + [404] * 7
    assert count(offers) == 0


# --- reset, count, ping, openapi, schema ----------------------------------------------------------


def test_openapi_documents_every_endpoint_and_status(offers: FlaskClient) -> None:
    documented = documented_statuses(offers, "offers")
    assert documented[("/offers", "post")] == {"201", "400", "412"} | AUTH_STATUSES
    assert documented[("/offers", "get")] == {"200", "400"} | AUTH_STATUSES
    assert documented[("/offers/{offer_id}", "get")] == {"200", "400", "404"} | AUTH_STATUSES
    assert documented[("/offers/{offer_id}", "delete")] == {"200", "400", "404"} | AUTH_STATUSES
    for operation in ("ping", "count", "openapi.json"):
        assert "200" in documented[(f"/offers/{operation}", "get")]
    assert "200" in documented[("/offers/reset", "post")]


def test_openapi_describes_security_query_body_and_object(offers: FlaskClient) -> None:
    document = offers.get("/offers/openapi.json").json
    paths, schemas = document["paths"], document["components"]["schemas"]
    for method, path in ENDPOINTS:
        assert paths[path.replace(OTHER_POST, "{offer_id}")][method]["security"] == [{"bearer": []}]
    assert "security" not in paths["/offers/ping"]["get"] and "security" not in paths["/offers/reset"]["post"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in paths["/offers"]["get"]["parameters"]}
    assert set(parameters) == {"post", "owner", "limit", "offset"}
    assert parameters["post"]["format"] == "uuid" and "me" in parameters["owner"]["description"]
    new = next(schema for name, schema in schemas.items() if name.startswith("NewOffer"))
    properties = new["properties"]
    assert set(new["required"]) == set(FIELDS)
    assert (properties["postId"]["type"], properties["postId"]["format"]) == ("string", "uuid")
    assert properties["fragile"]["type"] == "boolean"
    assert (properties["offer"]["type"], properties["offer"]["maximum"]) == ("number", 9_999_999_999.99)
    assert "minimum" not in properties["offer"] and "412" in properties["offer"]["description"]
    assert properties["size"]["type"] == "string" and "enum" not in properties["size"]  # others are 412, not 400
    assert properties["description"]["maxLength"] == 1000
    offer = next(schema for name, schema in schemas.items() if name.startswith("Offer."))
    assert set(offer["required"]) == OFFER_KEYS
    assert offer["properties"]["size"]["enum"] == ["LARGE", "MEDIUM", "SMALL"]


def test_migration_matches_the_model_and_indexes_the_lookups(migrated_database: Callable[[str], str]) -> None:
    engine = create_engine(normalise_database_uri(migrated_database("offers")))
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            definitions = " | ".join(
                connection.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = 'offers'")).scalars()
            )
            offer_type = connection.execute(
                text(
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'offers'::regclass "
                    "AND attname = 'offer'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert offer_type == "numeric(12,2)"
    for columns in ("created_at, id", "post_id, created_at, id", "user_id, created_at, id"):
        assert f"USING btree ({columns})" in definitions, columns
