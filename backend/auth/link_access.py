"""Share links: a 256-bit token (stored as SHA-256) giving ``view``, ``run`` or ``edit``
access to one workflow, until it expires or its owner revokes it.

A link is looked up on every request, so revoking it takes effect with the next one.
Its visitors see the runs they started through it (``visitors``: by browser), and the
owner's latest run only when the link says so; never one another's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import LinkNotFound, RateLimited, ScopeNotAllowed
from backend.auth.tokens import display_prefix, looks_like_token, new_token, token_hash
from backend.db.models import RunRecord, ShareLinkRecord, UserRecord, utcnow
from backend.db.workflow_store import new_id

RATE_WINDOW = timedelta(hours=1)


class Scope(StrEnum):
    view = "view"
    run = "run"
    edit = "edit"


# What each scope allows, cumulatively: run includes view, edit includes run.
_RANK = {Scope.view: 0, Scope.run: 1, Scope.edit: 2}


def allows(scope: str, needed: Scope) -> bool:
    return _RANK[Scope(scope)] >= _RANK[needed]


def require_scope(link: ShareLinkRecord, needed: Scope, action: str) -> None:
    if not allows(link.scope, needed):
        raise ScopeNotAllowed(link.scope, action)


async def create_link(
    session: AsyncSession,
    *,
    workflow_id: str,
    owner_id: str,
    scope: Scope,
    expires_at: datetime | None,
    run_limit_per_hour: int | None,
    show_owner_latest_run: bool = False,
) -> tuple[ShareLinkRecord, str]:
    """A new link; returns the row and the token (the only time it is seen)."""
    token = new_token()
    record = ShareLinkRecord(
        id=new_id(),
        workflow_id=workflow_id,
        owner_id=owner_id,
        scope=scope.value,
        token_hash=token_hash(token),
        token_prefix=display_prefix(token),
        expires_at=expires_at,
        run_limit_per_hour=run_limit_per_hour,
        show_owner_latest_run=show_owner_latest_run,
        created_at=utcnow(),
        revoked_at=None,
    )
    session.add(record)
    await session.commit()
    return record, token


async def list_links(session: AsyncSession, workflow_id: str) -> Sequence[ShareLinkRecord]:
    rows = await session.scalars(
        select(ShareLinkRecord)
        .where(ShareLinkRecord.workflow_id == workflow_id)
        .order_by(ShareLinkRecord.created_at.desc(), ShareLinkRecord.id)
    )
    return rows.all()


async def owned_link(session: AsyncSession, link_id: str, owner_id: str | None) -> ShareLinkRecord:
    """The link ``link_id`` of ``owner_id`` (``None``: any owner, single mode), else
    ``LinkNotFound``: someone else's link looks like no link at all."""
    owned = select(ShareLinkRecord).where(ShareLinkRecord.id == link_id)
    if owner_id is not None:
        owned = owned.where(ShareLinkRecord.owner_id == owner_id)
    link = await session.scalar(owned)
    if link is None:
        raise LinkNotFound()
    return link


async def show_owner_latest_run(
    session: AsyncSession, link_id: str, owner_id: str | None, *, shown: bool
) -> ShareLinkRecord:
    """Let the link's visitors see the owner's latest run, or stop them (at once)."""
    link = await owned_link(session, link_id, owner_id)
    link.show_owner_latest_run = shown
    await session.commit()
    await session.refresh(link)
    return link


async def revoke_link(session: AsyncSession, link_id: str, owner_id: str | None) -> None:
    """Revoke a link (again is fine); ``owner_id`` ``None`` means any owner (single mode)."""
    await owned_link(session, link_id, owner_id)
    await session.execute(
        update(ShareLinkRecord)
        .where(ShareLinkRecord.id == link_id, ShareLinkRecord.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()


async def live_link(session: AsyncSession, token: str) -> ShareLinkRecord:
    """The link ``token`` opens, if it is neither revoked nor expired and its owner's
    account is not disabled (enabling the account again brings the link back)."""
    if not looks_like_token(token):
        raise LinkNotFound()
    owner_disabled = (
        select(UserRecord.id)
        .where(UserRecord.id == ShareLinkRecord.owner_id, UserRecord.disabled.is_(True))
        .exists()
    )
    link = await session.scalar(
        select(ShareLinkRecord).where(
            ShareLinkRecord.token_hash == token_hash(token),
            ShareLinkRecord.revoked_at.is_(None),
            or_(ShareLinkRecord.expires_at.is_(None), ShareLinkRecord.expires_at > utcnow()),
            ~owner_disabled,
        )
    )
    if link is None:
        raise LinkNotFound()
    return link


async def reserve_run(session: AsyncSession, link: ShareLinkRecord) -> datetime | None:
    """Take one run of the link's hourly budget, or raise ``RateLimited``; returns the
    window the run counts in (for ``refund_run``), ``None`` for a link without a limit.

    One conditional UPDATE decides, so concurrent requests on any number of replicas
    never overspend: a window opens with the first run after the previous one ended
    (an hour from its first run), and holds at most ``run_limit_per_hour`` runs.
    """
    limit = link.run_limit_per_hour
    if limit is None:
        return None
    now = utcnow()
    start, count = ShareLinkRecord.run_window_start, ShareLinkRecord.run_window_count
    ended = or_(start.is_(None), start <= now - RATE_WINDOW)
    taken = await session.scalar(
        update(ShareLinkRecord)
        .where(ShareLinkRecord.id == link.id, or_(ended, count < limit))
        .values(
            run_window_start=case((ended, literal(now, start.type)), else_=start),
            run_window_count=case((ended, 1), else_=count + 1),
        )
        .returning(ShareLinkRecord.run_window_start)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if taken is not None:
        return taken
    opened = await session.scalar(select(start).where(ShareLinkRecord.id == link.id))
    await session.commit()
    wait = (opened + RATE_WINDOW - utcnow()).total_seconds() if opened else 60
    raise RateLimited(limit, math.ceil(wait))


async def refund_run(session: AsyncSession, link: ShareLinkRecord, window: datetime) -> None:
    """Give back a run ``reserve_run`` took, when the run was refused after all (its
    inputs, say); only within the same window."""
    await session.execute(
        update(ShareLinkRecord)
        .where(
            ShareLinkRecord.id == link.id,
            ShareLinkRecord.run_window_start == window,
            ShareLinkRecord.run_window_count > 0,
        )
        .values(run_window_count=ShareLinkRecord.run_window_count - 1)
        .execution_options(synchronize_session=False)
    )
    await session.commit()


async def owner_latest_run(session: AsyncSession, workflow_id: str) -> RunRecord | None:
    """The newest run the owner started (not through a link): what a link may show."""
    return await session.scalar(
        select(RunRecord)
        .where(RunRecord.workflow_id == workflow_id, RunRecord.share_link_id.is_(None))
        .order_by(RunRecord.created_at.desc(), RunRecord.id)
        .limit(1)
    )


async def visitor_runs(
    session: AsyncSession, link: ShareLinkRecord, visitor: str | None, limit: int
) -> tuple[list[RunRecord], int]:
    """The newest ``limit`` runs ``visitor`` (``visitors.visitor_hash``) started through
    ``link``, newest first, and how many they started in all."""
    if visitor is None:
        return [], 0
    theirs = (RunRecord.share_link_id == link.id, RunRecord.visitor_hash == visitor)
    total = await session.scalar(select(func.count()).select_from(RunRecord).where(*theirs))
    rows = await session.scalars(
        select(RunRecord)
        .where(*theirs)
        .order_by(RunRecord.created_at.desc(), RunRecord.id.desc())
        .limit(limit)
    )
    return list(rows.all()), total or 0


async def visible_run(
    session: AsyncSession, link: ShareLinkRecord, run_id: str, visitor: str | None
) -> bool:
    """Whether ``visitor`` (``visitors.visitor_hash``; ``None``: a browser that started
    nothing) sees run ``run_id`` through ``link``: a run they started through this very
    link, or the owner's latest run when the link shows it. Never another visitor's."""
    run = await session.get(RunRecord, run_id, populate_existing=True)
    if run is None or run.workflow_id != link.workflow_id:
        return False
    if run.share_link_id is not None:
        return visitor is not None and (run.share_link_id, run.visitor_hash) == (link.id, visitor)
    if not link.show_owner_latest_run:
        return False
    newest = await owner_latest_run(session, link.workflow_id)
    return newest is not None and newest.id == run.id
