"""One engine per app, one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker


def init_engine(app: Flask, database_uri: str) -> Engine:
    # pre_ping: a pooled connection that died with a database restart is replaced, not served.
    engine = create_engine(database_uri, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=5)
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_engine"] = engine
    app.teardown_appcontext(_close_session)
    return engine


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
