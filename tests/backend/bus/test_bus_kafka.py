"""What only the Kafka bus does: topics, broker restarts, deadlines, bad records."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from bus_support import Broker, event, request, split_between, take, until

from backend.bus import BusUnavailable, KafkaBus, KafkaSettings
from backend.bus.messages import EVENTS
from backend.bus.outage import BROKER
from graph_engine.events import RunEvent


@pytest.fixture
def broker(kafka_broker: Broker) -> Broker:
    return kafka_broker


async def test_start_creates_the_topics_with_the_configured_partitions(
    kafka_settings: KafkaSettings,
) -> None:
    bus = KafkaBus(replace(kafka_settings, partitions=3))
    async with bus, bus.follow_events() as follower:
        assert follower.partitions() == {0, 1, 2}
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.bootstrap_servers)
    await admin.start()
    try:
        names = [f"{kafka_settings.namespace}nodeloom.{n}" for n in ("run-requests", "run-events")]
        described = await admin.describe_topics(names)
        assert [len(topic["partitions"]) for topic in described] == [3, 3]
    finally:
        await admin.close()


async def test_followers_and_groups_carry_on_after_a_broker_restart(
    broker: Broker, kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="backend.bus")
    runs = [f"run-{n}" for n in range(12)]
    async with (
        KafkaBus(kafka_settings) as api,
        KafkaBus(kafka_settings) as worker,
        api.follow_events() as follower,
        worker.requests() as requests,
    ):
        await split_between(requests)
        for run_id in runs:
            await worker.publish_event(event(run_id, 0))
            await api.publish_request(request(run_id))
        assert len(await take(follower, len(runs))) == len(runs)
        assert len(await take(requests, len(runs))) == len(runs)

        broker.restart()  # memory storage: every topic, record and offset is gone
        restarted = time.monotonic()

        for seq in (1, 2):
            for run_id in runs:
                await worker.publish_event(event(run_id, seq))
        for run_id in runs:
            await api.publish_request(request(f"{run_id}-again"))
        events = await _distinct(follower, 2 * len(runs))
        assert {(e.run_id, e.seq) for e in events} == {(r, s) for r in runs for s in (1, 2)}
        expected = {f"{run_id}-again" for run_id in runs}
        later: set[str] = set()
        async with asyncio.timeout(20):
            while not later >= expected:  # a re-sent request may come twice
                later.add((await anext(requests)).run_id)
    print(f"recovered {time.monotonic() - restarted:.2f} s after the restart")


async def _distinct(follower: object, count: int) -> list[RunEvent]:
    """``count`` distinct events in run order (a re-sent record may come twice)."""
    seen: dict[tuple[str, int], RunEvent] = {}
    last: dict[str, int] = {}
    async with asyncio.timeout(20):
        while len(seen) < count:
            item: RunEvent = await anext(follower)  # type: ignore[call-overload]
            if (item.run_id, item.seq) in seen:
                continue
            assert item.seq > last.get(item.run_id, -1), f"{item.run_id} out of order"
            last[item.run_id] = item.seq
            seen[(item.run_id, item.seq)] = item
    return list(seen.values())


async def test_overlapping_publishes_keep_their_order_and_share_requests(
    kafka_settings: KafkaSettings,
) -> None:
    runs = [f"run-{n}" for n in range(3)]
    count = 60
    async with (
        KafkaBus(kafka_settings) as worker,
        KafkaBus(kafka_settings) as api,
        api.follow_events() as follower,
    ):
        produced = _count_produce_requests(worker)
        # Started in seq order, none waiting for another's acknowledgement.
        publishes = [
            asyncio.create_task(worker.publish_event(event(run_id, seq)))
            for seq in range(count)
            for run_id in runs
        ]
        await asyncio.gather(*publishes)
        received = await _distinct(follower, count * len(runs))  # asserts the order
    assert sorted((e.run_id, e.seq) for e in received) == [
        (run_id, seq) for run_id in runs for seq in range(count)
    ]
    assert produced() < count * len(runs) / 2, "the records were not batched"


def _count_produce_requests(bus: KafkaBus) -> Callable[[], int]:
    """A counter of the produce requests ``bus`` sends from now on."""
    assert bus._publisher is not None
    client = bus._publisher._producer.client
    send = client.send
    sent = 0

    async def counting(node_id: int, request: Any, **options: Any) -> Any:
        nonlocal sent
        sent += type(request).__name__.startswith("ProduceRequest")
        return await send(node_id, request, **options)

    client.send = counting  # type: ignore[method-assign]
    return lambda: sent


async def test_only_the_live_follower_fetches_with_the_short_wait(
    kafka_settings: KafkaSettings,
) -> None:
    settings = replace(kafka_settings, fetch_max_wait_ms=2, background_fetch_max_wait_ms=40)
    async with (
        KafkaBus(settings) as bus,
        bus.follow_events() as live,
        bus.follow_control() as control,
        bus.requests() as requests,
        bus.recorded_events() as recorder,
    ):
        waits = {
            name: reader.consumer._fetcher._fetch_max_wait_ms  # type: ignore[attr-defined]
            for name, reader in [
                ("live", live),
                ("control", control),
                ("requests", requests),
                ("recorder", recorder),
            ]
        }
    assert waits == {"live": 2, "control": 40, "requests": 40, "recorder": 40}


async def test_a_publish_gives_up_at_its_deadline_while_the_broker_is_down(
    broker: Broker, kafka_settings: KafkaSettings
) -> None:
    if broker.server is None:
        pytest.skip("NODELOOM_TEST_KAFKA points at an external broker, which this test cannot stop")
    async with KafkaBus(replace(kafka_settings, publish_timeout_s=1.0)) as bus:
        await bus.publish_event(event("r", 0))
        broker.stop()
        try:
            started = time.monotonic()
            with pytest.raises(BusUnavailable, match=r"run-events .* within 1 s"):
                await bus.publish_event(event("r", 1))
            assert time.monotonic() - started < 3
        finally:
            broker.start()
        await bus.publish_event(event("r", 2))  # and it works again once the broker is back


async def test_starting_without_a_broker_fails_with_a_clear_error(
    quiet_caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here
    settings = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", start_timeout_s=1.5)
    began = time.monotonic()
    with (
        quiet_caplog.at_level(logging.INFO),
        pytest.raises(BusUnavailable, match=f"127.0.0.1:{port}"),
    ):
        await KafkaBus(settings).start()
    assert 1.5 <= time.monotonic() - began < 3
    # One warning while it waits (the outage's), not aiokafka's error for each refused
    # attempt nor the bus's retries; the pause between attempts grows (50 ms, 100 ms, …,
    # then 1 s): a handful in 1.5 s.
    said = [r.getMessage() for r in quiet_caplog.records]
    assert len(said) == 1, said
    assert said[0].startswith(f"Kafka broker at 127.0.0.1:{port} unreachable (")
    assert not BROKER.down  # nothing waits for that broker now: aiokafka speaks again


async def test_a_closed_members_partitions_go_to_the_others(
    kafka_settings: KafkaSettings,
) -> None:
    async with KafkaBus(kafka_settings) as bus, bus.requests() as staying:
        async with bus.requests() as leaving:
            await split_between(staying, leaving)
        closed = time.monotonic()
        await until(lambda: len(staying.partitions()) == kafka_settings.partitions, "takeover")
    print(f"takeover {time.monotonic() - closed:.2f} s after a member closed")


async def test_commits_in_the_background_repeat_and_lose_nothing_across_members(
    kafka_settings: KafkaSettings,
) -> None:
    """A member commits while it fetches on; what it handled before it left, or before a
    rebalance took its partitions, is not delivered again (only the message in hand when
    the partitions moved may be)."""
    runs = [f"run-{n}" for n in range(40)]
    got: list[str] = []
    async with KafkaBus(kafka_settings) as api:
        await asyncio.gather(*(api.publish_request(request(run_id)) for run_id in runs))
        async with KafkaBus(kafka_settings) as first, first.requests() as early:
            got += [r.run_id for r in await take(early, 15)]  # the last one still in hand
            async with KafkaBus(kafka_settings) as second, second.requests() as late:
                await split_between(early, late)
                for drained in await asyncio.gather(_drained(early), _drained(late)):
                    got += drained
        async with KafkaBus(kafka_settings) as third, third.requests() as last:
            got += await _drained(last)
    assert set(got) == set(runs)
    assert len(got) - len(set(got)) <= 1, sorted(got)  # the one in hand at the rebalance


async def _drained(subscription: Any, quiet_s: float = 1.5) -> list[str]:
    """The run ids ``subscription`` delivers until it is quiet for ``quiet_s``."""
    run_ids = []
    while True:
        try:
            async with asyncio.timeout(quiet_s):
                run_ids.append((await anext(subscription)).run_id)
        except TimeoutError:
            return run_ids


async def test_a_malformed_record_is_skipped_and_logged(
    kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    async with KafkaBus(kafka_settings) as bus, bus.follow_events() as follower:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_settings.bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(bus.topic(EVENTS), b"{not json", key=b"r")
        finally:
            await producer.stop()
        await bus.publish_event(event("r", 0))
        [received] = await take(follower, 1)
        assert received.run_id == "r"
    assert "malformed message" in caplog.text
