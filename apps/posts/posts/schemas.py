"""Request and response bodies of the posts API (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field, RootModel

from service_core.profiles import PerProfile
from service_core.responses import ResponseModel, Timestamp
from service_core.validation import Author, Body, OwnerById, OwnerStr, Page, UUIDStr


class NewPost(Body):
    routeId: UUIDStr = Field(
        description="A route id (UUID). It is not checked against the routes service: an unknown one is accepted."
    )
    # Any JSON string is let through to the view, where an unreadable date is a 412 like a past one; so the
    # document declares no `date-time` format, which would make such a string a schema violation (400).
    expireAt: str = Field(
        description="ISO-8601; a time without an offset is taken as UTC. A date that is not in the future, or a "
        "string that is not a date, is refused with 412; a value that is not a string with 400.",
    )


class IsolatedNewPost(Author, NewPost):
    """The isolated profile's post: its author's `userId` too."""


NEW_POST = PerProfile(token=NewPost, isolated=IsolatedNewPost)


class PostQuery(Page):
    # Absent means no filter; the defaults are not validated, so the document shows the plain types.
    expire: Literal["true", "false"] = Field(
        default=None,
        validate_default=False,
        description="`true`: only posts already expired (expireAt <= now); `false`: only those not yet expired.",
    )
    route: UUIDStr = Field(default=None, validate_default=False, description="Only the posts of this route id.")
    owner: OwnerStr = Field(
        default=None, validate_default=False, description="Only the posts of this user id; `me` is the token's user."
    )


class IsolatedPostQuery(OwnerById, PostQuery):
    """The isolated profile's filters: `owner` is a user id only."""


POST_QUERY = PerProfile(token=PostQuery, isolated=IsolatedPostQuery)


class Post(ResponseModel):
    id: uuid.UUID
    route_id: uuid.UUID
    user_id: uuid.UUID
    expire_at: Timestamp
    created_at: Timestamp


class Posts(RootModel[list[Post]]):
    """Oldest first (by creation time, then id), so that limit/offset pages neither repeat nor skip."""
