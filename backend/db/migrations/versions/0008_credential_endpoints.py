"""Every stored workflow and version re-checked: a node's ``base_url`` no longer goes
with a credential (a key is sent only to its credential's own endpoint), so a workflow
saved earlier with both shows that problem in the editor and at ``nodeloom validate``,
not only when a run is refused.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from backend.db.migrations.stored_problems import recheck_problems

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("workflows", "workflow_versions"):
        recheck_problems(table)


def downgrade() -> None:
    pass  # the problems stay valid JSON for the older release, which re-checks on save
