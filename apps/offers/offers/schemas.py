"""Request and response bodies of the offers API (they also make its OpenAPI document)."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field, RootModel

from offers.models import MAX_DESCRIPTION, MAX_OFFER, OFFER_SCALE, SIZES, Size
from service_core.profiles import PerProfile
from service_core.responses import ResponseModel, Timestamp
from service_core.validation import Author, Body, OwnerById, OwnerStr, Page, UUIDStr, text

CENT = Decimal(1).scaleb(-OFFER_SCALE)

# No minimum in the schema: a negative amount is well-formed, and the contract answers it with 412.
Amount = Annotated[
    float,
    Field(
        le=float(MAX_OFFER),
        allow_inf_nan=False,
        description=f'Dollars, a JSON number within double range ("10" and true are refused with 400), '
        f"at most {MAX_OFFER}. Negative is refused with 412. Stored to the cent, rounding half up "
        "(2.675 becomes 2.68).",
    ),
]


def to_cents(amount: float) -> Decimal:
    """The amount as the client wrote it (the float's shortest repr), rounded half up to the cent."""
    return Decimal(repr(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


class NewOffer(Body):
    """All five fields are required. `size` is checked before `offer`."""

    postId: UUIDStr = Field(description="The post offered on; any UUID, the post need not exist.")
    description: text(max_length=MAX_DESCRIPTION, min_length=1)
    # A plain string, not an enum: a string that is not one of the sizes is the contract's 412, not a 400.
    size: str = Field(
        description="LARGE, MEDIUM or SMALL, case-sensitive; any other string is refused with 412.",
        examples=list(SIZES),
    )
    fragile: bool = Field(description='A JSON boolean: 1 and "true" are refused with 400.')
    offer: Amount


class IsolatedNewOffer(Author, NewOffer):
    """The isolated profile's offer: its author's `userId` too (all six fields are required)."""


NEW_OFFER = PerProfile(token=NewOffer, isolated=IsolatedNewOffer)


class OfferQuery(Page):
    # Absent means no filter; defaults are not validated, so the document shows plain strings.
    post: UUIDStr = Field(default=None, validate_default=False, description="Only the offers on this post id.")
    owner: OwnerStr = Field(
        default=None, validate_default=False, description="Only the offers of this user id; `me` is the caller."
    )


class IsolatedOfferQuery(OwnerById, OfferQuery):
    """The isolated profile's filters: `owner` is a user id only."""


OFFER_QUERY = PerProfile(token=OfferQuery, isolated=IsolatedOfferQuery)


class Offer(ResponseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    user_id: uuid.UUID
    description: str
    size: Size
    fragile: bool
    # A JSON number, as the contract says: read from the row's Decimal, which Flask would write as a string.
    offer: float = Field(description="Dollars, to the cent.")
    created_at: Timestamp


class Offers(RootModel[list[Offer]]):
    """Oldest first (by creation time, then id), so that limit/offset pages neither repeat nor skip."""
