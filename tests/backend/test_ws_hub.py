"""The hub: live events fanned out by run, and the word of what the database holds."""

from __future__ import annotations

import asyncio

from backend.db.recorded_signal import Recorded, summarize
from backend.ws.hub import SUBSCRIPTION_LIMIT, UNKNOWN, Hub
from graph_engine.events import RunSucceeded, RunSucceededData, now, queued_event


def _ended(run_id: str, seq: int = 1) -> RunSucceeded:
    return RunSucceeded(
        run_id=run_id,
        workflow_id="w",
        seq=seq,
        ts=now(),
        data=RunSucceededData(duration_ms=1.0, outputs={}),
    )


async def test_events_and_word_reach_only_the_subscriptions_of_their_run():
    hub = Hub()
    with hub.subscribe("r1") as mine, hub.subscribe("r2") as other:
        hub.publish(queued_event("r1", "w"))
        hub.recorded({"r1": Recorded(0)})
        assert [event.seq for event in mine.take()] == [0]
        assert (mine.recorded_seq, mine.words) == (0, 1)
        assert other.take() == [] and (other.recorded_seq, other.words) == (-1, 0)
        assert await mine.wait(0) and not await other.wait(0)


async def test_word_only_grows_and_remembers_an_end():
    hub = Hub()
    with hub.subscribe("r1", live=False) as word:
        hub.recorded(summarize([queued_event("r1", "w"), _ended("r1", 5)]))
        hub.recorded({"r1": Recorded(2)})  # an older write's word, heard late
        hub.publish(queued_event("r1", "w"))
        assert (word.recorded_seq, word.recorded_ended, word.words) == (5, True, 2)
        assert word.take() == []  # word only: no live events kept


async def test_lost_word_makes_every_reader_look_again():
    hub = Hub()
    with hub.subscribe("r1") as first, hub.subscribe("r2") as second:
        hub.recorded_lost()
        for subscription in (first, second):
            assert subscription.recorded_seq == UNKNOWN and subscription.words == 1


async def test_a_slow_reader_drops_past_the_limit_and_a_wait_ends_with_its_timeout():
    hub = Hub()
    with hub.subscribe("r1") as subscription:
        for _ in range(SUBSCRIPTION_LIMIT + 3):
            hub.publish(queued_event("r1", "w"))
        assert len(subscription.take()) == SUBSCRIPTION_LIMIT and subscription.dropped == 3
        assert await subscription.wait(0)  # woken by what it just took
        started = asyncio.get_running_loop().time()
        assert not await subscription.wait(0.05)
        assert asyncio.get_running_loop().time() - started >= 0.04
    assert hub.received == SUBSCRIPTION_LIMIT + 3
