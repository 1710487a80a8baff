"""Request bodies that create one row of each service's main entity, valid for its schema."""

from __future__ import annotations

import uuid

from tests.support.bodies import in_days


def one_row(service: str) -> dict[str, object]:
    """A body that creates one row of the service's main entity."""
    return {
        "users": {"username": f"u-{uuid.uuid4().hex[:8]}", "password": "pw", "email": f"{uuid.uuid4().hex[:8]}@x.io"},
        "routes": {
            "flightId": f"F-{uuid.uuid4().hex[:6]}",
            "sourceAirportCode": "BOG",
            "sourceCountry": "CO",
            "destinyAirportCode": "MIA",
            "destinyCountry": "US",
            "bagCost": 5,
            "plannedStartDate": in_days(2),
            "plannedEndDate": in_days(3),
        },
        "posts": {"routeId": str(uuid.uuid4()), "expireAt": in_days(2)},
        "offers": {"postId": str(uuid.uuid4()), "description": "box", "size": "SMALL", "fragile": False, "offer": 3},
    }[service]
