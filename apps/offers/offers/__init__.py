"""The offers service ("ofertas"): what users offer to pay to send a parcel on a post."""

from flask import Flask

from offers.api import api
from offers.models import Base, Offer
from offers.spec import DESCRIPTION
from service_core.app import create_profiled_app
from service_core.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    return create_profiled_app(
        "offers", api=api, description=DESCRIPTION, metadata=Base.metadata, counted=Offer, settings=settings
    )
