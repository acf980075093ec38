"""The graph problems of every stored document (``problems``, a JSON list).

Existing rows are checked here, with the validator of the release that runs the
upgrade, so that after it every workflow and version says whether it can run.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migrations.stored_problems import JSON_DOCUMENT, recheck_problems

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("workflows", "workflow_versions")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("problems", JSON_DOCUMENT, nullable=False, server_default=sa.text("'[]'")),
        )
        recheck_problems(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("problems")
