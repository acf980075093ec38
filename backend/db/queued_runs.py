"""Queued runs written in groups: one transaction for the runs started together.

A commit costs more than the two inserts of a queued run (SQLite writes its log pages,
PostgreSQL takes a round trip), so runs started together share one. The writer takes
every run handed to it while it is not writing and writes them in one transaction; the
runs handed over meanwhile form the next group. A run started alone is written at once:
there is no timer and no added wait.

A group that fails is written again one run at a time, so each caller gets its own
run's error and the other runs are written.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.run_store import insert_queued
from graph_engine.events import RunQueued

_Queued = tuple[dict[str, Any], RunQueued]


class QueuedRunWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._waiting: list[tuple[_Queued, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, row: dict[str, Any], event: RunQueued) -> None:
        """Insert the queued run ``row`` (``run_store.new_queued_run``) and its event."""
        written = asyncio.get_running_loop().create_future()
        self._waiting.append(((row, event), written))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_groups(), name="queued-run-writer")
        # A caller cancelled while waiting cancels only its future: the group is written
        # anyway, as a request cut off after its own commit was before.
        await written

    async def _write_groups(self) -> None:
        group: list[tuple[_Queued, asyncio.Future[None]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                await self._write(group)
        finally:
            self._writer = None
            for _, written in group + self._waiting:  # only if this task was cancelled
                written.cancel()

    async def _write(self, group: list[tuple[_Queued, asyncio.Future[None]]]) -> None:
        try:
            await self._insert([run for run, _ in group])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][1], error)
                return
            for run, written in group:
                try:
                    await self._insert([run])
                except Exception as own_error:
                    _settle(written, own_error)
                else:
                    _settle(written, None)
            return
        for _, written in group:
            _settle(written, None)

    async def _insert(self, runs: list[_Queued]) -> None:
        async with self._sessions() as session:
            await insert_queued(session, runs)


def _settle(written: asyncio.Future[None], error: Exception | None) -> None:
    if written.done():
        return
    if error is None:
        written.set_result(None)
    else:
        written.set_exception(error)
