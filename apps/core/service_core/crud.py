"""Storing a caller's new row, and reading or deleting one row by its path id, alike in every service.

Each is one statement on a pooled connection (service_core.db), built once per model with its values as
parameters: no ORM unit of work for a single row, and no statement to build and key for the cache per request.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Delete, Insert, Row, Select, bindparam, delete, insert, select

from service_core import db
from service_core.errors import ApiError
from service_core.ids import parse_id
from service_core.responses import CreatedBy, as_json

Model = TypeVar("Model")


@dataclass(frozen=True)
class ByIdStatements:
    insert: Insert
    read: Select[Any]
    delete: Delete


@functools.cache
def statements(model: type) -> ByIdStatements:
    by_id = model.id == bindparam("row_id")
    return ByIdStatements(
        insert(model),
        select(model).where(by_id),
        delete(model).where(by_id),
    )


def insert_owned(model: type, **values: object) -> tuple[dict[str, str], int]:
    """Store a new row of `model` that belongs to the caller, in one INSERT of `values` (column names); the
    contract's answer `{"id", "userId", "createdAt"}`, 201. Columns not given take their defaults."""
    values.setdefault("id", uuid.uuid4())  # made here, so that the answer can name it without a RETURNING
    db.execute(statements(model).insert, values)
    return as_json(CreatedBy, values), 201


def read_or_404(model: type, raw_id: str, missing: str) -> Row[Any]:
    """The row whose id is `raw_id`, to answer: 400 when it is not a UUID, 404 (`missing`) when there is none."""
    row = db.first(statements(model).read, {"row_id": parse_id(raw_id)})
    if row is None:
        raise ApiError(404, missing)
    return row


def get_or_404(model: type[Model], raw_id: str, missing: str) -> Model:
    """As read_or_404, but the ORM's object in the request's session, to change and commit."""
    row = db.session().get(model, parse_id(raw_id))
    if row is None:
        raise ApiError(404, missing)
    return row


def delete_or_404(model: type, raw_id: str, missing: str) -> None:
    """Delete by id in one statement, so two concurrent deletes give one success and one 404."""
    if not db.execute(statements(model).delete, {"row_id": parse_id(raw_id)}):
        raise ApiError(404, missing)
