"""A run-events follower given the watched runs (``backend.bus.watched``), on Kafka: it
fetches only the partitions those runs land on and hands out only their events.

Hypothesis drives random sequences of watch, unwatch and publish over runs that share
partitions; after each step the follower must fetch exactly the partitions of the
watched runs, and in the end it must have handed out every event published for a run
while it was watched, each once and in order, and none of a run not watched again since
(an event fetched while its run was not watched may still be handed out once it is: a
watcher drops what it has).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from aiokafka import AIOKafkaProducer
from aiokafka.structs import TopicPartition
from bus_support import event, until
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from backend.bus import KafkaBus, KafkaSettings
from backend.bus._kafka_follow import Follower, partition_of
from backend.bus.messages import EVENTS
from backend.bus.watched import WatchedRuns
from graph_engine.events import RunEvent

PARTITIONS = 3
RUNS = [f"run-{n}" for n in range(6)]
QUIET_S = 0.3
"""How long an event that must not come is given to come anyway (fetches wait 5 ms)."""


def test_watched_runs_count_their_watchers() -> None:
    watched, changes = WatchedRuns(), []
    stop = watched.listen(lambda: changes.append(sorted(watched)))
    watched.add("a")
    watched.add("a")
    watched.discard("a")
    assert "a" in watched and changes == [["a"]]
    watched.discard("a")
    watched.discard("never watched")
    assert "a" not in watched and changes == [["a"], []]
    stop()
    watched.add("b")
    assert changes == [["a"], []]


async def test_the_follower_maps_a_run_to_the_partition_its_events_land_on(
    kafka_settings: KafkaSettings,
) -> None:
    settings = replace(kafka_settings, partitions=PARTITIONS)
    async with KafkaBus(settings) as bus:
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers)
        await producer.start()
        try:
            for n in range(40):
                run_id = f"run-{n}"
                landed = await producer.send_and_wait(
                    bus.topic(EVENTS),
                    event(run_id, 1).model_dump_json().encode(),
                    key=run_id.encode(),
                )
                assert landed.partition == partition_of(run_id.encode(), [0, 1, 2]), run_id
        finally:
            await producer.stop()


async def test_a_follower_nobody_watches_through_fetches_no_partition(
    kafka_settings: KafkaSettings,
) -> None:
    settings = replace(kafka_settings, partitions=PARTITIONS)
    watched = WatchedRuns()
    async with KafkaBus(settings) as bus, bus.follow_events(watched) as follower:
        assert isinstance(follower, Follower)
        reading = asyncio.create_task(anext(follower))
        topic = bus.topic(EVENTS)
        everything = {TopicPartition(topic, n) for n in range(PARTITIONS)}
        await until(lambda: follower.consumer.paused() == everything, "every partition paused")
        await bus.publish_event(event("run-0", 1))
        await asyncio.sleep(QUIET_S)
        assert not reading.done()
        watched.add("run-0")
        mine = TopicPartition(topic, partition_of(b"run-0", [0, 1, 2]))
        await until(lambda: mine not in follower.consumer.paused(), "run-0's partition resumed")
        await bus.publish_event(event("run-0", 2))
        got = await asyncio.wait_for(reading, 10)
        assert (got.run_id, got.seq) == ("run-0", 2)  # seq 1 was published while unwatched


steps = st.lists(
    st.tuples(st.sampled_from(["watch", "unwatch", "publish"]), st.sampled_from(RUNS)),
    min_size=1,
    max_size=24,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=steps)
def test_a_watched_follower_hands_out_exactly_the_watched_runs_events(
    kafka_settings: KafkaSettings, actions: list[tuple[str, str]]
) -> None:
    asyncio.run(_scenario(replace(kafka_settings, partitions=PARTITIONS), actions))


async def _scenario(settings: KafkaSettings, actions: list[tuple[str, str]]) -> None:
    watched = WatchedRuns()
    expected: list[tuple[str, int]] = []
    unwatched: dict[tuple[str, int], bool] = {}
    """Published while its run was not watched: whether it was watched again since."""
    received: list[RunEvent] = []
    seqs = dict.fromkeys(RUNS, 0)
    async with KafkaBus(settings) as bus, bus.follow_events(watched) as follower:
        assert isinstance(follower, Follower)
        topic = bus.topic(EVENTS)

        async def read() -> None:
            async for message in follower:
                received.append(message)

        reader = asyncio.create_task(read())

        def fetched() -> set[TopicPartition]:
            return {TopicPartition(topic, n) for n in range(PARTITIONS)} - set(
                follower.consumer.paused()
            )

        def watched_partitions() -> set[TopicPartition]:
            numbers = list(range(PARTITIONS))
            return {TopicPartition(topic, partition_of(r.encode(), numbers)) for r in watched}

        try:
            for action, run_id in actions:
                note(f"{action} {run_id}")
                if action == "watch":
                    watched.add(run_id)
                    unwatched.update({key: True for key in unwatched if key[0] == run_id})
                elif action == "unwatch":
                    watched.discard(run_id)
                else:
                    seqs[run_id] += 1
                    await bus.publish_event(event(run_id, seqs[run_id]))
                    key = (run_id, seqs[run_id])
                    if run_id in watched:
                        expected.append(key)
                        await until(lambda k=key: k in {(e.run_id, e.seq) for e in received}, "it")
                    else:
                        unwatched[key] = False
                    continue
                await until(lambda: fetched() == watched_partitions(), "the partitions to follow")
            await asyncio.sleep(QUIET_S)
            got = [(e.run_id, e.seq) for e in received]
            assert set(expected) <= set(got)
            assert all(unwatched.get(key, key in expected) for key in got), got
            for run_id in RUNS:
                seqs_got = [seq for run, seq in got if run == run_id]
                assert seqs_got == sorted(set(seqs_got)), (run_id, seqs_got)
        finally:
            reader.cancel()
