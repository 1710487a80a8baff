"""Request and response bodies of the routes API (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, RootModel

from service_core.ids import parse_datetime
from service_core.responses import ResponseModel, Timestamp
from service_core.validation import Body, Page, text

MAX_BAG_COST = 2**31 - 1  # the largest value of the PostgreSQL `integer` column
Name = text(min_length=1)


def _integral(value: object) -> object:
    """`12.0` is the JSON number 12, so it is taken as 12; `12.5` stays a float and is refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _moment(value: str) -> datetime:
    try:
        return parse_datetime(value)
    except ValueError:
        raise ValueError("must be an ISO-8601 date-time, e.g. 2026-03-01T21:20:53.214Z") from None


# The bounds go before the validator, so that they apply to the int and are documented as such.
BagCost = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_BAG_COST,
        description='A whole, non-negative JSON number (12 or 12.0; 12.5, -1 and "12" are refused with 400).',
    ),
    BeforeValidator(_integral),
]
Moment = Annotated[
    str,
    Field(
        max_length=64,
        json_schema_extra={"format": "date-time"},
        description="ISO-8601; a time without an offset is taken as UTC. Must be in the future (else 412).",
    ),
    AfterValidator(_moment),
]


class NewRoute(Body):
    """All eight fields are required; the strings are 1-255 characters."""

    flightId: Name
    sourceAirportCode: Name
    sourceCountry: Name
    destinyAirportCode: Name
    destinyCountry: Name
    bagCost: BagCost
    plannedStartDate: Moment
    plannedEndDate: Moment = Field(description="ISO-8601, strictly after plannedStartDate (else 412).")


class RouteQuery(Page):
    # Absent means every route; the default is not validated, so the document shows a plain string.
    flight: text() = Field(default=None, validate_default=False, description="Exact flightId; an unknown one gives [].")


class Route(ResponseModel):
    id: uuid.UUID
    flight_id: str
    source_airport_code: str
    source_country: str
    destiny_airport_code: str
    destiny_country: str
    bag_cost: int
    planned_start_date: Timestamp
    planned_end_date: Timestamp
    created_at: Timestamp
    updated_at: Timestamp


class Routes(RootModel[list[Route]]):
    """Oldest first (by creation time, then id), so that limit/offset pages neither repeat nor skip."""
