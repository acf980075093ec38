"""Word that run events were written (``backend.db.recorded_signal``) and, on PostgreSQL,
hearing every process's word (``backend.db.recorded_listener``): after the commit only,
never for a rollback, and again after the listening connection was cut."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.db import event_store, recorded_signal, run_store, workflow_store
from backend.db.recorded_listener import RecordedListener
from backend.db.recorded_signal import Recorded
from backend.db.session import create_engine, create_session_factory
from graph_engine.document import WorkflowDocument
from graph_engine.events import (
    NodeToken,
    NodeTokenData,
    RunSucceeded,
    RunSucceededData,
    now,
)

HEAR_TIMEOUT_S = 10.0


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _new_run(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    async with sessions() as session:
        document = WorkflowDocument.model_validate({"name": f"word {uuid.uuid4().hex}"})
        workflow_id = (await workflow_store.create_workflow(session, document, message=None)).id
        row, queued = run_store.new_queued_run(workflow_id, 1, {})
        await run_store.insert_queued(session, [(row, queued)])
    return queued.run_id, workflow_id


def _token(run_id: str, workflow_id: str, seq: int) -> NodeToken:
    data = NodeTokenData(text=str(seq))
    return NodeToken(
        run_id=run_id, workflow_id=workflow_id, seq=seq, ts=now(), node_id="n", data=data
    )


def _end(run_id: str, workflow_id: str, seq: int) -> RunSucceeded:
    data = RunSucceededData(duration_ms=1.0, outputs={})
    return RunSucceeded(run_id=run_id, workflow_id=workflow_id, seq=seq, ts=now(), data=data)


async def test_word_comes_after_the_commit_and_never_for_a_rollback(engine: AsyncEngine):
    sessions = create_session_factory(engine)
    heard: list[Mapping[str, Recorded]] = []
    seen_at_word: list[int] = []

    def hear(runs: Mapping[str, Recorded]) -> None:
        heard.append(dict(runs))
        seen_at_word.append(len(heard))

    stop = recorded_signal.listen(engine, hear)
    try:
        run_id, workflow_id = await _new_run(sessions)
        assert heard == [{run_id: Recorded(0)}]  # run.queued, written with the run
        async with sessions() as session:
            await event_store.insert_events(session, [_token(run_id, workflow_id, 1)])
            assert len(heard) == 1  # written, not committed: no word yet
            await session.rollback()
        assert len(heard) == 1
        async with sessions() as session:
            events = [_token(run_id, workflow_id, 1), _end(run_id, workflow_id, 2)]
            await event_store.record_events(session, events)  # commits
        assert heard[-1] == {run_id: Recorded(2, ended=True)}
        rows = await event_store.read_events(engine, run_id, after=-1, limit=10)
        assert [row.seq for row in rows] == [0, 1, 2]
    finally:
        stop()
    async with sessions() as session:
        await event_store.record_events(session, [_token(run_id, workflow_id, 3)])
    assert len(heard) == 2  # stopped: nothing more


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_every_process_hears_the_word_and_a_cut_listener_says_look_again(
    engine: AsyncEngine, database_url: str
):
    """The writer here is another engine (as another process would be); the listener's
    connection is terminated by the server, as a restart or a proxy would: it reconnects,
    says word may have been lost, and hears the next writes."""
    heard: asyncio.Queue[Mapping[str, Recorded]] = asyncio.Queue()
    lost: list[int] = []
    lost_again = asyncio.Event()

    def look_again() -> None:
        lost.append(1)
        if len(lost) >= 2:
            lost_again.set()

    listener = RecordedListener(engine, heard.put_nowait, look_again)
    task = asyncio.create_task(listener.run())
    writer = create_engine(database_url)
    sessions = create_session_factory(writer)
    try:
        async with asyncio.timeout(HEAR_TIMEOUT_S):
            await listener.listening.wait()
        assert len(lost) == 1  # on connecting: whatever was written before it listened
        run_id, workflow_id = await _new_run(sessions)
        async with asyncio.timeout(HEAR_TIMEOUT_S):
            assert await heard.get() == {run_id: Recorded(0)}

        async with writer.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                )
            )
            await connection.commit()
        async with asyncio.timeout(HEAR_TIMEOUT_S):
            await lost_again.wait()  # set on reconnecting, once listening again
        async with sessions() as session:
            events = [_token(run_id, workflow_id, 1), _end(run_id, workflow_id, 2)]
            await event_store.record_events(session, events)
        async with asyncio.timeout(HEAR_TIMEOUT_S):
            assert await heard.get() == {run_id: Recorded(2, ended=True)}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await writer.dispose()
