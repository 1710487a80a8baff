"""What the four services share: configuration, database session, JSON errors, validation and
OpenAPI, request logging and metrics, health endpoints, migrations and the users-service token check.

Deliberately empty of imports: `service_core.gunicorn_conf` must run before prometheus_client is
first imported (see there), and importing it imports this package first.
"""
