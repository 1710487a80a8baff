"""Request and response bodies of the users API (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import ConfigDict, Field

from service_core.responses import ResponseModel, Timestamp
from service_core.validation import Body, text

Status = Literal["POR_VERIFICAR", "NO_VERIFICADO", "VERIFICADO"]
Email = text(pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")


class NewUser(Body):
    username: text(min_length=1)
    password: text(min_length=1)
    email: Email
    dni: text() | None = None
    fullName: text() | None = None
    phoneNumber: text() | None = None


class UserUpdate(Body):
    """Any subset of the four fields; at least one must be present."""

    model_config = ConfigDict(
        json_schema_extra={"anyOf": [{"required": [name]} for name in ("status", "dni", "fullName", "phoneNumber")]}
    )

    # Defaults are not validated: an absent field stays None, an explicit null is refused.
    status: Status = Field(default=None, validate_default=False)
    dni: text() = Field(default=None, validate_default=False)
    fullName: text() = Field(default=None, validate_default=False)
    phoneNumber: text() = Field(default=None, validate_default=False)


class Credentials(Body):
    username: text(min_length=1)
    password: text(min_length=1)


class Session(ResponseModel):
    id: uuid.UUID
    token: str
    expire_at: Timestamp


class Me(ResponseModel):
    id: uuid.UUID
    username: str
    email: str
    full_name: str | None
    dni: str | None
    phone_number: str | None
    status: Status
