"""The users table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_core.ids import utcnow

STATUSES = ("POR_VERIFICAR", "NO_VERIFICADO", "VERIFICADO")


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"status IN {STATUSES}", name="ck_users_status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    dni: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(255))
    phone_number: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="POR_VERIFICAR")
    # sha256 of the current token: a UUID4 has 122 random bits, so a fast hash is enough and
    # lets the token be looked up by index.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expire_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Migration 0002; NULL: no log-in since it exists (never in a response).
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
