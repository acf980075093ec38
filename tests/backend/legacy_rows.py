"""Workflows as an earlier release stored them: with secrets pasted into node params.

No save can store such a document any more (the store refuses it), but databases written
before that hold them. Tests of what happens to those rows (hidden on share links,
refused at export, found and moved by ``nodeloom db scan-secrets``) write them here,
straight into the tables. The e2e suite loads this file by path (``e2e/helpers.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.models import WorkflowRecord, WorkflowVersionRecord, utcnow
from backend.db.session import create_engine, create_session_factory
from backend.db.workflow_store import new_id
from backend.graph_problems import check_document
from graph_engine.document import WorkflowDocument
from graph_engine.names import search_key


async def store_legacy_workflow(
    sessions: async_sessionmaker[AsyncSession],
    documents: Sequence[dict[str, Any]],
    *,
    owner_id: str | None = None,
    author: str = "local",
) -> str:
    """A workflow whose versions 1…n are ``documents`` (the last one current), written as
    rows without the store's checks; its id."""
    workflow_id = new_id()
    now = utcnow()
    parsed = [WorkflowDocument.model_validate(document) for document in documents]
    problems = [await check_document(document) for document in parsed]
    current = parsed[-1]
    async with sessions() as session:
        session.add(
            WorkflowRecord(
                id=workflow_id,
                name=current.name,
                name_key=search_key(current.name),
                description=current.description,
                document=current.model_dump(mode="json"),
                node_count=len(current.nodes),
                version=len(parsed),
                created_at=now,
                updated_at=now,
                problems=problems[-1],
                owner_id=owner_id,
            )
        )
        await session.flush()
        for number, (document, found) in enumerate(zip(parsed, problems, strict=True), 1):
            session.add(
                WorkflowVersionRecord(
                    id=new_id(),
                    workflow_id=workflow_id,
                    version=number,
                    name=document.name,
                    document=document.model_dump(mode="json"),
                    node_count=len(document.nodes),
                    author=author,
                    author_id=owner_id,
                    message="Saved by an earlier release",
                    created_at=now,
                    problems=found,
                )
            )
        await session.commit()
    return workflow_id


def store_legacy_workflow_at(database_url: str, documents: Sequence[dict[str, Any]]) -> str:
    """``store_legacy_workflow`` into the database at ``database_url`` (for the e2e
    suite, whose server runs in another process)."""

    async def store() -> str:
        engine = create_engine(database_url)
        try:
            return await store_legacy_workflow(create_session_factory(engine), documents)
        finally:
            await engine.dispose()

    # A thread of its own: the caller may be inside an event loop (Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, store()).result()
