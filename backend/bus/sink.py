"""``BusSink``: the engine's ``EventSink`` that publishes each event on the bus."""

from __future__ import annotations

from graph_engine.events import RunEvent

from .base import EventBus


class BusSink:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def emit(self, event: RunEvent) -> None:
        await self._bus.publish_event(event)
