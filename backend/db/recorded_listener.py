"""Hearing, on PostgreSQL, every process's word that run events were written.

The writers' transactions send a ``NOTIFY`` (``backend.db.recorded_signal``); this
listener holds one connection of its own (outside the engine's pool) with ``LISTEN`` on
that channel and hands each notice to ``heard``. Notices sent while it was not listening
are gone, so whenever it (re)connects it calls ``lost``: readers then look at the
database again instead of waiting for word of something already written.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from backend.db.recorded_signal import CHANNEL, Heard, Recorded

log = logging.getLogger(__name__)
RECONNECT_DELAY_S = 1.0
HEALTH_CHECK_S = 5.0
"""How often an idle listening connection is checked (a connection whose server vanished
without closing it would otherwise look alive for ever)."""


class RecordedListener:
    def __init__(self, engine: AsyncEngine, heard: Heard, lost: Callable[[], None]) -> None:
        # A connection of its own: LISTEN holds it for as long as the process runs.
        self._engine = create_async_engine(engine.url, poolclass=NullPool)
        self._heard = heard
        self._lost = lost
        self.listening = asyncio.Event()
        self._down_since: float | None = None

    async def run(self) -> None:
        """Listen until cancelled, reconnecting after the connection is lost."""
        try:
            while True:
                try:
                    await self._listen()
                except Exception as error:  # any failure: reconnect
                    self._went_down(error)
                finally:
                    self.listening.clear()
                await asyncio.sleep(RECONNECT_DELAY_S)
        finally:
            await self._engine.dispose()

    async def _listen(self) -> None:
        async with self._engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            closed = asyncio.Event()
            driver.add_termination_listener(lambda _connection: closed.set())
            await driver.add_listener(CHANNEL, self._on_notice)
            self._came_back()
            self._lost()  # whatever was written while nobody listened
            self.listening.set()
            while not closed.is_set():
                try:
                    async with asyncio.timeout(HEALTH_CHECK_S):
                        await closed.wait()
                except TimeoutError:
                    async with asyncio.timeout(HEALTH_CHECK_S):
                        await driver.execute("SELECT 1")
            raise ConnectionError("the listening connection was closed")

    def _on_notice(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            run_id, mark = Recorded.from_notice(payload)
        except ValueError:
            log.warning("ignoring a malformed notice on %s: %r", CHANNEL, payload[:100])
            return
        self._heard({run_id: mark})

    def _went_down(self, error: BaseException) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("listening for recorded run events stopped, reconnecting: %r", error)

    def _came_back(self) -> None:
        if self._down_since is not None:
            log.info(
                "listening for recorded run events again after %.1f s",
                time.monotonic() - self._down_since,
            )
            self._down_since = None
