"""The contract of ``EventBus``: every implementation passes these (in-process and Kafka)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from bus_support import (
    BusFactory,
    event,
    nothing_more,
    request,
    seqs_by_run,
    split_between,
    take,
    until,
)

from backend.bus import BusClosed, ControlMessage, RunRequest
from graph_engine.events import RunEvent


def run_ids(count: int) -> list[str]:
    return [f"run-{uuid.uuid4().hex[:8]}" for _ in range(count)]


async def publish_runs(bus_factory: BusFactory, runs: list[str], seqs: range) -> None:
    """Each run publishes its events in order, all runs at once, from two worker buses."""
    workers = [await bus_factory(), await bus_factory()]

    async def one_run(index: int, run_id: str) -> None:
        for seq in seqs:
            await workers[index % 2].publish_event(event(run_id, seq))

    await asyncio.gather(*(one_run(i, run_id) for i, run_id in enumerate(runs)))


async def test_every_follower_sees_every_event_in_run_order(bus_factory: BusFactory) -> None:
    replicas = [await bus_factory(), await bus_factory()]
    runs = run_ids(6)
    async with replicas[0].follow_events() as first, replicas[1].follow_events() as second:
        await publish_runs(bus_factory, runs, range(15))
        for follower in (first, second):
            received = await take(follower, len(runs) * 15)
            assert seqs_by_run(received) == {run_id: list(range(15)) for run_id in runs}
            await nothing_more(follower, wait=0.1)


async def test_a_follower_starts_at_the_end(bus_factory: BusFactory) -> None:
    bus = await bus_factory()
    await bus.publish_event(event("before", 0))
    async with bus.follow_events() as follower:
        await bus.publish_event(event("after", 0))
        [received] = await take(follower, 1)
        assert received.run_id == "after"


async def test_workers_compete_for_requests(bus_factory: BusFactory) -> None:
    api, one, two = await bus_factory(), await bus_factory(), await bus_factory()
    handled: dict[str, list[RunRequest]] = {"one": [], "two": []}

    async def work(name: str, subscription: object) -> None:
        async for item in subscription:  # type: ignore[attr-defined]
            handled[name].append(item)

    async with one.requests() as first, two.requests() as second:
        tasks = [
            asyncio.create_task(work("one", first)),
            asyncio.create_task(work("two", second)),
        ]
        await split_between(first, second)
        runs = run_ids(40)
        for run_id in runs:
            await api.publish_request(request(run_id))
        await until(lambda: sum(map(len, handled.values())) >= len(runs), "every request")
        await asyncio.sleep(0.2)  # time for a duplicate to show up
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    got = [item.run_id for items in handled.values() for item in items]
    assert sorted(got) == sorted(runs), "each request is handled exactly once"
    assert handled["one"] and handled["two"], "both workers took a share"
    assert handled["one"][0] == request(handled["one"][0].run_id)


async def test_requests_published_before_any_worker_are_kept(bus_factory: BusFactory) -> None:
    api, worker = await bus_factory(), await bus_factory()
    runs = run_ids(3)
    for run_id in runs:
        await api.publish_request(request(run_id))
    async with worker.requests() as requests:
        assert sorted(item.run_id for item in await take(requests, 3)) == sorted(runs)


async def test_the_recorder_group_commits_only_what_was_handled(bus_factory: BusFactory) -> None:
    worker, recorder_a, recorder_b = await bus_factory(), await bus_factory(), await bus_factory()
    runs = run_ids(4)
    for seq in range(5):
        for run_id in runs:
            await worker.publish_event(event(run_id, seq))
    handled: list[RunEvent] = []
    with pytest.raises(RuntimeError, match="database down"):
        async with recorder_a.recorded_events() as events:
            async for item in events:
                if len(handled) == 7:
                    raise RuntimeError("database down")  # this one is not handled
                handled.append(item)
    async with recorder_b.recorded_events() as events:
        rest = await take(events, 20 - len(handled))
        await nothing_more(events)
    everything = {(run_id, seq) for run_id in runs for seq in range(5)}
    assert {(e.run_id, e.seq) for e in rest} == everything - {(e.run_id, e.seq) for e in handled}
    assert all(seqs == sorted(seqs) for seqs in seqs_by_run(rest).values())


async def test_a_batch_is_handled_only_when_the_next_is_asked_for(
    bus_factory: BusFactory,
) -> None:
    """The recorder's way: a batch that was not written (the process died) comes again."""
    worker, recorder_a, recorder_b = await bus_factory(), await bus_factory(), await bus_factory()
    runs = run_ids(3)
    for seq in range(4):
        for run_id in runs:
            await worker.publish_event(event(run_id, seq))
    written: list[RunEvent] = []
    with pytest.raises(RuntimeError, match="died"):
        async with recorder_a.recorded_events() as events:
            while len(written) < 12:
                batch = await events.next_batch(5)
                assert 1 <= len(batch) <= 5
                if written:  # the second batch is lost with the process
                    raise RuntimeError("died before writing it")
                written += batch
    async with recorder_b.recorded_events() as events:
        rest = await take(events, 12 - len(written))
        await nothing_more(events)
    everything = {(run_id, seq) for run_id in runs for seq in range(4)}
    assert {(e.run_id, e.seq) for e in rest} == everything - {(e.run_id, e.seq) for e in written}


async def test_leaving_a_loop_normally_commits_the_last_message(bus_factory: BusFactory) -> None:
    worker, recorder = await bus_factory(), await bus_factory()
    await worker.publish_event(event("one", 0))
    async with recorder.recorded_events() as events:
        async for _ in events:
            break
    await worker.publish_event(event("two", 0))
    async with recorder.recorded_events() as events:
        [item] = await take(events, 1)
        assert item.run_id == "two"


async def test_control_messages_reach_every_worker(bus_factory: BusFactory) -> None:
    api, one, two = await bus_factory(), await bus_factory(), await bus_factory()
    async with one.follow_control() as first, two.follow_control() as second:
        await api.publish_control(ControlMessage(run_id="r1"))
        for subscription in (first, second):
            assert await take(subscription, 1) == [ControlMessage(action="cancel", run_id="r1")]


async def test_closing_the_bus_ends_subscriptions_and_leaves_no_tasks(
    bus_factory: BusFactory,
) -> None:
    before = asyncio.all_tasks()
    bus = await bus_factory()
    seen: list[object] = []

    async def read(subscription: object) -> None:
        async with subscription:  # type: ignore[attr-defined]
            async for item in subscription:  # type: ignore[attr-defined]
                seen.append(item)

    readers = [
        asyncio.create_task(read(bus.follow_events())),
        asyncio.create_task(read(bus.follow_control())),
        asyncio.create_task(read(bus.requests())),
        asyncio.create_task(read(bus.recorded_events())),
    ]
    await asyncio.sleep(0.3)
    await bus.publish_control(ControlMessage(run_id="r"))
    await until(lambda: len(seen) >= 1, "the control message")
    await bus.close()
    async with asyncio.timeout(5):
        await asyncio.gather(*readers)  # the loops ended by themselves
    await until(lambda: not (asyncio.all_tasks() - before), "the bus's tasks to finish", 5)
    with pytest.raises(BusClosed):
        await bus.publish_event(event("late", 0))
    with pytest.raises(BusClosed):
        bus.follow_events()


async def test_recorded_through_says_when_the_recorder_handled_all_published_before(
    bus_factory: BusFactory,
) -> None:
    """The reaper's fence: an end taken now counts as recorded only once the recorder
    group handled every event published before it (its commits, not its fetches)."""
    worker, api = await bus_factory(), await bus_factory()
    runs = run_ids(3)
    for run_id in runs:
        for seq in range(3):
            await worker.publish_event(event(run_id, seq))
    end = await api.event_log_end()
    assert sum(end.values()) >= 9
    assert not await api.recorded_through(end)
    async with api.recorded_events() as events:
        first = await events.next_batch(1)  # fetched, not handled yet
        assert not await api.recorded_through(end)
        await take(events, 9 - len(first))
        # Everything is handled only once the next batch is asked for (or the loop ends).
    assert await api.recorded_through(end)
    await worker.publish_event(event(runs[0], 3))  # after the end: does not count
    assert await api.recorded_through(end)
    assert not await api.recorded_through(await api.event_log_end())
