"""Apply a service's Alembic migrations: `python -m service_core.migrate <service>`.

The cluster's migration Job and the local stack both run exactly this before the app serves.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
import time
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.exc import OperationalError

from service_core.config import ConfigError, Settings

log = logging.getLogger("migrate")


def alembic_config(service: str, database_uri: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{service}:migrations")
    config.set_main_option("sqlalchemy.url", database_uri.replace("%", "%%"))
    return config


def has_migrations(service: str) -> bool:
    """Whether `service` names a package on the path with Alembic migrations (`<service>/migrations/env.py`).

    The image holds its own service only, so this looks at what is there rather than at a list. The package is
    located, not imported: a name given on the command line must run no module's code.
    """
    if not service.isidentifier():
        return False
    spec = importlib.util.find_spec(service)
    locations = spec.submodule_search_locations if spec else None  # None: a plain module, not a package
    return any((Path(location) / "migrations" / "env.py").is_file() for location in locations or ())


def wait_for_database(database_uri: str, timeout: float) -> None:
    """The Job may start before PostgreSQL accepts connections: retry until `timeout`."""
    deadline = time.monotonic() + timeout
    engine = create_engine(database_uri)
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(1)
    finally:
        engine.dispose()


def upgrade(service: str, database_uri: str, wait_seconds: float = 60) -> None:
    wait_for_database(database_uri, wait_seconds)
    command.upgrade(alembic_config(service, database_uri), "head")


def run_migrations(metadata: MetaData) -> None:
    """Body of every service's `migrations/env.py` (online mode only: there is always a database)."""
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", help="the service whose migrations to apply, e.g. users")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the database")
    args = parser.parse_args(argv)
    if not has_migrations(args.service):
        print(f"No service {args.service!r} here: no package with Alembic migrations is on the path.", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env(args.service)
        upgrade(args.service, settings.database_uri, args.wait)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except OperationalError as error:
        print(f"Cannot reach the {args.service} database: {error.orig}".strip(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
