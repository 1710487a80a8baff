"""The `Authorization: Bearer <token>` header, as every service reads it."""

from __future__ import annotations

from flask import request

from service_core.errors import ApiError

NO_TOKEN = "No se proporcionó un token"
INVALID_TOKEN = "El token no es válido o está vencido"


def bearer_token() -> str:
    """The request's token. No header, another scheme or an empty token -> 403."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(403, NO_TOKEN)
    return token
