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
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TABLES = ("workflows", "workflow_versions")
BATCH = 200


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("problems", JSON_DOCUMENT, nullable=False, server_default=sa.text("'[]'")),
        )
        _check_existing_rows(table)


def _check_existing_rows(table_name: str) -> None:
    connection = op.get_bind()
    table = sa.table(
        table_name,
        sa.column("id", sa.String(32)),
        sa.column("document", JSON_DOCUMENT),
        sa.column("problems", JSON_DOCUMENT),
    )
    last_id = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.document)
            .where(table.c.id > last_id)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        # Imported here: the engine is loaded only when there are rows to check.
        from backend.validation import stored_document_problems

        for row_id, document in rows:
            connection.execute(
                table.update()
                .where(table.c.id == row_id)
                .values(problems=stored_document_problems(document))
            )
        last_id = rows[-1][0]


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("problems")
