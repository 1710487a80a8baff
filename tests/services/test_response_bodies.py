"""Each entity's answer, byte for byte: a row of fixed values, stored in PostgreSQL, read back and served.

The expected texts are what the hand-written serializers answered before the response models wrote the
bodies: field order, dates in UTC to the millisecond with a `Z` (truncated, whatever offset was stored),
ids as strings, the amount as a JSON number, non-ASCII escaped, and Flask's closing newline.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from offers.models import Offer
from posts.models import Post
from routes.models import Route
from service_core import db
from users.credentials import token_digest
from users.models import User

ROW_ID = uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
OTHER_ID = uuid.UUID("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9")
USER_ID = uuid.UUID("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
CREATED = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)  # answered truncated: .678
LIMA = timezone(timedelta(hours=-5))
UUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
MOMENT_TEXT = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def store(app: Flask, *rows: object) -> None:
    with app.app_context(), db.transaction() as session:
        session.add_all(rows)


def test_a_route_is_answered_as_before(isolated_routes_app: Flask, isolated_routes: FlaskClient) -> None:
    store(
        isolated_routes_app,
        Route(
            id=ROW_ID,
            flight_id="AV-204",
            source_airport_code="LIM",
            source_country="Perú",
            destiny_airport_code="BOG",
            destiny_country="Colombia",
            bag_cost=23,
            planned_start_date=datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=LIMA),
            planned_end_date=datetime(2031, 5, 7, tzinfo=UTC),
            created_at=CREATED,
            updated_at=CREATED + timedelta(seconds=1),
        ),
    )
    expected = (
        '{"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","flightId":"AV-204","sourceAirportCode":"LIM",'
        '"sourceCountry":"Per\\u00fa","destinyAirportCode":"BOG","destinyCountry":"Colombia","bagCost":23,'
        '"plannedStartDate":"2031-05-06T12:08:09.123Z","plannedEndDate":"2031-05-07T00:00:00.000Z",'
        '"createdAt":"2025-01-02T03:04:05.678Z","updatedAt":"2025-01-02T03:04:06.678Z"}'
    )
    assert isolated_routes.get(f"/routes/{ROW_ID}").text == expected + "\n"
    assert isolated_routes.get("/routes?flight=AV-204").text == f"[{expected}]\n"


def test_a_post_is_answered_as_before(isolated_posts_app: Flask, isolated_posts: FlaskClient) -> None:
    expire_at = datetime(2031, 12, 31, 23, 59, 59, 999999, tzinfo=LIMA)  # the next day in UTC
    store(
        isolated_posts_app,
        Post(
            id=ROW_ID, route_id=OTHER_ID, user_id=USER_ID, expire_at=expire_at, created_at=CREATED, updated_at=CREATED
        ),
    )
    expected = (
        '{"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","routeId":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9",'
        '"userId":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","expireAt":"2032-01-01T04:59:59.999Z",'
        '"createdAt":"2025-01-02T03:04:05.678Z"}'
    )
    assert isolated_posts.get(f"/posts/{ROW_ID}").text == expected + "\n"
    assert isolated_posts.get(f"/posts?route={OTHER_ID}").text == f"[{expected}]\n"


def test_offers_are_answered_as_before(isolated_offers_app: Flask, isolated_offers: FlaskClient) -> None:
    def offer(row_id: uuid.UUID, amount: str, created_at: datetime) -> Offer:
        return Offer(
            id=row_id,
            post_id=OTHER_ID,
            user_id=USER_ID,
            description='Caja "frágil"',
            size="MEDIUM",
            fragile=True,
            offer=Decimal(amount),
            created_at=created_at,
            updated_at=created_at,
        )

    store(isolated_offers_app, offer(ROW_ID, "9999999999.99", CREATED), offer(OTHER_ID, "10", CREATED + timedelta(1)))
    common = (
        '"postId":"5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9","userId":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",'
        '"description":"Caja \\"fr\\u00e1gil\\"","size":"MEDIUM","fragile":true'
    )
    first = f'{{"id":"{ROW_ID}",{common},"offer":9999999999.99,"createdAt":"2025-01-02T03:04:05.678Z"}}'
    second = f'{{"id":"{OTHER_ID}",{common},"offer":10.0,"createdAt":"2025-01-03T03:04:05.678Z"}}'
    assert isolated_offers.get(f"/offers/{ROW_ID}").text == first + "\n"
    assert isolated_offers.get(f"/offers?post={OTHER_ID}").text == f"[{first},{second}]\n"


def test_the_token_user_is_answered_as_before(users_app: Flask, users: FlaskClient) -> None:
    token = "3c9d6a1e-7b2f-4d8a-9e5c-1f0a2b3c4d5e"
    user = User(
        id=ROW_ID,
        username="ana",
        email="ana@example.com",
        password_hash="not-used",
        dni=None,
        full_name="José Ñúñez",
        phone_number="+57 300",
        status="VERIFICADO",
        token_hash=token_digest(token),
        expire_at=datetime(2099, 1, 1, 12, 0, 0, 500000, tzinfo=LIMA),
        created_at=CREATED,
        updated_at=CREATED,
    )
    store(users_app, user)
    response = users.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_data(as_text=True) == (
        '{"id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","username":"ana","email":"ana@example.com",'
        '"fullName":"Jos\\u00e9 \\u00d1\\u00fa\\u00f1ez","dni":null,"phoneNumber":"+57 300","status":"VERIFICADO"}\n'
    )
    assert response.headers["X-Token-Expires-At"] == "2099-01-01T17:00:00.500Z"


def test_creates_and_logins_answer_as_before(
    users: FlaskClient, isolated_routes: FlaskClient, isolated_posts: FlaskClient
) -> None:
    """Their ids and times are made by the service: only their pattern is fixed."""
    body = {"username": "bea", "password": "s3cret-pw", "email": "bea@example.com"}
    created = re.fullmatch(
        f'{{"id":"({UUID_TEXT})","createdAt":"{MOMENT_TEXT}"}}\n', users.post("/users", json=body).text
    )
    assert created, "POST /users answered another shape"
    user_id = created[1]
    session = users.post("/users/auth", json=body).text
    assert re.fullmatch(f'{{"id":"{user_id}","token":"{UUID_TEXT}","expireAt":"{MOMENT_TEXT}"}}\n', session)

    route = {
        "flightId": "F1",
        **dict.fromkeys(("sourceAirportCode", "sourceCountry", "destinyAirportCode", "destinyCountry"), "X"),
        "bagCost": 1,
        "plannedStartDate": "2090-01-01T00:00:00Z",
        "plannedEndDate": "2090-01-02T00:00:00Z",
    }
    answer = isolated_routes.post("/routes", json=route).text
    assert re.fullmatch(f'{{"id":"{UUID_TEXT}","createdAt":"{MOMENT_TEXT}"}}\n', answer)
    post = {"routeId": str(OTHER_ID), "expireAt": "2090-01-01T00:00:00Z", "userId": str(USER_ID)}
    answer = isolated_posts.post("/posts", json=post).text
    assert re.fullmatch(f'{{"id":"{UUID_TEXT}","userId":"{USER_ID}","createdAt":"{MOMENT_TEXT}"}}\n', answer)
