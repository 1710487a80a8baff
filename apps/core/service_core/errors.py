"""Every failure becomes a JSON body `{"msg": ...}`: never an HTML page, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "La base de datos no está disponible"

# Messages for the statuses Flask/Werkzeug raise on their own.
_HTTP_MESSAGES = {
    400: "La solicitud no es válida",
    404: "El recurso no existe",
    405: "Método no permitido",
    413: "El cuerpo de la solicitud es demasiado grande",
    415: "El cuerpo debe ser JSON (Content-Type: application/json)",
}


class ApiError(Exception):
    """Raised by views to answer `status` with `{"msg": msg}`."""

    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg


def json_error(status: int, msg: str) -> Response:
    response = jsonify(msg=msg)
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return json_error(error.status, error.msg)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if error.response is not None:  # an already-built response (e.g. from a validation hook)
            return error.response
        status = error.code or 500
        response = json_error(status, _HTTP_MESSAGES.get(status, error.name))
        if status == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> Response:
        log.warning("database unavailable: %s", error.orig.__class__.__name__)
        return json_error(503, DATABASE_UNAVAILABLE)

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> Response:
        if error.connection_invalidated:
            return json_error(503, DATABASE_UNAVAILABLE)
        log.exception("database error")
        return json_error(500, "Error interno del servidor")

    @app.errorhandler(Exception)
    def _unexpected(_error: Exception) -> Response:
        log.exception("unhandled error")
        return json_error(500, "Error interno del servidor")
