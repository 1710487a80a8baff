"""The routes service ("trayectos"): flights between two airports, checked against users' tokens."""

from flask import Flask

from routes.api import api
from routes.models import Base, Route
from routes.spec import spec
from service_core.app import create_service_app
from service_core.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app("routes", api=api, spec=spec, metadata=Base.metadata, counted=Route,
                              settings=settings, needs_users=True)
