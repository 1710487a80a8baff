"""The routes service ("trayectos"): flights between two airports, in the token or the isolated profile."""

from flask import Flask

from routes.api import api
from routes.models import Base, Route
from routes.spec import DESCRIPTION
from service_core.app import create_profiled_app
from service_core.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    return create_profiled_app(
        "routes", api=api, description=DESCRIPTION, metadata=Base.metadata, counted=Route, settings=settings
    )
