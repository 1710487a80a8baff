"""What the four services share: configuration, database session, JSON errors, validation and
OpenAPI, request logging and metrics, health endpoints, migrations and the users-service token check."""

from service_core.app import create_service_app, settings

__all__ = ["create_service_app", "settings"]
