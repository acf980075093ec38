"""Browser sessions: a random cookie token, stored as its SHA-256 with an expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.tokens import new_token, token_hash
from backend.db.models import SessionRecord, UserRecord, utcnow

COOKIE_NAME = "nodeloom_session"
SESSION_LIFETIME = timedelta(days=30)


async def start_session(session: AsyncSession, user_id: str) -> str:
    """A new session for ``user_id``; returns the cookie's token (never stored in clear)."""
    token = new_token()
    now = utcnow()
    await session.execute(delete(SessionRecord).where(SessionRecord.expires_at < now))
    session.add(
        SessionRecord(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    await session.commit()
    return token


async def user_of_session(session: AsyncSession, token: str) -> UserRecord | None:
    """The enabled account signed in with ``token``, if the session is still valid."""
    return await session.scalar(
        select(UserRecord)
        .join(SessionRecord, SessionRecord.user_id == UserRecord.id)
        .where(
            SessionRecord.token_hash == token_hash(token),
            SessionRecord.expires_at > utcnow(),
            UserRecord.disabled.is_(False),
        )
    )


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        delete(SessionRecord).where(SessionRecord.token_hash == token_hash(token))
    )
    await session.commit()
