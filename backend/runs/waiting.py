"""Waiting for a run to end, for a caller that wants the result in one request.

The wait reads the run's status when it starts and again each time word comes that the
run's terminal event was written (``backend.db.recorded_signal``: from this process's
writers, and on PostgreSQL from every process's), so it works on any replica and in both
deployments, and the run read afterwards is final. Nothing is polled.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.run_store import read_status
from backend.runs.summary import FINISHED
from backend.ws.hub import UNKNOWN, Hub

MAX_WAIT_S = 300.0
"""The longest a start request may hold its connection waiting for the run to end."""


async def wait_for_end(hub: Hub, engine: AsyncEngine, run_id: str, seconds: float) -> bool:
    """Whether the run ended (and its end was recorded) within ``seconds``; the status
    reads go through the engine's reader, which never waits for a session's connection."""
    deadline = time.monotonic() + seconds
    with hub.subscribe(run_id, live=False) as word:  # before the read: no word slips by
        while True:
            heard = word.words
            if await read_status(engine, run_id) in FINISHED:
                return True
            while not (word.recorded_ended or word.recorded_seq == UNKNOWN) or word.words == heard:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not await word.wait(remaining):
                    return False
