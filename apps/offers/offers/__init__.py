"""The offers service ("ofertas"): what users offer to pay to send a parcel on a post, checked against users' tokens."""

from flask import Flask

from offers.api import api
from offers.models import Base, Offer
from offers.spec import spec
from service_core.app import create_service_app
from service_core.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app("offers", api=api, spec=spec, metadata=Base.metadata, counted=Offer,
                              settings=settings, needs_users=True)
