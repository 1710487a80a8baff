"""Backups of the local stack's databases: `python -m scripts.stack backup` and `restore FROM [--force]`.

A backup is one `pg_dump --format=custom` file per service, `<svc>.dump`, in a new folder named by its UTC time.
A restore checks the whole file first (its table of contents, then every data block, read into /dev/null), so a
corrupt or truncated file is refused before the database is touched; it then restores in one transaction, so a
failure half-way leaves the database as it was. It refuses a database that holds any row unless forced.
"""

from __future__ import annotations

import contextlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from psycopg2 import sql

from registry import NAMES
from scripts.stack.postgres import client_tool

SUFFIX = ".dump"
SCHEMA_VERSION_TABLE = "alembic_version"  # rows of the migrations' bookkeeping do not make a database non-empty


class BackupError(RuntimeError):
    """A backup or restore the operator can fix; the message says what, in one sentence."""


def folder_name(now: datetime) -> str:
    """`20261201T215001Z`: sorts by time, and is a valid name on every file system."""
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(client_tool(name)), *args], capture_output=True, text=True, check=False)


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def dump(url: str, target: Path) -> None:
    done = _tool("pg_dump", "--format=custom", f"--file={target}", f"--dbname={url}")
    if done.returncode != 0:
        raise BackupError(f"pg_dump could not back up {target.stem}: {_last_line(done)}")


def backup(urls: dict[str, str], root: Path, now: datetime | None = None) -> Path:
    """One dump per service into a new folder under `root`; returns the folder."""
    folder = root / folder_name(now or datetime.now(UTC))
    folder.mkdir(parents=True, exist_ok=False)
    for service, url in urls.items():
        dump(url, folder / f"{service}{SUFFIX}")
    return folder


def check(path: Path) -> None:
    """Refuse a file that pg_restore cannot read whole: first its table of contents, then every data block."""
    for args in (["--list"], ["--file=/dev/null"]):
        done = _tool("pg_restore", *args, str(path))
        if done.returncode != 0:
            raise BackupError(
                f"{path} is not a complete pg_dump archive (corrupt or truncated), so nothing was restored: "
                f"{_last_line(done)}"
            )


def tables_with_rows(url: str) -> list[str]:
    """The tables of the database's public schema that hold a row (the migrations' version table aside)."""
    with contextlib.closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> %s ORDER BY tablename",
            (SCHEMA_VERSION_TABLE,),
        )
        found = []
        for (table,) in cursor.fetchall():
            cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table)))
            if cursor.fetchone()[0]:
                found.append(table)
        return found


def _refuse_filled(service: str, url: str) -> None:
    if filled := tables_with_rows(url):
        raise BackupError(
            f"The {service} database is not empty ({', '.join(filled)} hold rows), so nothing was restored: "
            "restore with FORCE=1 to replace its contents."
        )


def _pg_restore(path: Path, service: str, url: str) -> None:
    # --clean --if-exists replaces the migrated (empty, or under FORCE filled) schema; one transaction, so an
    # error rolls everything back; --no-owner: the objects belong to the role that restores, the database's owner.
    done = _tool(
        "pg_restore", "--single-transaction", "--clean", "--if-exists", "--no-owner", f"--dbname={url}", str(path)
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed on {path}; the {service} database was left as it was: {_last_line(done)}")


def restore(dumps: dict[str, Path], urls: dict[str, str], force: bool = False) -> None:
    """Restore each service's dump into its database. Every file and (unless forced) every database is checked
    before any is touched; a database whose restore fails is left as it was."""
    for path in dumps.values():
        check(path)
    if not force:
        for service in dumps:
            _refuse_filled(service, urls[service])
    for service, path in dumps.items():
        _pg_restore(path, service, urls[service])


def dumps_in(source: Path) -> dict[str, Path]:
    """service -> dump: every service's from a backup folder, or the one a `<svc>.dump` path names."""
    if source.is_dir():
        found = {service: source / f"{service}{SUFFIX}" for service in NAMES}
        missing = [path.name for path in found.values() if not path.is_file()]
        if missing:
            raise BackupError(f"{source} is not a whole backup: {', '.join(missing)} missing.")
        return found
    if source.suffix != SUFFIX or source.stem not in NAMES:
        raise BackupError(f"{source} is neither a backup folder nor the {SUFFIX} of one of {', '.join(NAMES)}.")
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    return {source.stem: source}
