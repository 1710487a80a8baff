"""The offers API: make, list (by post and/or owner), read and delete offers."""

from __future__ import annotations

import uuid

from flask import request

from offers.models import SIZES, Offer
from offers.schemas import NEW_OFFER, OFFER_QUERY, NewOffer, OfferQuery, Offers, to_cents
from offers.schemas import Offer as OfferOut
from service_core.crud import delete_or_404, insert_owned, read_or_404
from service_core.endpoints import ServiceApi
from service_core.errors import ApiError
from service_core.ids import utcnow
from service_core.listing import equal, list_rows, owner_id
from service_core.profiles import current_user_id
from service_core.responses import CreatedBy, as_json
from service_core.validation import BY_ID_ERRORS, Message

api = ServiceApi("offers")

INVALID_SIZE = "El tamaño debe ser LARGE, MEDIUM o SMALL"
NEGATIVE_OFFER = "La oferta no puede ser negativa"
UNKNOWN_OFFER = "La oferta no existe"
DELETED = "la oferta fue eliminada"


@api.post("", json=NEW_OFFER, HTTP_201=CreatedBy, HTTP_400=Message, HTTP_412=Message)
def create_offer():
    """Make an offer on a post, as the caller.

    412 when `size` is not LARGE, MEDIUM or SMALL ("El tamaño debe ser LARGE, MEDIUM o SMALL"), or when
    `offer` is negative ("La oferta no puede ser negativa"). The post is not looked up: any UUID is taken.
    """
    body: NewOffer = request.context.json
    if body.size not in SIZES:
        raise ApiError(412, INVALID_SIZE)
    if body.offer < 0:
        raise ApiError(412, NEGATIVE_OFFER)
    now = utcnow()
    return insert_owned(
        Offer,
        post_id=uuid.UUID(body.postId),
        user_id=uuid.UUID(current_user_id()),
        description=body.description,
        size=body.size,
        fragile=body.fragile,
        offer=to_cents(body.offer),
        created_at=now,
        updated_at=now,  # a new offer has not been updated: both times are the same
    )


@api.get("", query=OFFER_QUERY, HTTP_200=Offers, HTTP_400=Message)
def list_offers():
    """List offers, optionally on one post and/or of one user.

    The filters combine with AND; an unknown post or user gives []. Oldest first; `limit`/`offset` page through.
    """
    query: OfferQuery = request.context.query
    rows = list_rows(Offer, query, post_id=equal(query.post, uuid.UUID), user_id=equal(query.owner, owner_id))
    return as_json(Offers, rows)


@api.get("/<uuid:offer_id>", HTTP_200=OfferOut, **BY_ID_ERRORS)
def get_offer(offer_id: str):
    """One offer."""
    return as_json(OfferOut, read_or_404(Offer, offer_id, UNKNOWN_OFFER))


@api.delete("/<uuid:offer_id>", HTTP_200=Message, **BY_ID_ERRORS)
def delete_offer(offer_id: str):
    """Delete an offer. Any caller may, as the contract sets no owner rule."""
    delete_or_404(Offer, offer_id, UNKNOWN_OFFER)
    return {"msg": DELETED}
