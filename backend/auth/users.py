"""Accounts: sign-up (the first account is the admin and adopts the single-person
mode's workflows), lookup by email, the admin's list and disabling."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import EmailTaken, SignupClosed, UserNotFound
from backend.db.models import (
    CredentialRecord,
    RunRecord,
    SessionRecord,
    ShareLinkRecord,
    UserRecord,
    WorkflowRecord,
    utcnow,
)
from backend.db.workflow_store import new_id

LOCAL_OWNER = "local"


def email_key(email: str) -> str:
    return email.strip().casefold()


async def count_users(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(UserRecord))).scalar_one()


async def create_user(
    session: AsyncSession, *, email: str, name: str, password_hash: str, signup_open: bool
) -> UserRecord:
    """A new account; the first one is the admin and takes over the unowned workflows.

    Whether it is the first is settled by the database (``users_one_admin``), not by a
    count read before the insert: of several first sign-ups at once, one becomes the
    admin; the others join as ordinary accounts if sign-up is open, else are refused.
    """
    first = await count_users(session) == 0
    if not (first or signup_open):
        raise SignupClosed()
    try:
        user = await _insert_user(session, email, name, password_hash, is_admin=first)
    except _AdminTaken:
        if not signup_open:
            raise SignupClosed() from None
        user = await _insert_user(session, email, name, password_hash, is_admin=False)
    if user.is_admin:
        await _adopt_unowned(session, user.id)
    await session.commit()
    return user


class _AdminTaken(Exception):
    pass


async def _insert_user(
    session: AsyncSession, email: str, name: str, password_hash: str, *, is_admin: bool
) -> UserRecord:
    user = UserRecord(
        id=new_id(),
        email=email.strip(),
        email_key=email_key(email),
        name=name.strip(),
        password_hash=password_hash,
        is_admin=is_admin,
        disabled=False,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        taken = await session.scalar(
            select(UserRecord.id).where(UserRecord.email_key == email_key(email))
        )
        if taken is not None or not is_admin:
            raise EmailTaken() from None
        raise _AdminTaken() from None
    return user


async def _adopt_unowned(session: AsyncSession, user_id: str) -> None:
    # Switching a single-person install to accounts: its first account keeps its work.
    for table in (WorkflowRecord, RunRecord, CredentialRecord, ShareLinkRecord):
        owner = table.owner_id  # type: ignore[attr-defined]
        await session.execute(
            update(table)
            .where(or_(owner.is_(None), owner == LOCAL_OWNER))
            .values(owner_id=user_id)
            .execution_options(synchronize_session=False)
        )


async def find_by_email(session: AsyncSession, email: str) -> UserRecord | None:
    return await session.scalar(select(UserRecord).where(UserRecord.email_key == email_key(email)))


async def list_users(session: AsyncSession) -> Sequence[UserRecord]:
    rows = await session.scalars(select(UserRecord).order_by(UserRecord.created_at, UserRecord.id))
    return rows.all()


async def set_disabled(session: AsyncSession, user_id: str, disabled: bool) -> UserRecord:
    """Disable (or re-enable) an account; disabling ends its sessions at once."""
    user = await session.get(UserRecord, user_id, populate_existing=True)
    if user is None:
        raise UserNotFound(user_id)
    user.disabled = disabled
    if disabled:
        await session.execute(delete(SessionRecord).where(SessionRecord.user_id == user_id))
    await session.commit()
    return user
