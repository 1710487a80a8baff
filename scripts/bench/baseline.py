"""The benchmark's baselines: a minimal Flask + SQLAlchemy app doing one primary-key lookup (`GET /item/<id>`),
and one INSERT (`POST /item`, for the creates: a durable write waits for PostgreSQL's WAL flush at commit,
which no read does, so a create is also measured against a bare write).

Written as Flask's and SQLAlchemy's documentation show it, and doing the same database work per request as
Flask-SQLAlchemy's defaults: `create_engine(uri)` with no options (no pre-ping), one Session per request, closed
after it, so a read is BEGIN, SELECT, ROLLBACK and a write BEGIN, INSERT … RETURNING, COMMIT. Served by the
same gunicorn settings as the services it is compared with, so a ratio measures what the services add.
"""

from __future__ import annotations

import os

from flask import Flask, abort
from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from service_core.config import normalise_database_uri


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


def create_app() -> Flask:
    engine = create_engine(normalise_database_uri(os.environ["DATABASE_URI"]))
    app = Flask(__name__)

    @app.get("/item/<int:item_id>")
    def item(item_id: int) -> dict:
        with Session(engine) as session:
            row = session.get(Item, item_id)
            if row is None:
                abort(404)
            return {"id": row.id, "name": row.name}

    @app.post("/item")
    def new_item() -> tuple[dict, int]:
        with Session(engine) as session:
            row = Item(name="written")
            session.add(row)
            session.commit()
            return {"id": row.id}, 201

    return app


def seed(database_uri: str) -> None:
    engine = create_engine(normalise_database_uri(database_uri))
    Base.metadata.create_all(engine)  # a throwaway benchmark table, not a service schema
    with Session(engine) as session:
        if session.get(Item, 1) is None:
            session.add(Item(name="baseline"))  # id 1 of a new table: the ids stay the sequence's
            session.commit()
    engine.dispose()
