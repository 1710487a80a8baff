"""Migration 0002 of users rolled out under load: the previous version serves while the migration runs, then each
process is replaced by the new version (start, wait ready, take the old one out, SIGTERM), and the load never
sees a failure and loses no row."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from scripts.stack.postgres import LocalPostgres
from scripts.stack.service_process import ServiceProcess, free_port, service_env
from service_core.config import normalise_database_uri
from service_core.migrate import alembic_config
from tests.e2e.rollout import Endpoints, UsersLoad, previous_version

MIGRATION = "apps/users/users/migrations/versions/0002_add_last_login_at.py"
REPLICAS = 2
# Between leaving the endpoints and SIGTERM, as a preStop pause gives kube-proxy time to stop routing there.
DRAIN_SECONDS = 1.0
SMALL = {"GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "4"}  # two cores: 2 x 2 processes at once


def version(database_uri: str, apps: Path) -> ServiceProcess:
    environ = service_env("users", database_uri, **SMALL)
    environ["PYTHONPATH"] = os.pathsep.join([str(apps / "core"), str(apps / "users")])
    return ServiceProcess("users", free_port(), environ)


def migrate(database_uri: str) -> None:
    """Exactly what the migration Job runs, from the new version's code."""
    environ = service_env("users", database_uri)
    result = subprocess.run(
        [sys.executable, "-m", "service_core.migrate", "users"], env=environ, capture_output=True, text=True
    )
    assert (result.returncode, result.stderr) == (0, "")


@pytest.fixture
def database(postgres: LocalPostgres):
    postgres.drop_database("test_users_rollout")
    uri = postgres.ensure_database("test_users_rollout", "users", "users-test-password")
    yield uri
    postgres.drop_database("test_users_rollout")


def test_a_rolling_replacement_under_load_fails_no_request_and_loses_no_row(database: str, tmp_path: Path) -> None:
    old_apps = previous_version(tmp_path, MIGRATION)
    assert not (old_apps / "users/users/migrations/versions" / Path(MIGRATION).name).exists()
    uri = normalise_database_uri(database)
    command.upgrade(alembic_config("users", uri), "0001")  # the schema the previous version shipped with

    old = [version(database, old_apps) for _ in range(REPLICAS)]
    new = [version(database, Path(__file__).parents[2] / "apps") for _ in range(REPLICAS)]
    endpoints = Endpoints(*old)
    load = UsersLoad(endpoints)
    try:
        for process in old:
            process.start()
            process.wait_ready()
        load.start()
        time.sleep(2)
        migrate(database)  # wave 1: the Job, while the old pods serve
        migrated_at = time.monotonic()
        time.sleep(2)
        sent_before_new = load.sent
        for previous, replacement in zip(old, new, strict=True):
            replacement.start()
            replacement.wait_ready()
            endpoints.add(replacement)
            endpoints.remove(previous)
            time.sleep(DRAIN_SECONDS)
            previous.stop()
            assert previous.process.returncode == 0  # a graceful exit, not a kill
        time.sleep(3)
    finally:
        load.stop()
        for process in old + new:
            process.stop()

    engine = create_engine(uri)
    try:
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id::text, username FROM users")).all())
            logged = dict(connection.execute(text("SELECT id::text, last_login_at IS NOT NULL FROM users")).all())
    finally:
        engine.dispose()
    new_ports = {process.port for process in new}
    by_new = [user for user, port, _ in load.logins if port in new_ports]
    by_old = [user for user, port, _ in load.logins if port not in new_ports]
    # Sent to the old version once the backfill was over: only the new version's code would fill the column.
    old_after = {user for user, port, sent_at in load.logins if port not in new_ports and sent_at > migrated_at}
    print(
        f"\nrolling migration: {load.sent} requests sent ({sent_before_new} before the first new process),"
        f" {len(load.failures)} failed, {len(load.created)} rows written and checked,"
        f" log-ins: {len(by_old)} by the old version ({len(old_after)} on the expanded schema),"
        f" {len(by_new)} by the new"
    )
    assert load.failures == []
    assert {user: rows.get(user) for user in load.created} == load.created  # every 201 is there, as written
    assert len(old_after) > 0 and len(by_new) > 0
    assert not any(logged[user] for user in old_after)  # the old version served them, on the new schema
    assert all(logged[user] for user in by_new)  # the new version records the log-in
