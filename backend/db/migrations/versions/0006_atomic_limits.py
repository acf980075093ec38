"""Limits that hold when requests arrive at once, on any number of replicas.

- ``users_one_admin``: a partial unique index, so of several first sign-ups at once only
  one becomes the admin.
- ``share_links.run_window_start`` / ``run_window_count``: a run link's hourly budget is
  taken by one conditional UPDATE, not counted and then inserted.
- ``login_attempts``: failed-login counting in the database (one upsert an attempt), so
  the limit holds across API replicas and for attempts sent at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.models import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "users_one_admin",
        "users",
        ["is_admin"],
        unique=True,
        postgresql_where=sa.text("is_admin"),
        sqlite_where=sa.text("is_admin"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("window_start", UtcDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_attempts")),
    )
    op.create_index(op.f("ix_login_attempts_window_start"), "login_attempts", ["window_start"])
    with op.batch_alter_table("share_links") as batch:
        batch.add_column(sa.Column("run_window_start", UtcDateTime(), nullable=True))
        batch.add_column(
            sa.Column("run_window_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("share_links") as batch:
        batch.drop_column("run_window_count")
        batch.drop_column("run_window_start")
    op.drop_index("users_one_admin", table_name="users")
    op.drop_index(op.f("ix_login_attempts_window_start"), table_name="login_attempts")
    op.drop_table("login_attempts")
