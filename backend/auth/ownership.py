"""Whether the caller may reach a workflow or a run: the one rule behind every owner's
route and the run events WebSocket. Someone else's thing is answered as *not found*."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.db.models import RunRecord, WorkflowRecord


async def owns(
    session: AsyncSession,
    principal: Principal,
    record: type[WorkflowRecord] | type[RunRecord],
    record_id: str,
) -> bool:
    """True when ``principal`` owns the row ``record_id`` of ``record``; the local owner
    of single-person mode owns everything. A missing row is owned by nobody."""
    if principal.local:
        return True
    owner = await session.scalar(select(record.owner_id).where(record.id == record_id))
    # End the read: the caller's writes then start a transaction of their own.
    await session.commit()
    return owner == principal.user_id
