"""Share-link visitors see only their own runs.

- ``runs.visitor_hash``: the SHA-256 of the visitor cookie of the browser that started a
  run through a link. Runs started through links before this revision have none, so no
  visitor sees them any more (their owner still does).
- ``share_links.show_owner_latest_run``: whether the link also shows the owner's latest
  run; off for every existing link (a link used to show the workflow's newest run, which
  could be another visitor's).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as runs:
        runs.add_column(sa.Column("visitor_hash", sa.String(64), nullable=True))
        runs.create_index(op.f("ix_runs_visitor_hash"), ["visitor_hash"])
    with op.batch_alter_table("share_links") as links:
        links.add_column(
            sa.Column(
                "show_owner_latest_run", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("share_links") as links:
        links.drop_column("show_owner_latest_run")
    with op.batch_alter_table("runs") as runs:
        runs.drop_index(op.f("ix_runs_visitor_hash"))
        runs.drop_column("visitor_hash")
