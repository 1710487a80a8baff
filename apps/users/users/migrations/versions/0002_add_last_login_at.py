"""Expand: users.last_login_at, when each user last logged in (for finding inactive accounts).

Revision ID: 0002
Revises: 0001

Written to roll out while the previous app version serves (docs/cluster.md, "Schema changes without
downtime"): the column is nullable, so the old version's inserts and log-ins, which do not name it, still
work; the index is built CONCURRENTLY and the backfill runs in short batches, so no statement holds a lock
on the table that blocks the old pods' writes for long. No contract step follows: NULL stays the honest
value for a user who has not logged in since the column exists.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

BATCH = 1000
INDEX = "ix_users_last_login_at"
# The log-in that issued the current token also set updated_at; a later PATCH moves updated_at on, so it is
# an upper bound of the last log-in, and the best the rows hold.
BACKFILL = sa.text(
    "UPDATE users SET last_login_at = updated_at WHERE id IN "
    "(SELECT id FROM users WHERE last_login_at IS NULL AND token_hash IS NOT NULL LIMIT :batch)"
)


def upgrade() -> None:
    op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    # Each statement below commits on its own: a batch locks at most BATCH rows, for milliseconds, and
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction at all.
    with op.get_context().autocommit_block():
        while op.get_bind().execute(BACKFILL, {"batch": BATCH}).rowcount:
            pass
        op.create_index(INDEX, "users", ["last_login_at"], postgresql_concurrently=True, if_not_exists=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(INDEX, "users", postgresql_concurrently=True, if_exists=True)
    op.drop_column("users", "last_login_at")
