"""What the four services share: configuration, database session, JSON errors, validation and
OpenAPI, request logging and metrics, health endpoints, migrations, the users-service token check
and the two profiles (token, isolated) of routes, posts and offers.

Deliberately empty of imports: `service_core.gunicorn_conf` must run before prometheus_client is
first imported (see there), and importing it imports this package first.
"""
