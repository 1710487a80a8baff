"""The application factory every service calls."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app
from spectree import SpecTree
from sqlalchemy import MetaData

from service_core.auth import UsersClient
from service_core.common import common_blueprint
from service_core.config import ConfigError, Settings
from service_core.converters import id_converter
from service_core.db import init_engine
from service_core.errors import register_error_handlers
from service_core.observability import init_observability

MAX_BODY_BYTES = 1024 * 1024


def create_service_app(
    service: str,
    *,
    api: Blueprint,
    spec: SpecTree,
    metadata: MetaData,
    counted: type,
    settings: Settings | None = None,
    needs_users: bool = False,
    reserved_paths: tuple[str, ...] = (),
) -> Flask:
    """A Flask app with the service's blueprint plus everything the four services share.

    `reserved_paths`: the service's own fixed routes next to `/<svc>/<id>` (users: `me`, `auth`).
    """
    settings = settings or Settings.from_env(service)
    app = Flask(service)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        DEBUG=settings.flask_env == "development",
        SETTINGS=settings,
    )
    app.json.sort_keys = False
    app.url_map.converters["uuid"] = id_converter(reserved_paths)
    init_engine(app, settings.database_uri)
    if needs_users:
        if not settings.users_path:
            raise ConfigError(f"USERS_PATH is not set: give the {service} service the users service's base URL.")
        app.extensions["users_client"] = UsersClient(settings.users_path)
    register_error_handlers(app)
    with app.app_context():
        init_observability(app, service)
    app.register_blueprint(common_blueprint(service, spec, metadata, counted))
    app.register_blueprint(api)
    spec.register(app)
    return app


def settings() -> Settings:
    """The running app's settings."""
    return current_app.config["SETTINGS"]
