"""What the owner's run routes (``backend.api.runs``) and a share link's
(``backend.api.link_visits``) read a run with: its id in the path and a page of its events."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from backend.api.run_schemas import RunEventPage
from backend.db import event_store, run_store
from backend.db.workflow_store import MAX_VERSION
from backend.errors import RunNotFound
from graph_engine.events import parse_event

_RUN_ID = re.compile(r"[0-9a-f]{32}")


def get_run_id(
    run_id: Annotated[str, Path(description="The run's id (32 hexadecimal digits).")],
) -> str:
    if not _RUN_ID.fullmatch(run_id):
        raise RunNotFound(run_id)
    return run_id


# The query of an event page, shared by the owner's and a share link's event lists.
AfterSeq = Annotated[
    int, Query(ge=-1, le=MAX_VERSION, description="Only events with a greater `seq`.")
]
EventLimit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]


async def event_page(session: AsyncSession, run_id: str, *, after: int, limit: int) -> RunEventPage:
    engine = session.bind
    if await run_store.read_status(engine, run_id) is None:
        raise RunNotFound(run_id)
    rows = await event_store.read_events(engine, run_id, after=after, limit=limit)
    items = [parse_event(row.text) for row in rows]
    next_after = rows[-1].seq if len(rows) == limit else None
    return RunEventPage(items=items, next_after=next_after)
