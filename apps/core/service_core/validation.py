"""Declared request/response schemas (pydantic) that both validate requests and document the API.

spectree turns the pydantic models on each view into the service's OpenAPI document, and only that: its
per-request wrapper is never called. `validated` checks each request itself, with no more work than the
endpoint's models need, and answers every failure with the contract's `{"msg": ...}`.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from flask import Request, abort, request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.page import PAGE_TEMPLATES
from spectree.utils import is_list_item
from werkzeug.datastructures import MultiDict

from service_core.errors import json_error

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
View = Callable[..., Any]


class Body(BaseModel):
    """A JSON request body: JSON types are taken literally (`"5"` is not a number, `1` not a boolean)."""

    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """Query parameters: strings by nature, so conversions are allowed; unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore")


class Message(BaseModel):
    msg: str


def _check_uuid(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError as exc:
        raise ValueError("must be a UUID") from exc
    return value


def _check_owner(value: str) -> str:
    return value if value == "me" else _check_uuid(value)


UUIDStr = Annotated[str, AfterValidator(_check_uuid), Field(json_schema_extra={"format": "uuid"})]
# Documented as what it accepts, so that clients and fuzzers know which strings are valid.
OwnerStr = Annotated[
    str,
    AfterValidator(_check_owner),
    Field(
        description="A user id, or `me` for the caller",
        json_schema_extra={"anyOf": [{"format": "uuid"}, {"const": "me"}]},
    ),
]


class Author(Body):
    """The isolated profile's create bodies name their author: there is no token to take it from."""

    userId: UUIDStr = Field(description="The author's user id (a UUID); it is not checked with the users service.")


class OwnerById(Query):
    """The isolated profile's `owner` filter: a user id only, as there is no caller to be `me`."""

    owner: UUIDStr = Field(
        default=None,
        validate_default=False,
        description="Only those of this user id; `me` is refused with 400 (there is no token).",
    )


# PostgreSQL cannot store NUL in text: refused here (400), and documented, rather than failing in the database.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int = 255, min_length: int = 0, pattern: str = NO_NUL) -> Any:
    """A string field that the database can always store: bounded, without NUL (patterns must exclude it)."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=pattern)]


BIGINT_MAX = 2**63 - 1  # LIMIT/OFFSET are bigint in PostgreSQL


class Page(Query):
    """Optional paging of list endpoints; without it, a list returns every row."""

    limit: int | None = Field(default=None, ge=1, le=1000, description="Page size, at most 1000 (default: every row)")
    offset: int = Field(default=0, ge=0, le=BIGINT_MAX, description="Rows to skip")


def describe(error: ValidationError) -> str:
    """One readable line for the first problem: `field: reason`."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{field}: {first['msg']}"


def _check_body(request: Request) -> dict[str, Any]:
    """The body of a POST, PUT or PATCH as a JSON object, whether or not the endpoint has a body model
    (415/400 otherwise); parsed once, with the same `json.loads` as Flask's `get_json`."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}  # an empty body is an object with every field missing: the model reports which
    if not request.is_json:
        abort(json_error(415, "El cuerpo debe ser JSON (Content-Type: application/json)"))
    try:
        body: Any = json.loads(raw)
    except ValueError:
        abort(json_error(400, "El cuerpo no es JSON válido"))
    if not isinstance(body, dict):
        abort(json_error(400, "El cuerpo debe ser un objeto JSON"))
    return body


def _query_items(args: MultiDict[str, str], list_fields: frozenset[str]) -> dict[str, str | list[str]]:
    """The query string as spectree read it (`get_multidict_items`): a repeated key, or a list field, gives
    every value as a list (so `?route=a&route=b` is a 400 for a string field); any other key its one value."""
    items: dict[str, str | list[str]] = {}
    for key in args:
        values = args.getlist(key)
        items[key] = values if len(values) > 1 or key in list_fields else values[0]
    return items


class RequestContext(NamedTuple):
    """`request.context` in a view: its validated query and body (None where the endpoint has no model)."""

    query: Any
    json: Any


def validated(
    spec: SpecTree, *, query: type[BaseModel] | None = None, json: type[BaseModel] | None = None, **document: Any
) -> Callable[[View], View]:
    """Documents the view in `spec` (`document`: spectree's `resp`, `tags`, `security`) and validates each request.

    In this order, as the contract wants: a POST, PUT or PATCH body must be a JSON object (415/400, `_check_body`),
    then the query model, then the body model (400 `field: reason`). The models, and which fields are lists, are
    picked here once; a request costs only the checks its endpoint has.
    """
    list_fields = frozenset(name for name in query.model_fields if is_list_item(name, query)) if query else frozenset()

    def decorate(view: View) -> View:
        documented = spec.validate(query=query, json=json, skip_validation=True, **document)(view)

        # spectree finds its metadata through `__wrapped__` (which also keeps it alive), and its wrapper, which
        # would only walk the view's answer and make the response that Flask makes anyway, is never called.
        @functools.wraps(documented)
        def validating(*args: Any, **kwargs: Any) -> Any:
            body = _check_body(request) if request.method in _BODY_METHODS else None
            try:
                request.context = RequestContext(
                    query.model_validate(_query_items(request.args, list_fields)) if query is not None else None,
                    json.model_validate(body) if json is not None and body is not None else None,
                )
            except ValidationError as error:
                abort(json_error(400, describe(error)))
            return view(*args, **kwargs)

        return validating

    return decorate


def make_spec(service: str, description: str, *, bearer: bool = True) -> SpecTree:
    """The service's spec: it documents validation failures as 400 `Message` (`validated` answers them), and
    `common` serves the document; `bearer`: whether it declares the bearer scheme (not in the isolated profile).

    spectree leaves out of the document every route under its own path, so its pages live under
    `/<service>/docs/` and `/<service>/openapi.json` is served as an ordinary, documented route.
    """
    return SpecTree(
        "flask",
        path=f"{service}/docs",
        title=f"{service} service",
        description=description,
        version="1.0.0",
        validation_error_status=400,
        validation_error_model=Message,
        annotations=False,
        page_templates={"redoc": PAGE_TEMPLATES["redoc"]},
        security_schemes=[
            SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer", bearer_format="UUID"))
        ]
        if bearer
        else [],
    )


BEARER = {"bearer": []}
# What every token-protected endpoint may answer besides its own statuses.
AUTH_ERRORS = {"HTTP_401": Message, "HTTP_403": Message, "HTTP_503": Message}
# What every endpoint with an id in its path answers (the token profile adds AUTH_ERRORS).
BY_ID_ERRORS = {"HTTP_400": Message, "HTTP_404": Message}
