"""A user's whole journey over real HTTP against the running local stack, in both profiles; then users going away."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import registry
from scripts.stack.local_stack import LocalStack
from tests.support.bodies import in_days, new_route
from tests.support.callers import sign_up_and_log_in


@pytest.fixture(params=["token", "isolated"])
def any_stack(request: pytest.FixtureRequest) -> LocalStack:
    """The local stack of `make up`, then of `make up ISOLATED=1`."""
    return request.getfixturevalue("stack" if request.param == "token" else "isolated_stack")


def test_sign_up_to_offer_and_back(any_stack: LocalStack) -> None:
    """The same journey in both profiles: in the isolated one, the client names the user it got from users
    (`userId`, `owner=<id>`), and the token it still sends is ignored."""
    stack = any_stack
    users, routes, posts, offers = (stack.url(name) for name in ("users", "routes", "posts", "offers"))
    caller = sign_up_and_log_in(users)
    auth = caller.headers
    named, me = ({"userId": caller.id}, caller.id) if stack.profile == "isolated" else ({}, "me")

    flight = f"FL-{uuid.uuid4().hex[:6]}"
    route = requests.post(
        f"{routes}/routes",
        headers=auth,
        timeout=5,
        json=new_route(flight),
    )
    assert route.status_code == 201, route.text
    route_id = route.json()["id"]

    post = requests.post(
        f"{posts}/posts", headers=auth, timeout=5, json={"routeId": route_id, "expireAt": in_days(5), **named}
    )
    assert post.status_code == 201, post.text
    post_id = post.json()["id"]
    assert post.json()["userId"] == caller.id

    offer = requests.post(
        f"{offers}/offers",
        headers=auth,
        timeout=5,
        json={
            "postId": post_id,
            "description": "a book",
            "size": "SMALL",
            "fragile": False,
            "offer": 25.5,
            **named,
        },
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    assert offer.json()["userId"] == caller.id

    def listed(url: str, **params: str) -> list[str]:
        response = requests.get(url, headers=auth, params=params, timeout=5)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()]

    assert listed(f"{routes}/routes", flight=flight) == [route_id]
    assert listed(f"{routes}/routes", flight="NOPE") == []
    assert listed(f"{posts}/posts", route=route_id) == [post_id]
    assert listed(f"{posts}/posts", owner=me, expire="false") == [post_id]
    assert listed(f"{posts}/posts", owner=caller.id, expire="true") == []
    assert listed(f"{offers}/offers", post=post_id) == [offer_id]
    assert listed(f"{offers}/offers", owner=me, post=post_id) == [offer_id]
    assert listed(f"{offers}/offers", owner=str(uuid.uuid4())) == []

    for url, message in (
        (f"{offers}/offers/{offer_id}", "la oferta fue eliminada"),
        (f"{posts}/posts/{post_id}", "la publicación fue eliminada"),
        (f"{routes}/routes/{route_id}", "el trayecto fue eliminado"),
    ):
        assert requests.get(url, headers=auth, timeout=5).status_code == 200
        deleted = requests.delete(url, headers=auth, timeout=5)
        assert (deleted.status_code, deleted.json()) == (200, {"msg": message})
        assert requests.get(url, headers=auth, timeout=5).status_code == 404


def test_without_users_the_others_answer_503_quickly_and_recover(stack: LocalStack) -> None:
    auth = sign_up_and_log_in(stack.url("users")).headers
    # A token nobody has seen yet, so no service can answer from its cache.
    unseen = {"Authorization": f"Bearer {uuid.uuid4()}"}
    lists = [f"{stack.url(name)}/{name}" for name in registry.TOKEN_CLIENTS]

    stack.processes["users"].stop()
    try:
        for url in lists:
            started = time.monotonic()
            response = requests.get(url, headers=unseen, timeout=10)
            assert response.status_code == 503, url
            assert isinstance(response.json()["msg"], str)
            assert time.monotonic() - started < 3
    finally:
        stack.processes["users"].start()
        stack.processes["users"].wait_ready()

    for url in lists:  # recovered without restarting routes, posts or offers
        assert requests.get(url, headers=auth, timeout=5).status_code == 200
        assert requests.get(url, headers=unseen, timeout=5).status_code == 401


@contextmanager
def counting_stand_in(host: str, port: int) -> Iterator[list[str]]:
    """Something answering on users' address in place of users: the paths of the requests it got."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


def test_isolated_without_users_the_others_keep_answering_and_never_call_it(isolated_stack: LocalStack) -> None:
    stack, author = isolated_stack, str(uuid.uuid4())
    token = {"Authorization": f"Bearer {uuid.uuid4()}"}  # sent anyway, never checked
    bodies = {
        "routes": new_route(f"FL-{uuid.uuid4().hex[:6]}"),
        "posts": {"routeId": str(uuid.uuid4()), "expireAt": in_days(5), "userId": author},
        "offers": {
            "postId": str(uuid.uuid4()),
            "description": "a book",
            "size": "SMALL",
            "fragile": True,
            "offer": 3,
            "userId": author,
        },
    }
    stack.processes["users"].stop()
    try:
        with counting_stand_in(stack.host, stack.ports["users"]) as users_calls:
            for service, body in bodies.items():
                url = f"{stack.url(service)}/{service}"
                created = requests.post(url, json=body, headers=token, timeout=5)
                assert created.status_code == 201, created.text
                row = f"{url}/{created.json()['id']}"
                assert requests.get(row, headers=token, timeout=5).status_code == 200
                assert created.json()["id"] in [item["id"] for item in requests.get(url, timeout=5).json()]
                assert requests.delete(row, timeout=5).status_code == 200
            assert users_calls == []
    finally:
        stack.processes["users"].start()
        stack.processes["users"].wait_ready()
