"""The posts table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_core.ids import utcnow


class Base(DeclarativeBase):
    pass


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        # The API refuses it first (412); the database keeps it true whatever writes to it.
        CheckConstraint("expire_at > created_at", name="ck_posts_expire_at"),
        # Each filter's column first, then the listing's order: a filtered page is one index range scan.
        Index("ix_posts_route_id_created_at_id", "route_id", "created_at", "id"),
        Index("ix_posts_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_posts_expire_at", "expire_at"),
        Index("ix_posts_created_at_id", "created_at", "id"),  # the unfiltered listing's order
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    route_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # a routes-service id, not a foreign key
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # a users-service id: the author
    expire_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
