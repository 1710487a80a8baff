"""Request bodies and dates as API clients write them, for the tests of every area."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def in_days(days: float, offset: str = "Z") -> str:
    """A moment `days` from now as clients write it (negative: in the past)."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", offset)


def new_route(flight: str) -> dict[str, Any]:
    """A valid `POST /routes` body for that flight, starting in 10 days."""
    return {
        "flightId": flight,
        "sourceAirportCode": "BOG",
        "sourceCountry": "Colombia",
        "destinyAirportCode": "MIA",
        "destinyCountry": "USA",
        "bagCost": 120,
        "plannedStartDate": in_days(10),
        "plannedEndDate": in_days(11),
    }
