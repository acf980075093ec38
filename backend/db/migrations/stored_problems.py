"""Re-checking the graph problems stored with every workflow and version, for migrations.

A migration calls ``recheck_problems`` when the validator's answers changed (a new check,
new codes or messages), so that every stored document says, in this release's words,
whether it can run. A document that no longer passes the structural checks stores those
faults as its problems (it shows as not runnable) instead of breaking the upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BATCH = 200


def recheck_problems(table_name: str) -> None:
    """Store ``stored_document_problems`` of every row of ``table_name``, in batches."""
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
        from backend.graph_problems import stored_document_problems

        for row_id, document in rows:
            connection.execute(
                table.update()
                .where(table.c.id == row_id)
                .values(problems=stored_document_problems(document))
            )
        last_id = rows[-1][0]
