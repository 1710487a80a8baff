"""The benchmark's baseline: a minimal Flask + SQLAlchemy app doing one primary-key lookup.

Served by the same gunicorn settings as the services, so the ratio measures what the services add.
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
    engine = create_engine(normalise_database_uri(os.environ["DATABASE_URI"]), pool_pre_ping=True)
    app = Flask(__name__)

    @app.get("/item/<int:item_id>")
    def item(item_id: int) -> dict:
        with Session(engine) as session:
            row = session.get(Item, item_id)
            if row is None:
                abort(404)
            return {"id": row.id, "name": row.name}

    return app


def seed(database_uri: str) -> None:
    engine = create_engine(normalise_database_uri(database_uri))
    Base.metadata.create_all(engine)  # a throwaway benchmark table, not a service schema
    with Session(engine) as session:
        if session.get(Item, 1) is None:
            session.add(Item(id=1, name="baseline"))
            session.commit()
    engine.dispose()
