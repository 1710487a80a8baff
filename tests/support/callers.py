"""Users of a real users service, signed up and logged in over HTTP: what the service and e2e tests call with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import requests


@dataclass
class Caller:
    """A signed-up, logged-in user of a real users service."""

    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_up_and_log_in(users_url: str) -> Caller:
    name = f"user-{uuid.uuid4().hex[:12]}"
    body = {"username": name, "password": "s3cret-pw", "email": f"{name}@example.com"}
    assert requests.post(f"{users_url}/users", json=body, timeout=5).status_code == 201
    session = requests.post(f"{users_url}/users/auth", json=body, timeout=5).json()
    return Caller(session["id"], session["token"])
