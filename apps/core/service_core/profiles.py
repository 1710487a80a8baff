"""The two profiles of routes, posts and offers: how a service learns who calls it.

- `token` (the default): the caller is the user of the bearer token, which users checks before anything
  else; the document names the bearer scheme and the 401/403/503 answers of that check.
- `isolated` (the seed's network model, where no service calls another): no token and no call to users;
  a create names its author in the body's `userId`, and an `Authorization` header is never read.

A service declares its endpoints once (`service_core.endpoints`); the profile picks the guard, the request
schemas, the documented security and statuses, and where the caller's id comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app, g, request
from pydantic import BaseModel

from service_core.auth import authenticated
from service_core.validation import AUTH_ERRORS, BEARER, View


class PerProfile(NamedTuple):
    """A request schema that differs between the profiles (isolated bodies carry `userId`)."""

    token: type[BaseModel]
    isolated: type[BaseModel]


Schema = type[BaseModel] | PerProfile | None


@dataclass(frozen=True)
class Profile:
    name: str
    needs_users: bool
    guard: Callable[[View], View]  # runs before validation: the token profile's check comes first
    caller_id: Callable[[], str]
    security: dict[str, list[str]] | None
    errors: dict[str, type[BaseModel]]  # statuses every guarded endpoint may answer besides its own
    summary: str  # appended to the service's OpenAPI description

    def pick(self, schema: Schema) -> type[BaseModel] | None:
        return getattr(schema, self.name) if isinstance(schema, PerProfile) else schema


def _unguarded(view: View) -> View:
    return view


TOKEN = Profile(
    name="token",
    needs_users=True,
    guard=authenticated,
    caller_id=lambda: g.user_id,
    security=BEARER,
    errors=AUTH_ERRORS,
    summary="Profile `token`: every endpoint but ping, ready, reset, count, metrics and openapi.json needs "
    "`Authorization: Bearer <token>`, checked with the users service before anything else (403 no token, "
    "401 unknown or expired, 503 users unreachable); the caller is the token's user.",
)
ISOLATED = Profile(
    name="isolated",
    needs_users=False,
    guard=_unguarded,
    caller_id=lambda: request.context.json.userId,
    security=None,
    errors={},
    summary="Profile `isolated`: no endpoint needs a token, an `Authorization` header is ignored, and the "
    "service never calls users; where a caller's id is needed the request gives it (`userId` in a "
    "create's body, `owner=<user id>` in a list; `owner=me` is refused with 400).",
)
PROFILES = {profile.name: profile for profile in (TOKEN, ISOLATED)}


def active_profile() -> Profile:
    return PROFILES[current_app.config["SETTINGS"].auth_profile]


def current_user_id() -> str:
    """The caller: the token's user (token profile) or the body's `userId` (isolated)."""
    return active_profile().caller_id()
