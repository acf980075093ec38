"""Every stored workflow and version re-checked by the validator of this release.

Problems now name nodes by their title and say what to do; a connection with a bad port
or type no longer also blames the input it feeds; names with control characters or edge
spaces, and numbers JSON cannot carry, are structural faults. Stored problems written
before are replaced with this release's, so the canvas, the run API and ``nodeloom
validate`` agree about every workflow saved earlier. Names are searched in NFC form now:
``name_key`` is rewritten with ``search_key``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migrations.stored_problems import recheck_problems

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("workflows", "workflow_versions"):
        recheck_problems(table)
    _rekey_names()


def _rekey_names() -> None:
    from graph_engine.names import search_key

    connection = op.get_bind()
    workflows = sa.table("workflows", sa.column("id"), sa.column("name"), sa.column("name_key"))
    for row_id, name in connection.execute(sa.select(workflows.c.id, workflows.c.name)).all():
        connection.execute(
            workflows.update().where(workflows.c.id == row_id).values(name_key=search_key(name))
        )


def downgrade() -> None:
    pass  # the problems stay valid JSON for the older release, which re-checks on save
