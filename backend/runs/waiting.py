"""Waiting for a run to end, for a caller that wants the result in one request.

The wait watches the run's end through this process's hub, so it works on any replica
and in both deployments. It returns once the run's end is in the database, so the run
read afterwards is final: at once when this process's recorder wrote the terminal event
(the hub says so), otherwise when a poll finds the run finished — every ``GAP_POLL_S``
after the terminal event went by, every ``IDLE_POLL_S`` before (a hub that missed the
end still finds it). The hub wakes the wait for the end only, not at every event.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from backend.db.run_store import read_status
from backend.runs.summary import FINISHED
from backend.ws.hub import Hub
from backend.ws.stream import GAP_POLL_S, IDLE_POLL_S

MAX_WAIT_S = 300.0
"""The longest a start request may hold its connection waiting for the run to end."""


async def wait_for_end(hub: Hub, engine: AsyncEngine, run_id: str, seconds: float) -> bool:
    """Whether the run ended (and its end was recorded) within ``seconds``; the caller
    holds no pooled connection while it waits (polls read through the driver)."""
    deadline = time.monotonic() + seconds
    with hub.watch_end(run_id) as end:
        while not end.recorded:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            poll_s = GAP_POLL_S if end.ended else IDLE_POLL_S
            woke = await end.wait(min(poll_s, remaining))
            if not woke and await read_status(engine, run_id) in FINISHED:
                return True
        return True
