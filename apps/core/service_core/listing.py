"""List endpoints: filters combined with AND, `owner=me`, stable paging."""

from __future__ import annotations

import uuid

from sqlalchemy import Select

from service_core.profiles import current_user_id
from service_core.validation import Page


def owner_id(owner: str) -> uuid.UUID:
    """`me` is the caller (only the token profile's schema lets it through); anything else is a validated UUID."""
    return uuid.UUID(current_user_id() if owner == "me" else owner)


def paginate(statement: Select, page: Page, *order_by: object) -> Select:
    """Apply `limit`/`offset`, ordered so that consecutive pages neither repeat nor skip rows."""
    return statement.order_by(*order_by).offset(page.offset).limit(page.limit)
