"""Password hashing (argon2id, salted and slow) and opaque tokens (UUID4, stored as sha256)."""

from __future__ import annotations

import hashlib
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return str(uuid.uuid4())


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
