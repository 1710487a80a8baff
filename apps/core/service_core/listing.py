"""List endpoints: filters combined with AND, `owner=me`, stable paging.

A list's statement depends only on which filters a request gives, not on their values: it is built once per
set of filters (values bound per request), since building and keying a SQLAlchemy statement costs more than
running it (`make profile`).
"""

from __future__ import annotations

import functools
import operator
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, Select, bindparam, select

from service_core import db
from service_core.profiles import current_user_id
from service_core.validation import Page

Filter = tuple[str, object]  # (operator, value) on one column: `("==", route_id)`, `("<=", now)`
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {"==": operator.eq, "<=": operator.le, ">": operator.gt}


def owner_id(owner: str) -> uuid.UUID:
    """`me` is the caller (only the token profile's schema lets it through); anything else is a validated UUID."""
    return uuid.UUID(current_user_id() if owner == "me" else owner)


def equal(value: str | None, convert: Callable[[str], object] = str) -> Filter | None:
    """The filter `column == convert(value)`, or none when the request does not give `value`."""
    return None if value is None else ("==", convert(value))


@functools.cache
def _statement(model: type, conditions: tuple[tuple[str, str], ...]) -> Select[Any]:
    statement = select(model)
    for column, name in conditions:
        statement = statement.where(_OPERATORS[name](getattr(model, column), bindparam(column)))
    # Ordered so that consecutive pages neither repeat nor skip rows; LIMIT NULL is no limit in PostgreSQL.
    return statement.order_by(model.created_at, model.id).offset(bindparam("offset")).limit(bindparam("limit"))


def list_rows(model: type, page: Page, **filters: Filter | None) -> Sequence[Row[Any]]:
    """One page of the rows of `model` that pass every filter given (`column=(operator, value)`; None: not
    filtered on that column), oldest first."""
    given = {column: condition for column, condition in filters.items() if condition is not None}
    statement = _statement(model, tuple((column, name) for column, (name, _) in given.items()))
    values = {column: value for column, (_, value) in given.items()}
    return db.rows(statement, {**values, "offset": page.offset, "limit": page.limit})
