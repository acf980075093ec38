"""Nodeloom's Kafka readers get every record from a broker on slow storage (Tansu on S3).

That broker answers a fetch whose wait is shorter than its reads from S3 without the
records (``backend/bus/_kafka_wait.py``): the API's live follower (1 ms) read nothing
there, ever, and the group readers (25 ms) lagged by seconds. Must hold: with the
settings the processes use, a live follower and the recorder's group each read all of a
burst of run events, in order per run, within ``READ_WITHIN_S``.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from services.kafka import KafkaServer, kafka_or_fail

from backend.bus import KafkaBus, KafkaSettings, Subscription
from graph_engine.events import RunEvent, queued_event

EVENTS = 40
READ_WITHIN_S = 20.0
"""Measured: about 3 s for the follower, 8 s for a group (its join included)."""


@pytest.fixture
def s3_broker(tmp_path: Path) -> Iterator[KafkaServer]:
    with kafka_or_fail(tmp_path, "readers on a persistent broker", storage="s3") as server:
        yield server


@pytest.fixture
async def bus(s3_broker: KafkaServer) -> AsyncIterator[KafkaBus]:
    settings = KafkaSettings(
        bootstrap_servers=s3_broker.bootstrap_servers,
        namespace=f"t{uuid.uuid4().hex[:10]}.",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    started = KafkaBus(settings)
    await started.start()
    try:
        yield started
    finally:
        await started.close()


async def test_a_live_follower_and_a_group_read_every_event(bus: KafkaBus) -> None:
    follower: dict[str, list[int]] = {}
    group: dict[str, list[int]] = {}
    readers = [
        asyncio.create_task(_read(bus.follow_events(), follower)),
        asyncio.create_task(_read(bus.recorded_events(), group)),
    ]
    try:
        await asyncio.sleep(1.0)  # the follower starts at the end of the topic
        published = await _publish(bus)
        deadline = time.monotonic() + READ_WITHIN_S
        while follower != published or group != published:
            assert time.monotonic() < deadline, (
                f"within {READ_WITHIN_S:g} s the follower read {_count(follower)} and the "
                f"group {_count(group)} of {EVENTS} events"
            )
            await asyncio.sleep(0.1)
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


async def _publish(bus: KafkaBus) -> dict[str, list[int]]:
    """``EVENTS`` events over a few runs; returns each run's seqs in order."""
    runs = [queued_event(uuid.uuid4().hex, "wf") for _ in range(4)]
    published: dict[str, list[int]] = {run.run_id: [] for run in runs}
    for number in range(EVENTS):
        event = runs[number % len(runs)].model_copy(update={"seq": number // len(runs)})
        await bus.publish_event(event)
        published[event.run_id].append(event.seq)
    return published


async def _read(subscription: Subscription[RunEvent], seen: dict[str, list[int]]) -> None:
    async with subscription as events:
        async for event in events:
            seen.setdefault(event.run_id, []).append(event.seq)


def _count(seen: dict[str, list[int]]) -> int:
    return sum(len(seqs) for seqs in seen.values())
