"""Credentials rows, scoped to their owner: someone else's is not found."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import CredentialNameTaken, NoSuchCredential
from backend.credentials.crypto import SecretBox
from backend.credentials.providers import Provider, last4
from backend.db.models import CredentialRecord, utcnow
from backend.db.workflow_store import new_id


async def list_credentials(session: AsyncSession, owner_id: str) -> Sequence[CredentialRecord]:
    rows = await session.scalars(
        select(CredentialRecord)
        .where(CredentialRecord.owner_id == owner_id)
        .order_by(CredentialRecord.name)
    )
    return rows.all()


async def get_credential(
    session: AsyncSession, owner_id: str, credential_id: str
) -> CredentialRecord:
    record = await session.get(CredentialRecord, credential_id, populate_existing=True)
    if record is None or record.owner_id != owner_id:
        raise NoSuchCredential(credential_id)
    return record


async def create_credential(
    session: AsyncSession,
    box: SecretBox,
    *,
    owner_id: str,
    name: str,
    provider: Provider,
    secret: str,
    base_url: str | None,
    commit: bool = True,
) -> CredentialRecord:
    """A new credential, its secret sealed. ``commit=False`` only adds it to the session,
    for a caller that commits it together with other changes."""
    now = utcnow()
    record = CredentialRecord(
        id=new_id(),
        owner_id=owner_id,
        name=name,
        provider=provider.value,
        ciphertext=box.seal(secret),
        last4=last4(provider, secret),
        base_url=base_url,
        created_at=now,
        updated_at=now,
    )
    session.add(record)
    if commit:
        await _commit(session, name)
    return record


async def update_credential(
    session: AsyncSession,
    box: SecretBox,
    record: CredentialRecord,
    *,
    name: str | None,
    secret: str | None,
    base_url: str | None,
) -> CredentialRecord:
    if name is not None:
        record.name = name
    if secret is not None:
        record.ciphertext = box.seal(secret)
        record.last4 = last4(Provider(record.provider), secret)
    if base_url is not None:
        record.base_url = base_url
    record.updated_at = utcnow()
    await _commit(session, record.name)
    return record


async def delete_credential(session: AsyncSession, owner_id: str, credential_id: str) -> None:
    result = await session.execute(
        delete(CredentialRecord).where(
            CredentialRecord.id == credential_id, CredentialRecord.owner_id == owner_id
        )
    )
    if result.rowcount == 0:
        await session.rollback()
        raise NoSuchCredential(credential_id)
    await session.commit()


async def _commit(session: AsyncSession, name: str) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise CredentialNameTaken(name) from None
