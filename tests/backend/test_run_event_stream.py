"""The run event stream's invariant (``backend.ws.stream``) against a reference, whatever
the interleaving: hypothesis publishes a run's events to the hub (some lost by the
follower, some delivered twice), records them in order as the recorder does (the real
``event_store`` on SQLite and PostgreSQL, the real word after each commit), says now and
then that word may have been lost (as the PostgreSQL listener does when it reconnects),
makes the streams' next reads fail as an unreachable database does (their word already
heard: a stream must read again by itself), and opens watchers at random moments with
random ``after``. Every watcher must get each event after its ``after`` exactly once, in
``seq`` order, byte for byte what a replay of the finished run returns, and the terminal
event only once the database holds it.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy.exc import TimeoutError as PoolTimeout

from backend.db import event_store, recorded_signal, run_store, workflow_store
from backend.db.session import create_engine, create_session_factory
from backend.runs.summary import FINISHED
from backend.ws import stream as stream_module
from backend.ws.hub import Hub
from backend.ws.stream import RunEventStream
from graph_engine.document import WorkflowDocument
from graph_engine.events import (
    NodeToken,
    NodeTokenData,
    RunEvent,
    RunSucceeded,
    RunSucceededData,
    now,
    parse_event,
)

WATCH_TIMEOUT_S = 5.0
READ_AGAIN_S = 0.01  # the streams' retry after a failed read, shortened for the test
READ_AGAIN_S_SET = stream_module.READ_AGAIN_S

# Text that JSON spells in several ways (escapes, astral characters, quotes).
token_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("publish"), st.booleans()),  # True: the follower loses it
        st.tuples(st.just("redeliver"), st.integers(0, 50)),
        st.tuples(st.just("record"), st.integers(1, 4)),
        st.tuples(st.just("watch"), st.integers(-1, 12)),
        st.tuples(st.just("step"), st.integers(1, 3)),
        st.tuples(st.just("lose_word"), st.just(1)),  # the listener reconnected
        st.tuples(st.just("fail_reads"), st.integers(1, 3)),  # the database out of reach
    ),
    max_size=40,
)


@dataclass
class Watcher:
    after: int
    texts: list[str] = field(default_factory=list)
    terminal_was_recorded: bool | None = None


class FailingReads:
    """``event_store`` as the streams see it: its next ``failing`` reads raise what the
    reader's pool raises when the database is out of reach."""

    def __init__(self) -> None:
        self.failing = 0

    async def read_events(self, *args: object, **kwargs: object) -> object:
        if self.failing:
            self.failing -= 1
            raise PoolTimeout("the database is out of reach (made by the test)")
        return await event_store.read_events(*args, **kwargs)  # type: ignore[arg-type]


@dataclass
class World:
    """One run's events, how far they were published and recorded, and the watchers."""

    engine: object
    sessions: object
    hub: Hub
    events: list[RunEvent]
    published: int = 1  # run.queued (seq 0) is written when the run is made
    recorded: int = 1
    watchers: list[tuple[Watcher, asyncio.Task[None]]] = field(default_factory=list)

    def publish(self, lost: bool) -> None:
        if self.published < len(self.events):
            if not lost:  # the follower delivers a copy decoded from the wire, as Kafka's does
                self.hub.publish(parse_event(self.events[self.published].model_dump_json()))
            self.published += 1

    def redeliver(self, index: int) -> None:
        if self.published:
            self.hub.publish(parse_event(self.events[index % self.published].model_dump_json()))

    async def record(self, count: int) -> None:
        upto = min(self.recorded + count, self.published)
        if upto > self.recorded:
            async with self.sessions() as session:  # type: ignore[operator]
                await event_store.record_events(session, self.events[self.recorded : upto])
            self.recorded = upto

    def watch(self, after: int) -> None:
        watcher = Watcher(after)
        ready = asyncio.Event()
        task = asyncio.create_task(self._watch(watcher, ready))
        self.watchers.append((watcher, task))
        return ready

    async def _watch(self, watcher: Watcher, ready: asyncio.Event) -> None:
        run_id = self.events[0].run_id
        with self.hub.subscribe(run_id) as subscription:  # as the WebSocket route does
            ready.set()
            status = await run_store.read_status(self.engine, run_id)  # type: ignore[arg-type]
            stream = RunEventStream(
                self.engine,  # type: ignore[arg-type]
                subscription,
                watcher.after,
                finished=status in FINISHED,
            )
            async for item in stream:
                watcher.texts.append(item.text)
                if item.terminal:
                    rows = await event_store.read_events(
                        self.engine,  # type: ignore[arg-type]
                        run_id,
                        after=item.seq - 1,
                        limit=1,
                    )
                    watcher.terminal_was_recorded = [row.text for row in rows] == [item.text]


async def _scenario(database_url: str, tokens: list[str], steps: list[tuple[str, int]]) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    hub = Hub()
    stop_hearing = recorded_signal.listen(engine, hub.recorded)
    reads = FailingReads()
    stream_module.event_store, stream_module.READ_AGAIN_S = reads, READ_AGAIN_S  # type: ignore[assignment]
    try:
        async with sessions() as session:
            document = WorkflowDocument.model_validate({"name": f"stream {uuid.uuid4().hex}"})
            workflow_id = (await workflow_store.create_workflow(session, document, message=None)).id
            row, queued = run_store.new_queued_run(workflow_id, 1, {})
            await run_store.insert_queued(session, [(row, queued)])
        run_id = queued.run_id
        events: list[RunEvent] = [queued]
        for seq, text in enumerate(tokens, start=1):
            events.append(
                NodeToken(
                    run_id=run_id,
                    workflow_id=workflow_id,
                    seq=seq,
                    ts=now(),
                    node_id="chat",
                    data=NodeTokenData(text=text),
                )
            )
        events.append(
            RunSucceeded(
                run_id=run_id,
                workflow_id=workflow_id,
                seq=len(events),
                ts=now(),
                data=RunSucceededData(duration_ms=1.5, outputs={"answer": "".join(tokens)}),
            )
        )
        world = World(engine, sessions, hub, events)
        for action, argument in steps:
            if action == "publish":
                world.publish(lost=bool(argument))
            elif action == "redeliver":
                world.redeliver(argument)
            elif action == "record":
                await world.record(argument)
            elif action == "watch":
                await world.watch(argument).wait()
            elif action == "lose_word":
                hub.recorded_lost()
            elif action == "fail_reads":
                reads.failing = argument
            for _ in range(argument if action == "step" else 1):
                await asyncio.sleep(0)
        while world.published < len(events):  # the rest, live, and all recorded
            world.publish(lost=False)
        await world.record(len(events))
        watchers = [task for _, task in world.watchers]
        async with asyncio.timeout(WATCH_TIMEOUT_S):
            await asyncio.gather(*watchers)
        replay = await event_store.read_events(engine, run_id, after=-1, limit=1000)
        assert [row.seq for row in replay] == list(range(len(events)))
        for watcher, _ in world.watchers:
            expected = [row.text for row in replay if row.seq > watcher.after]
            note(f"watcher after {watcher.after}: {len(watcher.texts)} of {len(expected)}")
            assert watcher.texts == expected
            assert watcher.terminal_was_recorded in (True, None)
            assert (watcher.terminal_was_recorded is None) == (watcher.after >= len(events) - 1)
    finally:
        stream_module.event_store, stream_module.READ_AGAIN_S = event_store, READ_AGAIN_S_SET  # type: ignore[assignment]
        stop_hearing()
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tokens=st.lists(token_text, min_size=0, max_size=8), steps=actions)
def test_every_watcher_gets_the_replay_exactly_whatever_the_interleaving(
    database_url: str, tokens: list[str], steps: list[tuple[str, int]]
) -> None:
    asyncio.run(_scenario(database_url, tokens, steps))
