"""The users service: sign-up, log-in and the token check that routes, posts and offers call."""

from flask import Flask

from service_core.app import create_service_app
from service_core.config import Settings
from users.api import api
from users.models import Base, User
from users.spec import spec


def create_app(settings: Settings | None = None) -> Flask:
    return create_service_app(
        "users",
        api=api,
        spec=spec,
        metadata=Base.metadata,
        counted=User,
        settings=settings,
        reserved_paths=("me", "auth"),
    )
