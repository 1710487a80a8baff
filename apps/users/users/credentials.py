"""Password hashing (argon2id, salted and slow) and opaque tokens (UUID4, stored as sha256)."""

from __future__ import annotations

import hashlib
import uuid

from argon2 import DEFAULT_HASH_LENGTH, DEFAULT_RANDOM_SALT_LENGTH, Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import ARGON2_VERSION

# OWASP's minimum for argon2id (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1), not argon2-cffi's default
# of 64 MiB: every busy gunicorn thread holds one hash in memory, and 2 workers x 4 threads of 64 MiB would
# fill the pod's 512 MiB on their own (tests/services/test_users_memory.py measures the pod's peak).
PARAMETERS = Parameters(
    type=Type.ID,
    version=ARGON2_VERSION,
    salt_len=DEFAULT_RANDOM_SALT_LENGTH,
    hash_len=DEFAULT_HASH_LENGTH,
    time_cost=2,
    memory_cost=19 * 1024,  # KiB
    parallelism=1,
)
_hasher = PasswordHasher.from_parameters(PARAMETERS)
# Verified against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def upgraded_hash(password_hash: str, password: str) -> str | None:
    """A hash with PARAMETERS of the (already verified) `password`, if `password_hash` was made with others.

    Hashes keep their own parameters, so older ones still verify (at their old memory cost) until the
    user's next log-in replaces them.
    """
    return _hasher.hash(password) if _hasher.check_needs_rehash(password_hash) else None


def new_token() -> str:
    return str(uuid.uuid4())


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
