"""The cluster-verify journey against an in-memory fake of the four services (per api.md)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlparse

import registry
from bootstrap.verify.journey import run_journey

URLS = {svc: f"http://10.0.0.5:{port}" for svc, port in registry.PORTS.items()}


class Response:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.text = body if isinstance(body, str) else json.dumps(body)

    def json(self) -> Any:
        return json.loads(self.text)


class FakeServices:
    """Just enough of the contract for the journey; `broken` makes one (method, collection) answer 500."""

    def __init__(self, broken: tuple[str, str] | None = None) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {"routes": {}, "posts": {}, "offers": {}}
        self.token = str(uuid.uuid4())
        self.user_id = str(uuid.uuid4())
        self.broken = broken
        self.seen: list[str] = []

    def request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        timeout: float,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> Response:
        parts = urlparse(url).path.strip("/").split("/")
        self.seen.append(f"{method} {'/'.join(parts)}")
        if (method, parts[0]) == self.broken:
            return Response(500, "<html>oops</html>")
        if parts[1:] == ["ping"]:
            return Response(200, "pong")
        if parts[0] == "users":
            if method == "POST" and parts[1:] == []:
                return Response(201, {"id": self.user_id, "createdAt": "now"})
            if parts[1:] == ["auth"]:
                return Response(200, {"id": self.user_id, "token": self.token, "expireAt": "later"})
            return Response(200, {"id": self.user_id})  # /users/me
        if headers.get("Authorization") != f"Bearer {self.token}":
            return Response(403, {"msg": "no token"})
        table = self.rows[parts[0]]
        if method == "POST":
            item = str(uuid.uuid4())
            table[item] = {"id": item, **json}
            return Response(201, {"id": item, "userId": self.user_id, "createdAt": "now"})
        if len(parts) == 1:
            wanted = {"flight": "flightId", "route": "routeId", "post": "postId"}
            return Response(
                200, [row for row in table.values() if all(row.get(wanted[k]) == v for k, v in (params or {}).items())]
            )
        if parts[1] not in table:
            return Response(404, {"msg": "not found"})
        if method == "DELETE":
            del table[parts[1]]
        return Response(200, {"msg": "ok"})


def test_the_whole_journey_passes_against_services_that_follow_the_contract() -> None:
    services = FakeServices()
    (finding,) = run_journey(services, URLS)
    assert finding.ok, finding.detail
    assert finding.detail.startswith("20 requests answered as the contract says")
    assert services.seen[:5] == ["GET users/ping", "GET routes/ping", "GET offers/ping", "GET posts/ping", "POST users"]
    assert services.rows == {"routes": {}, "posts": {}, "offers": {}}  # it cleans up after itself
    assert not [call for call in services.seen if "reset" in call]


def test_the_first_wrong_answer_is_reported_with_the_request() -> None:
    (finding,) = run_journey(FakeServices(broken=("POST", "posts")), URLS)
    assert not finding.ok
    assert finding.detail == ("request 11: POST http://10.0.0.5:30004/posts: expected 201, got 500: <html>oops</html>")


def test_an_unreachable_nodeport_is_a_finding_not_a_crash() -> None:
    class Down:
        def request(self, method: str, url: str, **kwargs: Any) -> Any:
            raise ConnectionRefusedError(111, "Connection refused")

    (finding,) = run_journey(Down(), URLS)
    assert not finding.ok and "GET http://10.0.0.5:30001/users/ping: [Errno 111] Connection refused" in finding.detail
