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
from service_core.endpoints import ServiceApi
from service_core.errors import register_error_handlers
from service_core.observability import init_observability
from service_core.profiles import PROFILES
from service_core.responses import check_responses
from service_core.validation import make_spec

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
    app.register_blueprint(common_blueprint(service, spec, metadata, counted, settings.reset_enabled))
    app.register_blueprint(api)
    spec.register(app)
    if settings.validate_responses:
        check_responses(app, spec)  # registered last: it runs before the log line and metrics see the answer
    return app


def create_profiled_app(
    service: str,
    *,
    api: ServiceApi,
    description: str,
    metadata: MetaData,
    counted: type,
    settings: Settings | None = None,
) -> Flask:
    """routes, posts or offers in the profile that its settings name (AUTH_PROFILE): that profile's
    guard, request schemas and OpenAPI document; only the token profile gets a users client."""
    settings = settings or Settings.from_env(service)
    profile = PROFILES[settings.auth_profile]
    spec = make_spec(service, f"{description} {profile.summary}", bearer=profile.security is not None)
    return create_service_app(
        service,
        api=api.blueprint(spec, profile),
        spec=spec,
        metadata=metadata,
        counted=counted,
        settings=settings,
        needs_users=profile.needs_users,
    )


def settings() -> Settings:
    """The running app's settings."""
    return current_app.config["SETTINGS"]
