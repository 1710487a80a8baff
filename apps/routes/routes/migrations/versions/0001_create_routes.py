"""Create the routes table: flight ids unique, rows paged by creation time.

Revision ID: 0001
Revises: (first revision)
"""

import sqlalchemy as sa
from alembic import op

down_revision = None
revision = "0001"


def upgrade() -> None:
    op.create_table(
        "routes",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("flight_id", sa.String(255), nullable=False, unique=True),
        sa.Column("source_airport_code", sa.String(255), nullable=False),
        sa.Column("source_country", sa.String(255), nullable=False),
        sa.Column("destiny_airport_code", sa.String(255), nullable=False),
        sa.Column("destiny_country", sa.String(255), nullable=False),
        sa.Column("bag_cost", sa.Integer(), nullable=False),
        sa.Column("planned_start_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("bag_cost >= 0", name="ck_routes_bag_cost"),
        sa.CheckConstraint("planned_end_date > planned_start_date", name="ck_routes_dates"),
    )
    op.create_index("ix_routes_created_at_id", "routes", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("routes")
