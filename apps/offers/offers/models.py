"""The offers table."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, Numeric, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from service_core.ids import utcnow

Size = Literal["LARGE", "MEDIUM", "SMALL"]
SIZES = get_args(Size)
MAX_DESCRIPTION = 1000
# Dollars with cents: numeric(12, 2) holds up to 9999999999.99, which a float also carries exactly to
# the cent (12 significant digits), so the JSON number answered is the amount stored.
OFFER_DIGITS, OFFER_SCALE = 12, 2
MAX_OFFER = Decimal("9999999999.99")


class Base(DeclarativeBase):
    pass


class Offer(Base):
    __tablename__ = "offers"
    __table_args__ = (
        # The API refuses these first (412); the database keeps them true whatever writes to it.
        CheckConstraint(f"size IN {SIZES}", name="ck_offers_size"),
        CheckConstraint("offer >= 0", name="ck_offers_offer"),
        # The listing's paging order, alone and after each filter, so a filtered page is one index range.
        Index("ix_offers_created_at_id", "created_at", "id"),
        Index("ix_offers_post_id_created_at_id", "post_id", "created_at", "id"),
        Index("ix_offers_user_id_created_at_id", "user_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    post_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # no foreign key: posts live in another database
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(String(MAX_DESCRIPTION))
    size: Mapped[str] = mapped_column(String(6))
    fragile: Mapped[bool] = mapped_column(Boolean)
    offer: Mapped[Decimal] = mapped_column(Numeric(OFFER_DIGITS, OFFER_SCALE))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
