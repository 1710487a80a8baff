"""Storing a caller's new row, and reading or deleting one row by its path id, alike in every service."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import delete

from service_core import db
from service_core.errors import ApiError
from service_core.ids import parse_id
from service_core.responses import CreatedBy, as_json

Row = TypeVar("Row")


def insert_owned(row: object) -> tuple[dict[str, str], int]:
    """Store a new row that belongs to the caller; the contract's answer `{"id", "userId", "createdAt"}`, 201."""
    session = db.session()
    session.add(row)
    session.commit()
    return as_json(CreatedBy, row), 201


def get_or_404(model: type[Row], raw_id: str, missing: str) -> Row:
    """The row whose id is `raw_id`: 400 when it is not a UUID, 404 (`missing`) when there is none."""
    row = db.session().get(model, parse_id(raw_id))
    if row is None:
        raise ApiError(404, missing)
    return row


def delete_or_404(model: type, raw_id: str, missing: str) -> None:
    """Delete by id in one statement, so two concurrent deletes give one success and one 404."""
    session = db.session()
    deleted = session.execute(delete(model).where(model.id == parse_id(raw_id))).rowcount
    session.commit()
    if not deleted:
        raise ApiError(404, missing)
