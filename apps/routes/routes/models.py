"""The routes table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_core.ids import utcnow


class Base(DeclarativeBase):
    pass


class Route(Base):
    __tablename__ = "routes"
    __table_args__ = (
        # The API refuses these first (400/412); the database keeps them true whatever writes to it.
        CheckConstraint("bag_cost >= 0", name="ck_routes_bag_cost"),
        CheckConstraint("planned_end_date > planned_start_date", name="ck_routes_dates"),
        Index("ix_routes_created_at_id", "created_at", "id"),  # the listing's paging order
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flight_id: Mapped[str] = mapped_column(String(255), unique=True)  # unique: also the `flight` filter's index
    source_airport_code: Mapped[str] = mapped_column(String(255))
    source_country: Mapped[str] = mapped_column(String(255))
    destiny_airport_code: Mapped[str] = mapped_column(String(255))
    destiny_country: Mapped[str] = mapped_column(String(255))
    bag_cost: Mapped[int] = mapped_column(Integer)
    planned_start_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_end_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
