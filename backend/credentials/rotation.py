"""Re-encrypting every stored credential under the current ``NODELOOM_SECRET_KEY``.

After a key change (the old key moved to ``NODELOOM_SECRET_KEY_PREVIOUS``), each secret is
opened with whichever key sealed it and sealed again under the current one, a batch per
transaction, so an interrupted rotation loses nothing and can simply run again. A secret
that no configured key opens is left as it is and reported by owner and name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.credentials.crypto import SecretBox, UndecryptableSecret
from backend.db.models import CredentialRecord

BATCH = 200


@dataclass
class Rotation:
    rotated: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (owner id, name)


async def rotate_credentials(
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Rotation:
    """Seal every credential again under ``box``'s current key; ``progress(done, total)``
    after each batch."""
    rotation = Rotation()
    async with sessions() as session:
        total = len((await session.scalars(select(CredentialRecord.id))).all())
    last_id, done = "", 0
    while True:
        async with sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(CredentialRecord.id, CredentialRecord.owner_id, CredentialRecord.name,
                           CredentialRecord.ciphertext)
                    .where(CredentialRecord.id > last_id)
                    .order_by(CredentialRecord.id)
                    .limit(BATCH)
                )
            ).all()  # fmt: skip
            for row_id, owner_id, name, ciphertext in rows:
                try:
                    sealed = box.rotate(ciphertext)
                except UndecryptableSecret:
                    rotation.unreadable.append((owner_id, name))
                    continue
                await session.execute(
                    update(CredentialRecord)
                    .where(CredentialRecord.id == row_id)
                    .values(ciphertext=sealed)
                )
                rotation.rotated += 1
        if not rows:
            return rotation
        last_id, done = rows[-1][0], done + len(rows)
        progress(done, total)
