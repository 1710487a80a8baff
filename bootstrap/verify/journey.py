"""The end-to-end user journey of `make cluster-verify`, over the NodePorts, per ../shared/contract/api.md.

Sign up, log in, create a route, a post on it and an offer on the post, find each, delete them again.
It leaves only the user behind (the contract has no way to delete one) and never calls /reset.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bootstrap.verify.checks import Finding

TIMEOUT = 10  # seconds per request

# What the dry run prints for this check.
OUTLINE = (
    "GET /<svc>/ping (x4), POST /users, POST /users/auth, GET /routes without a token (403), GET /users/me,"
    " POST /routes, GET /routes?flight=, POST /posts, GET /posts?route=, POST /offers, GET /offers?post=,"
    " DELETE and GET (404) the offer, the post and the route"
)


class Http(Protocol):  # the part of requests.Session the journey uses
    def request(self, method: str, url: str, **kwargs: Any) -> Any: ...


class JourneyFailed(Exception):
    pass


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Journey:
    def __init__(self, http: Http, urls: Mapping[str, str]) -> None:
        self.http = http
        self.urls = urls
        self.headers: dict[str, str] = {}
        self.requests = 0

    def call(self, expected: int, method: str, service: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.urls[service]}{path}"
        self.requests += 1
        try:
            response = self.http.request(method, url, headers=self.headers, timeout=TIMEOUT, **kwargs)
        except OSError as error:  # requests' ConnectionError and Timeout are OSErrors
            raise JourneyFailed(f"{method} {url}: {error}") from error
        if response.status_code != expected:
            raise JourneyFailed(
                f"{method} {url}: expected {expected}, got {response.status_code}: {response.text[:200]}"
            )
        return response

    def run(self) -> str:
        for service in self.urls:
            if self.call(200, "GET", service, f"/{service}/ping").text.strip() != "pong":
                raise JourneyFailed(f"GET /{service}/ping did not answer pong")
        name = f"verify-{uuid.uuid4().hex[:8]}"
        user = {"username": name, "password": f"pw-{uuid.uuid4().hex}", "email": f"{name}@example.com"}
        self.call(201, "POST", "users", "/users", json=user)
        session = self.call(
            200, "POST", "users", "/users/auth", json={"username": name, "password": user["password"]}
        ).json()
        self.call(403, "GET", "routes", "/routes")  # no token yet
        self.headers = {"Authorization": f"Bearer {session['token']}"}
        if self.call(200, "GET", "users", "/users/me").json().get("id") != session["id"]:
            raise JourneyFailed("GET /users/me answered another user")

        flight = f"VF-{uuid.uuid4().hex[:6]}"
        route_id = self.call(
            201,
            "POST",
            "routes",
            "/routes",
            json={
                "flightId": flight,
                "sourceAirportCode": "BOG",
                "sourceCountry": "Colombia",
                "destinyAirportCode": "MIA",
                "destinyCountry": "USA",
                "bagCost": 120,
                "plannedStartDate": later(10),
                "plannedEndDate": later(11),
            },
        ).json()["id"]
        self.expect_ids("routes", "/routes", {"flight": flight}, [route_id])
        post_id = self.call(201, "POST", "posts", "/posts", json={"routeId": route_id, "expireAt": later(5)}).json()[
            "id"
        ]
        self.expect_ids("posts", "/posts", {"route": route_id}, [post_id])
        offer_id = self.call(
            201,
            "POST",
            "offers",
            "/offers",
            json={
                "postId": post_id,
                "description": "a book",
                "size": "SMALL",
                "fragile": False,
                "offer": 25.5,
            },
        ).json()["id"]
        self.expect_ids("offers", "/offers", {"post": post_id}, [offer_id])

        for service, item in (("offers", offer_id), ("posts", post_id), ("routes", route_id)):
            self.call(200, "DELETE", service, f"/{service}/{item}")
            self.call(404, "GET", service, f"/{service}/{item}")
        return f"{self.requests} requests answered as the contract says (user {name} remains)"

    def expect_ids(self, service: str, path: str, params: dict[str, str], ids: list[str]) -> None:
        found = [item["id"] for item in self.call(200, "GET", service, path, params=params).json()]
        if found != ids:
            raise JourneyFailed(f"GET {path}?{params} listed {found}, expected {ids}")


def run_journey(http: Http, urls: Mapping[str, str]) -> list[Finding]:
    """The journey as one Finding: the first request that went wrong, or how many went right."""
    journey = Journey(http, urls)
    try:
        return [Finding("journey", True, journey.run())]
    except (JourneyFailed, KeyError, ValueError) as error:  # ValueError: a body that is not JSON
        return [Finding("journey", False, f"request {journey.requests}: {error}")]
