"""Path ids and timestamps as the contract writes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from service_core.errors import ApiError


def parse_id(value: str) -> uuid.UUID:
    """A path id: not a UUID -> 400 (a well-formed unknown id is the view's 404)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, "El id no es un UUID válido") from None


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_datetime(value: str) -> datetime:
    """ISO-8601 / RFC 3339 (`t` and `z` in either case), offset-aware: a naive time is taken as UTC.

    Raises ValueError, also for a time that its offset pushes out of datetime's range.
    """
    if "\x00" in value:  # CPython 3.11's fromisoformat ignores whatever follows a NUL
        raise ValueError("NUL in a date")
    try:
        parsed = datetime.fromisoformat(value.upper())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a `Z`, millisecond precision, like the requests the clients send."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
