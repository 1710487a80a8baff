"""Malformed queries and bodies, message for message (service_core.validation.validated).

These are the answers spectree's request validation gave, pinned when our own decorator replaced it (issue 14),
on posts and offers in the isolated profile (no users needed); the token profile's order is checked last.
"""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.services.protected import NO_TOKEN

ROUTE = "0b7e3c1a-9d2f-4e8a-b5c6-7d8e9f0a1b2c"
AUTHOR = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
POST = {"routeId": ROUTE, "expireAt": "2090-01-01T00:00:00Z", "userId": AUTHOR}
OFFER = {"postId": ROUTE, "description": "box", "size": "SMALL", "fragile": False, "offer": 3, "userId": AUTHOR}
NOT_JSON = {"msg": "El cuerpo debe ser JSON (Content-Type: application/json)"}
NOT_AN_OBJECT = {"msg": "El cuerpo debe ser un objeto JSON"}
INVALID_JSON = {"msg": "El cuerpo no es JSON válido"}
EVERY_FIELD_MISSING = {"msg": "routeId: Field required"}  # the first field of the body model


def count(client: FlaskClient) -> int:
    return client.get("/posts/count").json["count"]


# --- the query ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        # A repeated key is read as the list of its values, which a single-valued parameter refuses.
        (f"?route={ROUTE}&route={ROUTE}", "route: Input should be a valid string"),
        ("?limit=1&limit=1", "limit: Input should be a valid integer"),
        ("?limit=abc", "limit: Input should be a valid integer, unable to parse string as an integer"),
        ("?limit=0", "limit: Input should be greater than or equal to 1"),
        ("?offset=-1", "offset: Input should be greater than or equal to 0"),
        ("?expire=maybe", "expire: Input should be 'true' or 'false'"),
        ("?route=", "route: Value error, must be a UUID"),
        ("?owner=me", "owner: Value error, must be a UUID"),  # the isolated profile has no caller to be `me`
        ("?limit=abc&route=x", "limit: Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_a_bad_query_is_400_naming_its_first_bad_parameter(isolated_posts: FlaskClient, query: str, msg: str) -> None:
    response = isolated_posts.get(f"/posts{query}")
    assert (response.status_code, response.json) == (400, {"msg": msg})


@pytest.mark.parametrize("query", ["?unknown=1&unknown=2", "?limit=1.0", "?limit=%201", f"?route={ROUTE.upper()}"])
def test_unknown_parameters_are_ignored_and_numbers_read_from_text(isolated_posts: FlaskClient, query: str) -> None:
    response = isolated_posts.get(f"/posts{query}")
    assert (response.status_code, response.json) == (200, [])


# --- the body -------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["[1, 2]", "[]", '"a string"', "null", "0", "false", "[{}]"])
def test_a_json_body_that_is_not_an_object_is_400(isolated_posts: FlaskClient, data: str) -> None:
    response = isolated_posts.post("/posts", data=data, content_type="application/json")
    assert (response.status_code, response.json) == (400, NOT_AN_OBJECT)
    assert count(isolated_posts) == 0


@pytest.mark.parametrize("data", ["{not json", '{"routeId": ', b'{"routeId": "\xe9"}'])
def test_malformed_json_is_400(isolated_posts: FlaskClient, data: str | bytes) -> None:
    response = isolated_posts.post("/posts", data=data, content_type="application/json")
    assert (response.status_code, response.json) == (400, INVALID_JSON)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (json.dumps(POST), "text/plain"),
        (json.dumps(POST), "application/x-www-form-urlencoded"),
        (f"routeId={ROUTE}", "application/x-www-form-urlencoded"),
        (json.dumps(POST), None),  # no Content-Type at all
    ],
)
def test_a_body_sent_as_another_type_than_json_is_415(
    isolated_posts: FlaskClient, data: str, content_type: str | None
) -> None:
    response = isolated_posts.post("/posts", data=data, content_type=content_type)
    assert (response.status_code, response.json) == (415, NOT_JSON)
    assert count(isolated_posts) == 0


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/json; charset=utf-8"])
def test_json_content_types_with_a_suffix_or_a_charset_are_json(isolated_posts: FlaskClient, content_type: str) -> None:
    response = isolated_posts.post("/posts", data=json.dumps(POST), content_type=content_type)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (None, None),
        ("", "application/json"),
        ("  \n ", "application/json"),
        ("", "text/plain"),
        # Was a 500 before issue 14: spectree skipped the body model for form types, and the view met no body.
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_an_empty_body_is_an_object_without_any_field(
    isolated_posts: FlaskClient, data: str | None, content_type: str | None
) -> None:
    response = isolated_posts.post("/posts", data=data, content_type=content_type)
    assert (response.status_code, response.json) == (400, EVERY_FIELD_MISSING)


def test_the_body_is_read_as_python_s_json_reads_it(isolated_offers: FlaskClient) -> None:
    """`json.loads`, as Flask's own `get_json`: NaN is a number (which the amount refuses), the last of two equal
    keys wins, and UTF-16 is recognised."""
    nan = json.dumps(OFFER).replace('"offer": 3', '"offer": NaN')
    response = isolated_offers.post("/offers", data=nan, content_type="application/json")
    assert (response.status_code, response.json) == (400, {"msg": "offer: Input should be a finite number"})
    twice = json.dumps(OFFER).replace('"size": "SMALL"', '"size": 5, "size": "SMALL"')
    assert isolated_offers.post("/offers", data=twice, content_type="application/json").status_code == 201
    utf16 = json.dumps(OFFER).encode("utf-16")
    assert isolated_offers.post("/offers", data=utf16, content_type="application/json").status_code == 201


def test_every_post_body_must_be_json_even_without_a_body_model(isolated_posts: FlaskClient) -> None:
    """`POST /<svc>/reset` takes no body, but one that is sent is checked like any other."""
    response = isolated_posts.post("/posts/reset", data="x", content_type="text/plain")
    assert (response.status_code, response.json) == (415, NOT_JSON)
    response = isolated_posts.post("/posts/reset", data="[1]", content_type="application/json")
    assert (response.status_code, response.json) == (400, NOT_AN_OBJECT)


# --- the order of the checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("x", "text/plain"), ("[1]", "application/json"), ("{", "application/json"), ("{}", "application/json")],
)
def test_the_token_is_checked_before_the_body(posts: FlaskClient, data: str, content_type: str) -> None:
    response = posts.post("/posts?limit=0", data=data, content_type=content_type)
    assert (response.status_code, response.json) == (403, NO_TOKEN)
