"""Helpers for the bus tests: the broker and bus handles, messages, reading with a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import pytest
from services.kafka import TEST_KAFKA_ENV, KafkaServer

from backend.bus import EventBus, KafkaBus, KafkaSettings, MemoryBus, RunRequest, Subscription
from graph_engine.events import NodeToken, NodeTokenData, RunEvent, now, queued_event

T = TypeVar("T")
DEADLINE_S = 15.0
# Small timeouts: a group join on the test broker takes about session_timeout_ms.
TEST_KAFKA_SETTINGS = {
    "session_timeout_ms": 1000,
    "heartbeat_interval_ms": 100,
    "fetch_max_wait_ms": 5,
    "request_timeout_ms": 3000,
    "retry_backoff_ms": 20,
    "metadata_max_age_ms": 5000,
    "poll_interval_ms": 50,
    "publish_timeout_s": 10.0,
    "start_timeout_s": 10.0,
}


@dataclass
class Broker:
    bootstrap_servers: str
    server: KafkaServer | None

    def restart(self) -> None:
        if self.server is None:
            pytest.skip(
                f"{TEST_KAFKA_ENV} points at an external broker, which this test cannot restart"
            )
        self.server.restart()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def start(self) -> None:
        if self.server is not None:
            self.server.start()


class BusFactory:
    """Starts buses for one test and closes them all at its end."""

    def __init__(self, kind: str, settings: KafkaSettings | None) -> None:
        self.kind = kind
        self.settings = settings
        self.buses: list[EventBus] = []

    async def __call__(self, **overrides: object) -> EventBus:
        if self.settings is None:
            if not self.buses:
                self.buses.append(MemoryBus(**overrides))  # type: ignore[arg-type]
                await self.buses[0].start()
            return self.buses[0]
        bus = KafkaBus(replace(self.settings, **overrides))  # type: ignore[arg-type]
        await bus.start()
        self.buses.append(bus)
        return bus

    async def close(self) -> None:
        for bus in self.buses:
            await bus.close()


def event(run_id: str, seq: int) -> RunEvent:
    if seq == 0:
        return queued_event(run_id, workflow_id="wf")
    return NodeToken(
        run_id=run_id,
        workflow_id="wf",
        seq=seq,
        ts=now(),
        node_id="llm",
        data=NodeTokenData(text=f"token {seq}"),
    )


def request(run_id: str) -> RunRequest:
    return RunRequest(run_id=run_id, workflow_id="wf", version=1, inputs={"question": "why?"})


async def take(subscription: AsyncIterator[T], count: int, within: float = DEADLINE_S) -> list[T]:
    """The next ``count`` messages; fails the test if they do not come in time."""
    received: list[T] = []
    try:
        async with asyncio.timeout(within):
            while len(received) < count:
                received.append(await anext(subscription))
    except TimeoutError:
        raise AssertionError(f"got {len(received)} of {count} messages in {within} s") from None
    return received


async def nothing_more(subscription: AsyncIterator[T], wait: float = 0.3) -> None:
    """Fails if a message arrives within ``wait`` seconds."""
    try:
        async with asyncio.timeout(wait):
            message = await anext(subscription)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message {message!r}")


async def until(condition: Callable[[], bool], what: str, within: float = DEADLINE_S) -> None:
    try:
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110 - polls state that has no event to wait on
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def split_between(*members: Subscription[object]) -> None:
    """Wait until every member of a group has its own, non-empty share of the partitions."""

    def shares() -> list[frozenset[int]]:
        return [member.partitions() for member in members]

    def settled() -> bool:
        now = shares()
        return all(now) and sum(map(len, now)) == len(frozenset().union(*now))

    try:
        await until(settled, "the group to share its partitions among all members")
    except AssertionError as error:  # what each member held, to tell a stuck join apart
        raise AssertionError(f"{error}; the members hold {[sorted(s) for s in shares()]}") from None


def seqs_by_run(events: list[RunEvent]) -> dict[str, list[int]]:
    runs: dict[str, list[int]] = {}
    for item in events:
        runs.setdefault(item.run_id, []).append(item.seq)
    return runs
