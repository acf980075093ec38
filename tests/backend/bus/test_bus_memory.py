"""What only the in-process bus does: bounded memory, with back-pressure."""

from __future__ import annotations

import asyncio

import pytest
from bus_support import event, request, take

from backend.bus import BusClosed, MemoryBus


async def publishes_pending(publish: asyncio.Task[None]) -> bool:
    await asyncio.sleep(0.05)
    return not publish.done()


async def test_a_follower_that_falls_behind_holds_publishers_back() -> None:
    async with MemoryBus(partitions=2, capacity=2) as bus, bus.follow_events() as follower:
        await bus.publish_event(event("r", 0))
        await bus.publish_event(event("r", 1))
        third = asyncio.create_task(bus.publish_event(event("r", 2)))
        assert await publishes_pending(third)
        assert [e.seq for e in await take(follower, 1)] == [0]
        await asyncio.wait_for(third, 1)
        assert [e.seq for e in await take(follower, 2)] == [1, 2]


async def test_a_group_member_that_falls_behind_holds_publishers_back() -> None:
    async with MemoryBus(partitions=1, capacity=2) as bus, bus.requests() as requests:
        await bus.publish_request(request("a"))
        await bus.publish_request(request("b"))
        third = asyncio.create_task(bus.publish_request(request("c")))
        assert await publishes_pending(third)
        await take(requests, 1)
        assert await publishes_pending(third), "'a' is not handled until the next is asked for"
        await take(requests, 1)
        await asyncio.wait_for(third, 1)


async def test_without_members_the_oldest_records_go(caplog: pytest.LogCaptureFixture) -> None:
    async with MemoryBus(partitions=1, capacity=2) as bus:
        for run_id in "abc":
            await asyncio.wait_for(bus.publish_request(request(run_id)), 1)
        async with bus.requests() as requests:
            assert [r.run_id for r in await take(requests, 2)] == ["b", "c"]
    assert "dropping its oldest record" in caplog.text


async def test_a_publisher_held_back_is_released_when_the_bus_closes() -> None:
    bus = MemoryBus(partitions=1, capacity=1)
    await bus.start()
    async with bus.follow_events():
        await bus.publish_event(event("r", 0))
        blocked = asyncio.create_task(bus.publish_event(event("r", 1)))
        assert await publishes_pending(blocked)
        await bus.close()
        with pytest.raises(BusClosed):
            await asyncio.wait_for(blocked, 1)


def test_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        MemoryBus(capacity=0)
