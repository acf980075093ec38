"""Who is asking: the one local owner (single-person mode), or the account behind an API
key (``Authorization: Bearer nlk_…``) or a session cookie — or nobody.

A request that sends an ``Authorization`` header is judged by it alone: a wrong key is
refused (``401 invalid_api_key``) rather than quietly treated as anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth import api_keys, sessions
from backend.auth.errors import InvalidApiKey
from backend.auth.tokens import looks_like_api_key, looks_like_token
from backend.auth.users import LOCAL_OWNER
from backend.db.models import UserRecord


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    name: str
    email: str
    is_admin: bool
    local: bool = False  # single-person mode: no account behind it

    @classmethod
    def of(cls, user: UserRecord) -> Principal:
        return cls(user.id, user.name, user.email, user.is_admin)


LOCAL = Principal(LOCAL_OWNER, "local", "", True, local=True)


async def identify(
    session: AsyncSession, *, authorization: str | None, cookie: str | None
) -> Principal | None:
    """The account the request speaks for, or ``None`` (anonymous) in accounts mode."""
    if authorization is not None:
        scheme, _, key = authorization.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not looks_like_api_key(key):
            raise InvalidApiKey()
        user = await api_keys.user_of_key(session, key)
        if user is None:
            raise InvalidApiKey()
        return Principal.of(user)
    if cookie and looks_like_token(cookie):
        user = await sessions.user_of_session(session, cookie)
        if user is not None:
            return Principal.of(user)
    return None
