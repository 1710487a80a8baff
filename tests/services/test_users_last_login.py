"""Migration 0002 of users (last_login_at): upgrade, downgrade and upgrade again on a populated database keep
every row as it was, the backfill crosses its batches, the schema is the model's, and a log-in records the time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text

from scripts.stack.postgres import LocalPostgres
from service_core.config import normalise_database_uri
from service_core.migrate import alembic_config
from users.models import Base

ROWS = 2500  # more than two of the backfill's batches of 1000
WITH_TOKEN = range(0, ROWS, 2)  # every other user holds a token, so the backfill has rows to skip too
ORIGINAL = "id, username, email, password_hash, status, token_hash, expire_at, created_at, updated_at"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def at_0001(postgres: LocalPostgres) -> Iterator[tuple[str, Engine]]:
    """A fresh users database migrated to 0001 only, and an engine on it."""
    postgres.drop_database("test_users_0002")
    uri = normalise_database_uri(postgres.ensure_database("test_users_0002", "users", "users-test-password"))
    command.upgrade(alembic_config("users", uri), "0001")
    engine = create_engine(uri)
    yield uri, engine
    engine.dispose()
    postgres.drop_database("test_users_0002")


def populate(engine: Engine) -> None:
    rows = [
        {
            "n": n,
            "token": f"{n:064x}" if n in WITH_TOKEN else None,
            "created": T0 + timedelta(seconds=n),
            "updated": T0 + timedelta(seconds=n, minutes=5),
        }
        for n in range(ROWS)
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, email, password_hash, status, token_hash, expire_at, created_at,"
                " updated_at) VALUES (gen_random_uuid(), 'user' || :n, 'user' || :n || '@example.com', 'hash' || :n,"
                " 'POR_VERIFICAR', :token, :updated, :created, :updated)"
            ),
            rows,
        )


def snapshot(engine: Engine, columns: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT {columns} FROM users ORDER BY id"))]


def test_upgrade_downgrade_upgrade_keeps_every_row(at_0001: tuple[str, Engine]) -> None:
    uri, engine = at_0001
    populate(engine)
    before = snapshot(engine, ORIGINAL)
    assert len(before) == ROWS

    config = alembic_config("users", uri)
    command.upgrade(config, "head")
    assert snapshot(engine, ORIGINAL) == before
    backfilled = snapshot(engine, "token_hash IS NOT NULL, last_login_at = updated_at, last_login_at IS NULL")
    # A user with a token got its updated_at (every batch ran), one without kept NULL.
    assert backfilled.count((True, True, False)) == len(WITH_TOKEN)
    assert backfilled.count((False, None, True)) == ROWS - len(WITH_TOKEN)

    command.downgrade(config, "0001")
    assert snapshot(engine, ORIGINAL) == before
    with engine.connect() as connection:
        columns = connection.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'users'")
        )
        assert "last_login_at" not in {name for (name,) in columns}

    command.upgrade(config, "head")
    assert snapshot(engine, ORIGINAL) == before
    assert snapshot(engine, "token_hash IS NOT NULL, last_login_at = updated_at, last_login_at IS NULL") == backfilled


def test_the_migrated_schema_is_the_model(migrated_database: Callable[..., str]) -> None:
    """The index built CONCURRENTLY is there and valid, and nothing differs from models.py."""
    engine = create_engine(normalise_database_uri(migrated_database("users")))
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            valid = connection.scalar(
                text("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_users_last_login_at'::regclass")
            )
            assert valid is True
    finally:
        engine.dispose()


def test_a_log_in_records_its_time(users: FlaskClient, migrated_database: Callable[..., str]) -> None:
    body = {"username": "ana", "password": "s3cret", "email": "ana@example.com"}
    created = users.post("/users", json=body)
    assert created.status_code == 201
    engine = create_engine(normalise_database_uri(migrated_database("users")))
    try:
        query = text("SELECT last_login_at, expire_at FROM users WHERE id = :id")
        with engine.connect() as connection:
            assert connection.execute(query, {"id": created.json["id"]}).one()[0] is None  # signed up, no log-in
        started = datetime.now(UTC)
        assert users.post("/users/auth", json={"username": "ana", "password": "s3cret"}).status_code == 200
        with engine.connect() as connection:
            last_login_at, expire_at = connection.execute(query, {"id": created.json["id"]}).one()
        assert started <= last_login_at <= datetime.now(UTC)
        assert expire_at - last_login_at == timedelta(seconds=3600)  # the token's life starts at the log-in
    finally:
        engine.dispose()
