"""The posts service ("publicaciones"): a user offers to carry bags on a route until a deadline."""

from flask import Flask

from posts.api import api
from posts.models import Base, Post
from posts.spec import DESCRIPTION
from service_core.app import create_profiled_app
from service_core.config import Settings


def create_app(settings: Settings | None = None) -> Flask:
    return create_profiled_app(
        "posts", api=api, description=DESCRIPTION, metadata=Base.metadata, counted=Post, settings=settings
    )
