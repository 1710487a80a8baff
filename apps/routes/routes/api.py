"""The routes API: create, list (optionally by flight), read and delete routes."""

from __future__ import annotations

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from routes.models import Route
from routes.schemas import NewRoute, RouteQuery, Routes
from routes.schemas import Route as RouteOut
from service_core import db
from service_core.crud import delete_or_404, read_or_404
from service_core.endpoints import ServiceApi
from service_core.errors import ApiError
from service_core.ids import utcnow
from service_core.listing import equal, list_rows
from service_core.responses import Created, as_json
from service_core.validation import BY_ID_ERRORS, Message

api = ServiceApi("routes")

INVALID_DATES = "Las fechas del trayecto no son válidas"
FLIGHT_TAKEN = "Ya existe un trayecto con ese flightId"
UNKNOWN_ROUTE = "El trayecto no existe"
DELETED = "el trayecto fue eliminado"


@api.post("", json=NewRoute, HTTP_201=Created, HTTP_400=Message, HTTP_412=Message)
def create_route():
    """Create a route.

    412 when a date is not in the future or the end is not after the start ("Las fechas del trayecto no
    son válidas"), or when the flightId already exists. Of concurrent creates with one flightId, one wins.
    """
    body: NewRoute = request.context.json
    start, end = body.plannedStartDate, body.plannedEndDate
    if start <= utcnow() or end <= start:
        raise ApiError(412, INVALID_DATES)
    session = db.session()
    if session.scalar(select(Route.id).where(Route.flight_id == body.flightId)) is not None:
        raise ApiError(412, FLIGHT_TAKEN)
    now = utcnow()
    route = Route(
        flight_id=body.flightId,
        source_airport_code=body.sourceAirportCode,
        source_country=body.sourceCountry,
        destiny_airport_code=body.destinyAirportCode,
        destiny_country=body.destinyCountry,
        bag_cost=body.bagCost,
        planned_start_date=start,
        planned_end_date=end,
        created_at=now,
        updated_at=now,  # a new route has not been updated: both times are the same
    )
    session.add(route)
    try:
        session.commit()
    except IntegrityError:  # a concurrent create won the unique index on flight_id
        session.rollback()
        raise ApiError(412, FLIGHT_TAKEN) from None
    return as_json(Created, route), 201


@api.get("", query=RouteQuery, HTTP_200=Routes, HTTP_400=Message)
def list_routes():
    """List routes, optionally by flight.

    Every route, or only the one whose flightId is exactly `flight` (case-sensitive; none gives []),
    oldest first; `limit`/`offset` page through.
    """
    query: RouteQuery = request.context.query
    return as_json(Routes, list_rows(Route, query, flight_id=equal(query.flight)))


@api.get("/<uuid:route_id>", HTTP_200=RouteOut, **BY_ID_ERRORS)
def get_route(route_id: str):
    """One route."""
    return as_json(RouteOut, read_or_404(Route, route_id, UNKNOWN_ROUTE))


@api.delete("/<uuid:route_id>", HTTP_200=Message, **BY_ID_ERRORS)
def delete_route(route_id: str):
    """Delete a route. Any caller may: routes have no owner."""
    delete_or_404(Route, route_id, UNKNOWN_ROUTE)
    return {"msg": DELETED}
