"""``runs.requeued_at``: when a reaper published a queued run's request again because no
worker had taken it within ``NODELOOM_QUEUE_TIMEOUT_SECONDS`` (it does so once, then
fails the run; see ``backend.db.waiting_runs``). Empty for every existing run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.models import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as runs:
        runs.add_column(sa.Column("requeued_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as runs:
        runs.drop_column("requeued_at")
