"""The posts API: publish, list (by expiry, route and author), read and delete posts."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import request

from posts.models import Post
from posts.schemas import NEW_POST, POST_QUERY, NewPost, PostQuery, Posts
from posts.schemas import Post as PostOut
from service_core.crud import delete_or_404, insert_owned, read_or_404
from service_core.endpoints import ServiceApi
from service_core.errors import ApiError
from service_core.ids import parse_datetime, utcnow
from service_core.listing import equal, list_rows, owner_id
from service_core.profiles import current_user_id
from service_core.responses import CreatedBy, as_json
from service_core.validation import BY_ID_ERRORS, Message

api = ServiceApi("posts")

INVALID_EXPIRY = "La fecha expiración no es válida"
UNKNOWN_POST = "La publicación no existe"
DELETED = "la publicación fue eliminada"


def _expiry(value: str, now: datetime) -> datetime:
    """The requested expiry in UTC; 412 when it is unreadable or not after `now`."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        raise ApiError(412, INVALID_EXPIRY) from None
    if moment <= now:
        raise ApiError(412, INVALID_EXPIRY)
    return moment


@api.post("", json=NEW_POST, HTTP_201=CreatedBy, HTTP_400=Message, HTTP_412=Message)
def create_post():
    """Publish a post for a route; its author is the caller (the token's user, or the body's userId).

    412 "La fecha expiración no es válida" when expireAt is not in the future or is not an ISO-8601 date.
    The route is not checked: posts owns no route data.
    """
    body: NewPost = request.context.json
    now = utcnow()  # also the creation time, so that the expiry is after it (ck_posts_expire_at)
    expire_at = _expiry(body.expireAt, now)
    return insert_owned(
        Post,
        route_id=uuid.UUID(body.routeId),
        user_id=uuid.UUID(current_user_id()),
        expire_at=expire_at,
        created_at=now,
        updated_at=now,
    )  # a new post has not been updated: both times are the same


@api.get("", query=POST_QUERY, HTTP_200=Posts, HTTP_400=Message)
def list_posts():
    """List posts, optionally by expiry, route and author (combined with AND).

    Oldest first; `limit`/`offset` page through. An unknown route or user gives [].
    """
    query: PostQuery = request.context.query
    expire = None if query.expire is None else ("<=" if query.expire == "true" else ">", utcnow())
    rows = list_rows(
        Post,
        query,
        expire_at=expire,
        route_id=equal(query.route, uuid.UUID),
        user_id=equal(query.owner, owner_id),
    )
    return as_json(Posts, rows)


@api.get("/<uuid:post_id>", HTTP_200=PostOut, **BY_ID_ERRORS)
def get_post(post_id: str):
    """One post, expired or not."""
    return as_json(PostOut, read_or_404(Post, post_id, UNKNOWN_POST))


@api.delete("/<uuid:post_id>", HTTP_200=Message, **BY_ID_ERRORS)
def delete_post(post_id: str):
    """Delete a post. Any caller may: the contract gives no ownership rule."""
    delete_or_404(Post, post_id, UNKNOWN_POST)
    return {"msg": DELETED}
