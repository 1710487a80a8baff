"""Response bodies, each shape declared once: a model that both documents it and writes it from a row.

A service's response models derive from `ResponseModel` and name the row's own attributes (`created_at`);
the contract's camelCase (`createdAt`), ids as strings and ISO-8601 UTC dates are set here, once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, AliasGenerator, BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel

from service_core.ids import iso

# The contract's date format (milliseconds, `Z`), which pydantic's own datetime serializer does not write.
Timestamp = Annotated[datetime, PlainSerializer(iso, return_type=str)]


def _either_name(field: str) -> AliasChoices:
    # The attribute name first: a row has `created_at`, and looking up `createdAt` on it first would raise an
    # AttributeError per field. spectree validates the answered dict again, by its camelCase keys.
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
