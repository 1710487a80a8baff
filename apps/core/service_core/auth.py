"""The token check of routes, posts and offers: `GET {USERS_PATH}/users/me` with the caller's token.

A pooled keep-alive session with short timeouts keeps the check cheap and bounds how long a caller
waits when users is down (503, never 500). A positive answer is cached for a few seconds, never
past the token's expiry, so a burst of requests with one token costs one check.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from flask import current_app, g
from requests.adapters import HTTPAdapter

from service_core.bearer import INVALID_TOKEN, NO_TOKEN, bearer_token
from service_core.errors import ApiError
from service_core.ids import parse_datetime

USERS_UNAVAILABLE = "El servicio de usuarios no está disponible"
# Set by users on /users/me, so that a cached positive check never outlives the token.
EXPIRY_HEADER = "X-Token-Expires-At"
_MAX_CACHED_TOKENS = 10_000


class UsersClient:
    def __init__(
        self, base_url: str, *, connect_timeout: float = 0.5, read_timeout: float = 2.0, cache_seconds: float = 5.0
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/users/me"
        self._timeout = (connect_timeout, read_timeout)
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, str]] = {}  # sha256(token) -> (valid until, user id)
        self._lock = threading.Lock()
        self._http = requests.Session()
        # No retries: a retry would double the time a caller waits when users is down.
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=32, max_retries=0)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)

    def user_id(self, token: str) -> str:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.time()
        with self._lock:
            cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        user_id, expires = self._ask_users(token)
        with self._lock:
            if len(self._cache) >= _MAX_CACHED_TOKENS:
                self._cache.clear()
            self._cache[key] = (min(now + self._cache_seconds, expires), user_id)
        return user_id

    def _ask_users(self, token: str) -> tuple[str, float]:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            try:
                answer = self._http.get(self._url, headers=headers, timeout=self._timeout)
            except requests.ConnectionError as error:
                if isinstance(error, requests.Timeout):
                    raise
                # A pooled connection that users closed while idle fails at once: one more try, on a
                # new connection. (A timeout is not retried: that would double the caller's wait.)
                answer = self._http.get(self._url, headers=headers, timeout=self._timeout)
        except requests.RequestException:
            raise ApiError(503, USERS_UNAVAILABLE) from None
        if answer.status_code in (401, 403):
            raise ApiError(answer.status_code, INVALID_TOKEN if answer.status_code == 401 else NO_TOKEN)
        if answer.status_code != 200:
            raise ApiError(503, USERS_UNAVAILABLE)
        try:
            user_id = answer.json()["id"]
            expires = parse_datetime(answer.headers[EXPIRY_HEADER]).timestamp()
        except (ValueError, KeyError, TypeError):
            raise ApiError(503, USERS_UNAVAILABLE) from None
        return str(user_id), expires


def users_client() -> UsersClient:
    return current_app.extensions["users_client"]


def authenticated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Checks the token before anything else (403/401 come before 400/412); sets `g.user_id`."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g.user_id = users_client().user_id(bearer_token())
        return view(*args, **kwargs)

    return wrapper
