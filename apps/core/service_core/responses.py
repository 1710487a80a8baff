"""Response bodies, each shape declared once: a model that both documents it and writes it from a row.

A service's response models derive from `ResponseModel` and name the row's own attributes (`created_at`);
the contract's camelCase (`createdAt`), ids as strings and ISO-8601 UTC dates are set here, once.

With VALIDATE_RESPONSES=true (the service tests), `check_responses` also reads every answer back against the
model documented for its endpoint and status.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Annotated, Any

from flask import Flask, Response, request
from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, PlainSerializer, ValidationError
from pydantic.alias_generators import to_camel
from spectree import SpecTree

from service_core.errors import json_error
from service_core.ids import iso
from service_core.validation import describe

log = logging.getLogger(__name__)

# The contract's date format (milliseconds, `Z`), which pydantic's own datetime serializer does not write.
Timestamp = Annotated[datetime, PlainSerializer(iso, return_type=str)]


def _either_name(field: str) -> AliasChoices:
    # The attribute name first: a row has `created_at`, and looking up `createdAt` on it first would raise an
    # AttributeError per field. check_responses validates the answered JSON again, by its camelCase keys.
    return AliasChoices(field, to_camel(field))


class ResponseModel(BaseModel):
    """Reads a row's attributes (or a dict keyed like them) and answers them in camelCase."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=_either_name, serialization_alias=to_camel),
        from_attributes=True,
    )


def as_json(model: type[BaseModel], source: object) -> Any:
    """`source` (a row, or a dict keyed by attribute names; a list of them for a list model) as the JSON value
    the contract answers, which Flask then writes."""
    return model.model_validate(source).model_dump(mode="json", by_alias=True)


class Created(ResponseModel):
    """What a create answers (201)."""

    id: uuid.UUID
    created_at: Timestamp


class CreatedBy(ResponseModel):
    """What a create answers when the row belongs to the caller (201)."""

    id: uuid.UUID
    user_id: uuid.UUID
    created_at: Timestamp


def documented_models(app: Flask, spec: SpecTree) -> dict[tuple[str, int], type[BaseModel]]:
    """(endpoint, status) -> the model that the OpenAPI document names for that answer."""
    models = {}
    for endpoint, view in app.view_functions.items():
        metadata = spec.get_function_metadata(view)
        for code, model in (metadata.resp.code_models if metadata and metadata.resp else {}).items():
            models[(endpoint, int(code.removeprefix("HTTP_")))] = model
    return models


def check_responses(app: Flask, spec: SpecTree) -> None:
    """Every answer with a documented model (the views', the guard's, the error handlers') is validated against
    it: a body that does not match becomes a 500 naming the endpoint and the first error, and a log line.

    Registered after `init_observability`, so that it runs before the request's log line and metrics, which
    then count the 500. For tests: in production each body is already built from that model (`as_json`).
    """
    models = documented_models(app, spec)

    @app.after_request
    def _check(response: Response) -> Response:
        model = models.get((request.endpoint, response.status_code))
        if model is None:
            return response
        try:
            model.model_validate_json(response.get_data())
        except ValidationError as error:
            where = f"{request.endpoint} {response.status_code}"
            log.error("response does not match its documented model: %s: %s", where, describe(error))
            return json_error(500, f"La respuesta no sigue su modelo documentado ({where}): {describe(error)}")
        return response
