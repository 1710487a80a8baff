"""Create the posts table: listed by route, by author and by expiry, paged by creation time.

Revision ID: 0001, the first.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None  # the first revision


def upgrade() -> None:
    op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("expire_at > created_at", name="ck_posts_expire_at"),
    )
    op.create_index("ix_posts_route_id_created_at_id", "posts", ["route_id", "created_at", "id"])
    op.create_index("ix_posts_user_id_created_at_id", "posts", ["user_id", "created_at", "id"])
    op.create_index("ix_posts_expire_at", "posts", ["expire_at"])
    op.create_index("ix_posts_created_at_id", "posts", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("posts")
