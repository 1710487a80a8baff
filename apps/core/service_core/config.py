"""Service settings, read once from the environment variables of operations.md."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import make_url

# SQLAlchemy >= 2.1 maps a bare postgresql:// URL to psycopg 3; the services ship psycopg2.
_DRIVER = "postgresql+psycopg2"


def normalise_database_uri(uri: str) -> str:
    """Map `postgres://` and `postgresql://` URLs to the psycopg2 driver, keeping everything else."""
    url = make_url(uri)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername=_DRIVER)
    return url.render_as_string(hide_password=False)


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


# How routes, posts and offers learn who calls (see service_core.profiles): `token` asks users about the
# bearer token, `isolated` takes the user id from the request and never calls users.
AUTH_PROFILES = ("token", "isolated")


def auth_profile(env: Mapping[str, str]) -> str:
    """`AUTH_PROFILE` (default `token`); `isolated` calls no other service, so a USERS_PATH contradicts it."""
    profile = env.get("AUTH_PROFILE", "token")
    if profile not in AUTH_PROFILES:
        raise ConfigError(f"AUTH_PROFILE must be `token` or `isolated`, not {profile!r}.")
    if profile == "isolated" and env.get("USERS_PATH"):
        raise ConfigError("AUTH_PROFILE=isolated calls no other service: unset USERS_PATH, or use AUTH_PROFILE=token.")
    return profile


def _switch(env: Mapping[str, str], name: str) -> bool:
    """An on/off variable: `true`, or `false` (the default when unset); anything else is a one-sentence error."""
    value = env.get(name, "false")
    if value not in ("true", "false"):
        raise ConfigError(f"{name} must be `true` or `false`, not {value!r}.")
    return value == "true"


def reset_enabled(env: Mapping[str, str]) -> bool:
    """`RESET_ENABLED`: `true` serves `POST /<svc>/reset`; unset or `false` (the image's default) does not."""
    return _switch(env, "RESET_ENABLED")


def validate_responses(env: Mapping[str, str]) -> bool:
    """`VALIDATE_RESPONSES`: `true` checks every answer against the model documented for it (the service tests);
    unset or `false` (the images, the local stack) does not: the views build every body from that model."""
    return _switch(env, "VALIDATE_RESPONSES")


@dataclass(frozen=True)
class Settings:
    service: str
    database_uri: str
    flask_env: str = "production"
    users_path: str | None = None
    token_ttl_seconds: int = 3600
    auth_profile: str = "token"
    reset_enabled: bool = False
    validate_responses: bool = False

    @classmethod
    def from_env(cls, service: str, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        uri = env.get("DATABASE_URI")
        if not uri:
            raise ConfigError(f"DATABASE_URI is not set: give the {service} service its database URL.")
        ttl = env.get("TOKEN_TTL_SECONDS", "3600")
        if not ttl.isdigit() or int(ttl) <= 0:
            raise ConfigError("TOKEN_TTL_SECONDS must be a positive whole number of seconds.")
        users_path = env.get("USERS_PATH")
        return cls(
            service=service,
            database_uri=normalise_database_uri(uri),
            flask_env=env.get("FLASK_ENV", "production"),
            users_path=users_path.rstrip("/") if users_path else None,
            token_ttl_seconds=int(ttl),
            auth_profile=auth_profile(env),
            reset_enabled=reset_enabled(env),
            validate_responses=validate_responses(env),
        )
