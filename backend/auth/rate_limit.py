"""Login attempts per (client address, email), counted in the database.

Every attempt first takes a place in its minute-long window with one upsert; past
``limit`` places the attempt gets ``TooManyAttempts`` without its password being checked.
So attempts sent at once cannot all slip past the count, and every API replica shares
it. A successful login clears its key. The key is a SHA-256 of address and email: the
table holds no email.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta

from sqlalchemy import case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import TooManyAttempts
from backend.db.models import LoginAttemptRecord, utcnow

WINDOW = timedelta(seconds=60)


def attempt_key(address: str, email_key: str) -> str:
    return hashlib.sha256(f"{address}\n{email_key}".encode()).hexdigest()


async def take_attempt(session: AsyncSession, key: str, limit: int) -> None:
    """Count one attempt for ``key``; ``TooManyAttempts`` when the window's are used up."""
    now = utcnow()
    table = LoginAttemptRecord
    ended = table.window_start <= now - WINDOW
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(key_hash=key, window_start=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[table.key_hash],
            set_={
                "window_start": case(
                    (ended, literal(now, table.window_start.type)), else_=table.window_start
                ),
                "attempts": case((ended, 1), else_=table.attempts + 1),
            },
        )
        .returning(table.attempts, table.window_start)
    )
    attempts, window_start = (await session.execute(statement)).one()
    await session.commit()
    if attempts > limit:
        raise TooManyAttempts(math.ceil((window_start + WINDOW - utcnow()).total_seconds()))


async def clear_attempts(session: AsyncSession, key: str) -> None:
    """After a successful login: forget ``key``'s attempts, and every ended window."""
    table = LoginAttemptRecord
    await session.execute(
        delete(table).where((table.key_hash == key) | (table.window_start <= utcnow() - WINDOW))
    )
    await session.commit()
