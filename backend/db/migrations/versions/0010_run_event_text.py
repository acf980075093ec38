"""``run_events.payload`` keeps the JSON text as written: ``json`` instead of ``jsonb`` on
PostgreSQL (``jsonb`` reorders keys and respaces), so replaying a run sends the same bytes
a live watcher got. SQLite stores JSON as text already: nothing to do there. Rows written
before keep ``jsonb``'s spelling of their text.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE run_events ALTER COLUMN payload TYPE json USING payload::json")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE run_events ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
