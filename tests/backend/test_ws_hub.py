"""The hub's memory of recent runs: what a new subscription starts from."""

from __future__ import annotations

from backend.ws.hub import Hub
from graph_engine.events import RunSucceeded, RunSucceededData, now, queued_event


def _ended(run_id: str) -> RunSucceeded:
    return RunSucceeded(
        run_id=run_id,
        workflow_id="w",
        seq=1,
        ts=now(),
        data=RunSucceededData(duration_ms=1.0, outputs={}),
    )


def test_a_recorded_end_is_remembered_when_the_recorder_is_ahead_of_the_follower():
    hub = Hub()
    queued, ended = queued_event("r1", "w"), _ended("r1")
    hub.recorded([queued, ended])  # this process's recorder wrote them first
    hub.publish(queued)
    hub.publish(ended)
    with hub.subscribe("r1") as subscription:
        assert subscription.terminal_recorded
        assert [event.seq for event in subscription.take()] == [0, 1]


def test_an_end_not_yet_recorded_is_not_marked_recorded():
    hub = Hub()
    hub.publish(queued_event("r2", "w"))
    hub.publish(_ended("r2"))
    with hub.subscribe("r2") as subscription:
        assert not subscription.terminal_recorded
        hub.recorded([_ended("r2")])
        assert subscription.terminal_recorded


async def test_an_end_watch_wakes_at_the_end_and_when_it_is_recorded_not_at_every_event():
    hub = Hub()
    with hub.watch_end("r3") as end:
        hub.publish(queued_event("r3", "w"))
        assert not await end.wait(0.01)  # not the end: the watch sleeps on
        hub.publish(_ended("r3"))
        assert await end.wait(0.01)
        assert end.ended and not end.recorded
        hub.recorded([_ended("r3")])
        assert await end.wait(0.01)
        assert end.recorded


def test_an_end_watch_starts_from_what_the_hub_already_saw():
    hub = Hub()
    hub.publish(_ended("r4"))
    with hub.watch_end("r4") as end:
        assert end.ended and not end.recorded
    hub.recorded([_ended("r4")])
    with hub.watch_end("r4") as end:
        assert end.recorded
    with hub.watch_end("r5") as end:
        assert not end.ended
