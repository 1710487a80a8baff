"""Create the offers table: amounts in cents, rows paged by creation time, alone or per post or user.

Revision ID: 0001
Revises: (first revision)
"""

import sqlalchemy as sa
from alembic import op

down_revision = None
revision = "0001"


def upgrade() -> None:
    op.create_table(
        "offers",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False),
        sa.Column("size", sa.String(6), nullable=False),
        sa.Column("fragile", sa.Boolean(), nullable=False),
        sa.Column("offer", sa.Numeric(12, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size IN ('LARGE', 'MEDIUM', 'SMALL')", name="ck_offers_size"),
        sa.CheckConstraint("offer >= 0", name="ck_offers_offer"),
    )
    op.create_index("ix_offers_created_at_id", "offers", ["created_at", "id"])
    op.create_index("ix_offers_post_id_created_at_id", "offers", ["post_id", "created_at", "id"])
    op.create_index("ix_offers_user_id_created_at_id", "offers", ["user_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("offers")
