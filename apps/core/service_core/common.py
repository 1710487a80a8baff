"""The endpoints every service has: ping, ready, count, metrics, openapi.json; and reset where enabled."""

from __future__ import annotations

from flask import Blueprint, Response
from pydantic import BaseModel
from spectree import Response as Documented
from spectree import SpecTree
from sqlalchemy import MetaData, delete, func, select, text

from service_core import db
from service_core.errors import DATABASE_UNAVAILABLE, json_error
from service_core.observability import metrics_response
from service_core.validation import Message, validated

RESET_MESSAGE = "Todos los datos fueron eliminados"


class Count(BaseModel):
    count: int


class Readiness(BaseModel):
    status: str


def common_blueprint(
    service: str, spec: SpecTree, metadata: MetaData, counted: type, reset_enabled: bool = False
) -> Blueprint:
    """`reset_enabled`: serve `POST /<svc>/reset` (Settings.reset_enabled: the local stack and minikube only)."""
    bp = Blueprint(f"{service}_common", __name__, url_prefix=f"/{service}")
    tags = ["operations"]

    @bp.get("/ping")
    @validated(spec, resp=Documented("HTTP_200"), tags=tags)
    def ping() -> Response:
        """Liveness: answers `pong` without touching the database."""
        return Response("pong", mimetype="text/plain")

    @bp.get("/ready")
    @validated(spec, resp=Documented(HTTP_200=Readiness, HTTP_503=Message), tags=tags)
    def ready():
        """Readiness: the database answers `SELECT 1`."""
        try:
            with db.engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return json_error(503, DATABASE_UNAVAILABLE)
        return {"status": "ready"}

    if reset_enabled:
        # Disabled, the route is not registered at all: the JSON 404 of any unknown path, and no entry in
        # openapi.json. A 404, not a 403: a 403 would say the endpoint exists and some credential opens it
        # (in this API, 403 means "send a token"), when nothing can in this environment.
        @bp.post("/reset")
        @validated(spec, resp=Documented(HTTP_200=Message), tags=tags)
        def reset():
            """Deletes every row of this service's data. No authentication."""
            with db.transaction() as session:
                for table in reversed(metadata.sorted_tables):
                    session.execute(delete(table))
            return {"msg": RESET_MESSAGE}

    @bp.get("/count")
    @validated(spec, resp=Documented(HTTP_200=Count), tags=tags)
    def count():
        """Number of rows of the service's main entity."""
        return {"count": db.session().scalar(select(func.count()).select_from(counted))}

    @bp.get("/openapi.json")
    @validated(spec, resp=Documented("HTTP_200"), tags=tags)
    def openapi():
        """This document (OpenAPI 3.1)."""
        return spec.spec

    @bp.get("/metrics")
    @validated(spec, resp=Documented("HTTP_200"), tags=tags)
    def metrics() -> Response:
        """Prometheus metrics: requests by endpoint and status, latency, database pool."""
        return metrics_response()

    return bp
