"""What a save through an edit link may not change: which of the owner's credentials run.

A visitor with an edit link saves as themselves, but the workflow still runs with its
owner's credentials. So a visitor may use only the credentials, by name and by the
provider the node calls, that the owner's newest version already uses: pointing a node
at another of the owner's keys, or the same key at another provider, is refused. (Where a
key may be sent is the credential's own business: ``graph_engine.credentials``.)
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.errors import CredentialNotShared
from backend.db.models import ShareLinkRecord, WorkflowVersionRecord
from backend.errors import FieldProblem
from backend.exchange.credentials import credential_uses
from graph_engine.document import WorkflowDocument


async def check_credential_uses(
    session: AsyncSession, link: ShareLinkRecord, document: WorkflowDocument
) -> None:
    """Raise ``CredentialNotShared`` naming each reference the owner's version lacks."""
    uses = credential_uses(document)
    if not uses:
        return
    shared = await _owner_document(session, link)
    allowed = {use.key for use in credential_uses(shared)} if shared else set()
    refused = [use for use in uses if use.key not in allowed]
    if not refused:
        return
    problems = [
        FieldProblem(
            CredentialNotShared.code,
            f"{use.node_title!r} uses credential {use.name!r} for {use.provider}, which the "
            "owner's version does not: only the owner can choose credentials.",
            pointer=use.pointer,
            node_id=use.node_id,
        )
        for use in refused
    ]
    raise CredentialNotShared(
        "Saving through a link keeps the owner's credentials as they are", problems
    )


async def _owner_document(session: AsyncSession, link: ShareLinkRecord) -> WorkflowDocument | None:
    """The newest version the owner saved (single-person era versions have no author)."""
    stored = await session.scalar(
        select(WorkflowVersionRecord.document)
        .where(
            WorkflowVersionRecord.workflow_id == link.workflow_id,
            or_(
                WorkflowVersionRecord.author_id == link.owner_id,
                WorkflowVersionRecord.author_id.is_(None),
            ),
        )
        .order_by(WorkflowVersionRecord.version.desc())
        .limit(1)
    )
    return None if stored is None else WorkflowDocument.model_validate(stored)
