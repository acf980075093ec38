"""Waiting for a run to end, for a caller that wants the result in one request.

The wait reads the run's status when it starts and the run again each time word comes
that the run's terminal event was written (``backend.db.recorded_signal``: from this
process's writers, and on PostgreSQL from every process's), so it works on any replica
and in both deployments, and the run it answers is final. Nothing is polled.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.run_store import read_run, read_status
from backend.runs.summary import FINISHED
from backend.ws.hub import UNKNOWN, Hub

MAX_WAIT_S = 300.0
"""The longest a start request may hold its connection waiting for the run to end."""


async def wait_for_end(hub: Hub, engine: AsyncEngine, run_id: str, seconds: float) -> Any:
    """The run's row once its end is recorded, if that is within ``seconds``; else
    ``None``. The first read is of the status alone (the run has usually just started);
    after each word it is of the whole row, which is then the answer. Reads go through
    the engine's reader, which never waits for a session's connection."""
    deadline = time.monotonic() + seconds
    with hub.subscribe(run_id, live=False) as word:  # before the read: no word slips by
        heard = word.words
        if await read_status(engine, run_id) in FINISHED:
            return await read_run(engine, run_id)
        while True:
            while not (word.recorded_ended or word.recorded_seq == UNKNOWN) or word.words == heard:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not await word.wait(remaining):
                    return None
            heard = word.words
            run = await read_run(engine, run_id)
            if run.status in FINISHED:
                return run
