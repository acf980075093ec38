"""Personal API keys: shown once at creation, stored as SHA-256, revocable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import ApiKeyNotFound
from backend.auth.tokens import display_prefix, new_api_key, token_hash
from backend.db.models import ApiKeyRecord, UserRecord, utcnow
from backend.db.workflow_store import new_id

# ``last_used_at`` is a hint, not an audit log: written at most this often per key.
LAST_USED_RESOLUTION = timedelta(minutes=1)


async def create_key(session: AsyncSession, user_id: str, name: str) -> tuple[ApiKeyRecord, str]:
    """A new key; returns the row and the key itself (the only time it is seen)."""
    key = new_api_key()
    record = ApiKeyRecord(
        id=new_id(),
        user_id=user_id,
        name=name,
        prefix=display_prefix(key),
        key_hash=token_hash(key),
        created_at=utcnow(),
        last_used_at=None,
    )
    session.add(record)
    await session.commit()
    return record, key


async def list_keys(session: AsyncSession, user_id: str) -> Sequence[ApiKeyRecord]:
    rows = await session.scalars(
        select(ApiKeyRecord)
        .where(ApiKeyRecord.user_id == user_id)
        .order_by(ApiKeyRecord.created_at.desc(), ApiKeyRecord.id)
    )
    return rows.all()


async def revoke_key(session: AsyncSession, user_id: str, key_id: str) -> None:
    result = await session.execute(
        delete(ApiKeyRecord).where(ApiKeyRecord.id == key_id, ApiKeyRecord.user_id == user_id)
    )
    if result.rowcount == 0:
        await session.rollback()
        raise ApiKeyNotFound(key_id)
    await session.commit()


async def user_of_key(session: AsyncSession, key: str) -> UserRecord | None:
    """The enabled account owning ``key``, noting that the key was used."""
    row = (
        await session.execute(
            select(UserRecord, ApiKeyRecord)
            .join(ApiKeyRecord, ApiKeyRecord.user_id == UserRecord.id)
            .where(ApiKeyRecord.key_hash == token_hash(key), UserRecord.disabled.is_(False))
        )
    ).one_or_none()
    if row is None:
        return None
    user, record = row
    now = utcnow()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        await session.execute(
            update(ApiKeyRecord).where(ApiKeyRecord.id == record.id).values(last_used_at=now)
        )
        await session.commit()
    return user
